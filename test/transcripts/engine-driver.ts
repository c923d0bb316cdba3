import { randomUUID } from 'node:crypto';
import type {
  ChatIdentity,
  Reply,
  TurnHandler,
  TurnInput,
  TurnResult,
} from '../../src/engine/turn.js';
import type { ChatDriver, SeenReply } from './chat-driver.js';

/**
 * Drives the flow engine directly, as the console adapter does: the transcripts' fastest
 * path, with every reply kept for assertions.
 */
export class EngineDriver implements ChatDriver {
  /** Every reply seen, oldest first. */
  readonly seen: SeenReply[] = [];
  /** Every turn result, for the flags adapters act on. */
  readonly results: TurnResult[] = [];
  private readonly identity: ChatIdentity;

  get userId(): string {
    return this.identity.userId;
  }

  /** The engine's key for this chat user: `<platform>:<tenant>:<user>`. */
  get chatKey(): string {
    return `${this.identity.platform}:${this.identity.tenantId}:${this.identity.userId}`;
  }

  constructor(
    private readonly engine: TurnHandler,
    as: string,
    options: { userId?: string; conversationKind?: 'direct' | 'channel' } = {},
  ) {
    this.identity = {
      platform: 'console',
      tenantId: 'local',
      userId: options.userId ?? as.toLowerCase(),
      directoryName: as,
    };
    this.kind = options.conversationKind ?? 'direct';
  }

  private readonly kind: 'direct' | 'channel';
  private readonly prompts: { promptId: string; values: string[] }[] = [];
  private readonly forms: string[] = [];

  say(text: string): Promise<SeenReply[]> {
    return this.send({ kind: 'text', text });
  }

  click(value: string): Promise<SeenReply[]> {
    const prompt = [...this.prompts]
      .reverse()
      .find((candidate) => candidate.values.includes(value));
    if (!prompt) throw new Error(`no button "${value}" was offered`);
    return this.send({ kind: 'choice', value, promptId: prompt.promptId });
  }

  submit(fields: Record<string, string>): Promise<SeenReply[]> {
    const formId = this.forms.at(-1);
    if (formId === undefined) throw new Error('no secret form was offered');
    return this.send({ kind: 'form', formId, fields });
  }

  /** Sends a turn with a chosen id, to replay a delivery. */
  async send(input: TurnInput, id: string = randomUUID()): Promise<SeenReply[]> {
    const result = await this.engine.handle({
      id,
      identity: this.identity,
      conversationKind: this.kind,
      input,
    });
    this.results.push(result);
    const replies = result.replies.map((reply) => this.see(reply));
    this.seen.push(...replies);
    return replies;
  }

  async close(): Promise<void> {}

  private see(reply: Reply): SeenReply {
    switch (reply.kind) {
      case 'choices':
        this.prompts.push({
          promptId: reply.promptId,
          values: reply.choices.map((choice) => choice.value),
        });
        return { text: reply.text, buttons: reply.choices };
      case 'secret':
        this.forms.push(reply.formId);
        return {
          text: [reply.text, reply.error].filter(Boolean).join('\n'),
          buttons: [],
          form: { formId: reply.formId, fields: reply.fields.map((field) => field.name) },
        };
      default:
        return { text: reply.text, buttons: [] };
    }
  }
}

/** Returns all reply texts joined, for `toContain` and `toMatch` checks. */
export function textOf(replies: readonly SeenReply[]): string {
  return replies.map((reply) => reply.text).join('\n');
}
