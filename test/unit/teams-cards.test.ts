import type { Activity } from 'botbuilder';
import { describe, expect, it } from 'vitest';
import { readActivity, readSubmit } from '../../adapters/teams/activity-input.js';
import { choicesCard, doneCard, secretCard } from '../../adapters/teams/adaptive-cards.js';
import { renderReplies } from '../../adapters/teams/render-replies.js';
import {
  conversationKindOf,
  tenantAllowed,
  tenantOf,
} from '../../adapters/teams/teams-identity.js';
import type { Reply } from '../../src/engine/turn.js';

const SECRET: Extract<Reply, { kind: 'secret' }> = {
  kind: 'secret',
  text: 'Choose a new password.',
  formId: 'new-password-abc123',
  title: 'New password',
  submitLabel: 'Set password',
  openLabel: 'Open form',
  fields: [
    { name: 'newPassword', label: 'New password', kind: 'password' },
    { name: 'confirmPassword', label: 'Confirm', kind: 'password' },
  ],
  error: 'The passwords do not match.',
};

function activity(fields: Partial<Activity>): Activity {
  return {
    type: 'message',
    channelId: 'msteams',
    from: { id: '29:user', name: 'User' },
    recipient: { id: '28:bot', name: 'sspr-bot' },
    conversation: { id: 'a:1', conversationType: 'personal', isGroup: false, name: '' },
    ...fields,
  } as Activity;
}

describe('Teams card rendering', () => {
  it('renders secret fields as password inputs', () => {
    const card = secretCard(SECRET) as { body: Record<string, unknown>[]; version: string };
    const inputs = card.body.filter((element) => element.type === 'Input.Text');

    expect(card.version).toBe('1.5');
    expect(inputs.map((input) => input.id)).toEqual(['newPassword', 'confirmPassword']);
    expect(inputs.every((input) => input.style === 'password')).toBe(true);
    expect(JSON.stringify(card)).toContain('The passwords do not match.');
  });

  it('puts form id in submit data', () => {
    const card = secretCard(SECRET) as { actions: { data: unknown }[] };
    expect(card.actions[0]?.data).toEqual({
      sspr: { kind: 'form', formId: 'new-password-abc123', title: 'New password' },
    });
  });

  it('renders choices as submit buttons', () => {
    const card = choicesCard({
      kind: 'choices',
      text: 'What would you like to do?',
      promptId: 'p-1a2b',
      choices: [{ value: 'reset', label: 'Reset my password' }],
    }) as { actions: Record<string, unknown>[] };

    expect(card.actions).toEqual([
      {
        type: 'Action.Submit',
        title: 'Reset my password',
        data: {
          sspr: { kind: 'choice', value: 'reset', promptId: 'p-1a2b', label: 'Reset my password' },
        },
      },
    ]);
  });

  it('done card has no inputs or actions', () => {
    const card = doneCard('You picked: Help') as Record<string, unknown>;
    expect(card.actions).toBeUndefined();
    expect(JSON.stringify(card)).not.toContain('Input.');
  });

  it('sends text replies as plain text', () => {
    const [message] = renderReplies([
      { kind: 'text', text: 'Sorry, I did not understand "**x**".' },
    ]);
    expect(message?.textFormat).toBe('plain');
    expect(message?.text).toBe('Sorry, I did not understand "**x**".');
  });
});

