import { describe, expect, it } from 'vitest';
import {
  decodeChoice,
  decodeForm,
  decodeModalMetadata,
  encodeChoice,
  encodeForm,
  encodeModalMetadata,
} from '../../../../adapters/slack/payloads.js';

const fields = [
  { name: 'newPassword', label: 'New password', kind: 'password' as const },
  { name: 'confirmPassword', label: 'Confirm new password', kind: 'password' as const },
];

describe('slack payloads', () => {
  it('round-trips a choice', () => {
    const value = encodeChoice({ value: 'reset', promptId: 'p-1a2b' });
    expect(decodeChoice(value)).toEqual({ value: 'reset', promptId: 'p-1a2b' });
  });

  it('round-trips a form with its error', () => {
    const spec = {
      formId: 'f-1',
      title: 'New password',
      submitLabel: 'Set',
      fields,
      text: 'Choose one.',
      error: 'Too short.',
    };
    expect(decodeForm(encodeForm(spec))).toEqual(spec);
  });

  it('drops the form text past 2000 characters', () => {
    const spec = {
      formId: 'f-1',
      title: 'T',
      submitLabel: 'S',
      fields,
      text: 'x'.repeat(2500),
      error: 'e',
    };
    const encoded = encodeForm(spec);
    expect(encoded.length).toBeLessThanOrEqual(2000);
    expect(decodeForm(encoded)).toEqual({ formId: 'f-1', title: 'T', submitLabel: 'S', fields });
  });

  it('round-trips modal metadata', () => {
    const metadata = {
      formId: 'f-1',
      channel: 'D123',
      messageTs: '1700000000.000100',
      text: 'Choose one.',
    };
    expect(decodeModalMetadata(encodeModalMetadata(metadata))).toEqual(metadata);
  });

  it('drops the metadata text past 3000 characters', () => {
    const metadata = { formId: 'f-1', channel: 'D123', messageTs: '1.2', text: 'x'.repeat(3500) };
    const encoded = encodeModalMetadata(metadata);
    expect(encoded.length).toBeLessThanOrEqual(3000);
    expect(decodeModalMetadata(encoded)).toEqual({
      formId: 'f-1',
      channel: 'D123',
      messageTs: '1.2',
    });
  });

  const malformed: [string, string | undefined][] = [
    ['missing', undefined],
    ['not JSON', 'reset'],
    ['JSON null', 'null'],
    ['wrong types', '{"v":1,"p":2,"f":3,"d":"x","c":4,"m":5}'],
  ];
  for (const [name, raw] of malformed) {
    it(`rejects a ${name} value`, () => {
      expect(decodeChoice(raw)).toBeUndefined();
      expect(decodeForm(raw)).toBeUndefined();
      expect(decodeModalMetadata(raw)).toBeUndefined();
    });
  }

  it('rejects a form field of an unknown kind', () => {
    const raw = JSON.stringify({ f: 'f-1', t: 'T', s: 'S', d: [['pin', 'PIN', 'number']] });
    expect(decodeForm(raw)).toBeUndefined();
  });
});
