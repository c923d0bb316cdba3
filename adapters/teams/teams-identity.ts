import type { Activity, TeamsChannelAccount } from 'botbuilder';
import type { ChatIdentity, ConversationKind } from '../../src/engine/turn.js';

/** The tenant id given to Bot Framework Emulator conversations, which carry none. */
export const EMULATOR_TENANT = 'emulator';

export type IdentityLookup =
  | { readonly kind: 'ok'; readonly identity: ChatIdentity }
  /** The user's tenant is missing or outside TEAMS_ALLOWED_TENANTS. */
  | { readonly kind: 'tenant-refused'; readonly tenantId: string | undefined }
  /** The Bot Connector member lookup failed for a reason other than "not found". */
  | { readonly kind: 'unavailable'; readonly error: unknown };

/** Returns `direct` for personal chat, which runs the flows, and `channel` for the rest. */
export function conversationKindOf(activity: Activity): ConversationKind {
  const type = activity.conversation?.conversationType;
  if (activity.channelId === 'emulator' && type === undefined) return 'direct';
  return type === 'personal' ? 'direct' : 'channel';
}

/**
 * Returns the tenant id from channelData, or from the conversation as newer clients send
 * it. When both are present they must agree; a mismatch returns undefined, which refuses.
 */
export function tenantOf(activity: Activity): string | undefined {
  const channelData = activity.channelData as { tenant?: { id?: unknown } } | undefined;
  const fromChannelData = nonEmpty(channelData?.tenant?.id);
  const fromConversation = nonEmpty(activity.conversation?.tenantId);
  if (fromChannelData && fromConversation) {
    return fromChannelData.toLowerCase() === fromConversation.toLowerCase()
      ? fromChannelData
      : undefined;
  }
  if (fromChannelData ?? fromConversation) return fromChannelData ?? fromConversation;
  return activity.channelId === 'emulator' ? EMULATOR_TENANT : undefined;
}

/** True when the tenant may use the bot: always when no allow-list is set. */
export function tenantAllowed(tenantId: string, allowed: readonly string[]): boolean {
  if (allowed.length === 0) return true;
  return allowed.some((entry) => entry.toLowerCase() === tenantId.toLowerCase());
}

/**
 * Returns the identity of a channel or group chat sender. It is built from the activity alone,
 * without a member lookup, because the bot replies there with a pointer and no account
 * detail.
 */
export function channelIdentity(activity: Activity, tenantId: string): ChatIdentity {
  return {
    platform: 'teams',
    tenantId,
    userId: activity.from?.aadObjectId ?? activity.from?.id ?? 'unknown',
    directoryName: undefined,
  };
}

/** Fetches a member record, as GET /v3/conversations/{id}/members/{id} returns it. */
export type MemberLookup = (memberId: string) => Promise<TeamsChannelAccount>;

/**
 * Looks up the sender through the Bot Connector for the UPN or e-mail that maps the user
 * to an AD account. The chat key is the tenant id plus the AAD object id, which the
 * channel vouches for in the signed activity.
 */
export async function lookUpIdentity(
  activity: Activity,
  getMember: MemberLookup,
  options: { readonly allowedTenants: readonly string[]; readonly emulatorAllowed: boolean },
): Promise<IdentityLookup> {
  const tenantId = tenantOf(activity);
  if (tenantId === undefined || !tenantAllowed(tenantId, options.allowedTenants)) {
    return { kind: 'tenant-refused', tenantId };
  }
  if (activity.channelId === 'emulator' && options.emulatorAllowed) {
    return { kind: 'ok', identity: emulatorIdentity(activity) };
  }

  let member: TeamsChannelAccount | undefined;
  try {
    member = await getMember(activity.from.id);
  } catch (error) {
    if (statusOf(error) !== 404) return { kind: 'unavailable', error };
    member = undefined;
  }

  const aadObjectId = activity.from.aadObjectId ?? member?.aadObjectId;
  const consistent = member?.aadObjectId === undefined || member.aadObjectId === aadObjectId;
  const directoryName = consistent ? (member?.userPrincipalName ?? member?.email) : undefined;
  return {
    kind: 'ok',
    identity: {
      platform: 'teams',
      tenantId,
      userId: aadObjectId ?? activity.from.id,
      directoryName: directoryName || undefined,
    },
  };
}

/**
 * Builds an Emulator identity. The Emulator has no Teams member record, so the user id
 * set in the Emulator's settings is taken as the UPN. Callers allow this only while authentication
 * is off, which `createTeamsAdapter` permits only with NODE_ENV=development.
 */
function emulatorIdentity(activity: Activity): ChatIdentity {
  const id = activity.from?.id ?? '';
  return {
    platform: 'teams',
    tenantId: EMULATOR_TENANT,
    userId: id.toLowerCase(),
    directoryName: id.includes('@') ? id : undefined,
  };
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
