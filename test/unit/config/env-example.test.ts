import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { envSchema } from '../../../src/config/schema.js';

const documented = new Set(
  readFileSync('.env.example', 'utf8')
    .split('\n')
    .map((line) => /^([A-Z][A-Z0-9_]*)=/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined),
);

describe('.env.example', () => {
  it('documents every setting the schema reads', () => {
    const missing = Object.keys(envSchema.shape).filter((name) => !documented.has(name));
    expect(missing).toEqual([]);
  });

  it('names no setting the schema does not read', () => {
    const unknown = [...documented].filter((name) => !(name in envSchema.shape));
    expect(unknown).toEqual([]);
  });

  it('shows each default the schema applies', () => {
    const defaults = envSchema.parse({});
    const text = readFileSync('.env.example', 'utf8');
    for (const [name, value] of Object.entries(defaults)) {
      if (value === undefined) continue;
      const shown = Array.isArray(value) ? value.join(',') : String(value);
      expect(text, name).toContain(`${name}=${shown}\n`);
    }
  });
});
