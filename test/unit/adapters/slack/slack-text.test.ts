import { describe, expect, it } from 'vitest';
import { typedTextOf } from '../../../../adapters/slack/slack-text.js';

describe('typedTextOf', () => {
  const cases: [string, string, string][] = [
    ['plain text', 'reset my password', 'reset my password'],
    ['escaped entities', 'a &lt;b&gt; &amp; c', 'a <b> & c'],
    ['a mailto link', '<mailto:ann@example.org|ann@example.org>', 'ann@example.org'],
    ['a tel link', '<tel:+905321234567|0532 123 45 67>', '0532 123 45 67'],
    ['a bare link', 'see <https://example.org/x>', 'see https://example.org/x'],
    ['a bare mailto link', '<mailto:ann@example.org>', 'ann@example.org'],
    ['a user mention', '<@U123ABC> reset', '<@U123ABC> reset'],
    ['a channel mention', '<#C123ABC|general> hi', '<#C123ABC|general> hi'],
    ['a special mention', '<!here> hi', '<!here> hi'],
    ['an escaped ampersand in a password', 'Pa&amp;ss&lt;1', 'Pa&ss<1'],
  ];

  for (const [name, slackText, typed] of cases) {
    it(`converts ${name}`, () => {
      expect(typedTextOf(slackText)).toBe(typed);
    });
  }
});