describe('Teams submit parsing', () => {
  it('reads a button click', () => {
    const read = readSubmit({
      sspr: { kind: 'choice', value: 'reset', promptId: 'p-1', label: 'Reset' },
    });
    expect(read).toEqual({
      kind: 'turn',
      input: { kind: 'choice', value: 'reset', promptId: 'p-1' },
      submitted: { kind: 'choice', value: 'reset', promptId: 'p-1', label: 'Reset' },
    });
  });

  it('reads form fields beside the data', () => {
    const read = readSubmit({
      sspr: { kind: 'form', formId: 'new-password-1', title: 'New password' },
      newPassword: 'Secret-1',
      confirmPassword: 'Secret-1',
    });
    expect(read.kind === 'turn' ? read.input : undefined).toEqual({
      kind: 'form',
      formId: 'new-password-1',
      fields: { newPassword: 'Secret-1', confirmPassword: 'Secret-1' },
    });
  });

  it('explains each unreadable submission', () => {
    const cases: [unknown, string][] = [
      [[1, 2], 'not a JSON object'],
      [{ other: 1 }, 'does not come from one of my buttons'],
      [{ sspr: { kind: 'launch' } }, 'button kind is unknown'],
      [{ sspr: { kind: 'choice', value: '', promptId: 'p-1' } }, 'value is missing'],
      [{ sspr: { kind: 'choice', value: 'x', promptId: 'bad id!' } }, 'no valid prompt id'],
      [{ sspr: { kind: 'form', formId: 'f-1' }, 'bad-name': 'x' }, 'field name I do not know'],
      [{ sspr: { kind: 'form', formId: 'f-1' }, code: 123456 }, '"code" is not text'],
      [{ sspr: { kind: 'form', formId: 'f-1' }, code: 'x'.repeat(1025) }, 'longer than 1024'],
      [{ sspr: { kind: 'form' } }, 'no valid form id'],
    ];
    for (const [value, problem] of cases) {
      const read = readSubmit(value);
      expect(read.kind, problem).toBe('unreadable');
      expect(read.kind === 'unreadable' ? read.problem : '', problem).toContain(problem);
    }
  });

  it('never echoes field values in problems', () => {
    const read = readSubmit({
      sspr: { kind: 'form', formId: 'f-1' },
      newPassword: 'S'.repeat(2000),
    });
    expect(JSON.stringify(read)).not.toContain('SSSS');
  });
});

describe('Teams activity reading', () => {
  it('strips the bot mention', () => {
    const read = readActivity(
      activity({
        text: '<at>sspr-bot</at>  reset   please',
        entities: [
          {
            type: 'mention',
            text: '<at>sspr-bot</at>',
            mentioned: { id: '28:bot', name: 'sspr-bot' },
          },
        ],
      }),
    );
    expect(read).toEqual({ kind: 'turn', input: { kind: 'text', text: 'reset please' } });
  });

  it('reads installs as start turns', () => {
    const installs = [
      activity({ type: 'installationUpdate', action: 'add' }),
      activity({ type: 'conversationUpdate', membersAdded: [{ id: '28:bot', name: 'sspr-bot' }] }),
    ];
    for (const install of installs) {
      expect(readActivity(install)).toEqual({ kind: 'turn', input: { kind: 'start' } });
    }
  });

  it('ignores other members and removals', () => {
    const ignored = [
      activity({ type: 'installationUpdate', action: 'remove' }),
      activity({
        type: 'conversationUpdate',
        membersAdded: [{ id: '29:someone', name: 'Someone' }],
      }),
      activity({ type: 'messageReaction' }),
    ];
    for (const other of ignored) expect(readActivity(other)).toEqual({ kind: 'ignored' });
  });

  it('maps conversation types', () => {
    const kinds = ['personal', 'channel', 'groupChat'].map((conversationType) =>
      conversationKindOf(
        activity({ conversation: { id: 'c', conversationType, isGroup: false, name: '' } }),
      ),
    );
    expect(kinds).toEqual(['direct', 'channel', 'channel']);
  });

  it('refuses disagreeing tenant ids', () => {
    const read = tenantOf(
      activity({
        channelData: { tenant: { id: 'from-channel-data' } },
        conversation: {
          id: 'c',
          conversationType: 'personal',
          tenantId: 'from-conversation',
          isGroup: false,
          name: '',
        },
      }),
    );
    expect(read).toBeUndefined();
  });

  it('reads tenant from either place', () => {
    const conversation = { id: 'c', conversationType: 'personal', isGroup: false, name: '' };
    const fromChannelData = activity({ channelData: { tenant: { id: 't-1' } }, conversation });
    const fromConversation = activity({ conversation: { ...conversation, tenantId: 't-2' } });
    expect(tenantOf(fromChannelData)).toBe('t-1');
    expect(tenantOf(fromConversation)).toBe('t-2');
  });

  it('matches allowed tenants case-insensitively', () => {
    expect(tenantAllowed('ABC-1', ['abc-1'])).toBe(true);
    expect(tenantAllowed('abc-2', ['abc-1'])).toBe(false);
    expect(tenantAllowed('anything', [])).toBe(true);
  });
});
