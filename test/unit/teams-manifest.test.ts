import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import JSZip from 'jszip';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import {
  buildPackage,
  checkIcon,
  fillManifest,
  type Manifest,
  ManifestError,
  validateManifest,
} from '../../manifest/teams/build.js';

const APP_ID = '3b0a4a9e-5c3d-4f6e-8a7b-1c2d3e4f5a6b';
const SOURCE = join(import.meta.dirname, '../../manifest/teams');

/** Reads a file from the package, failing the test when the file is missing. */
async function entry(zip: JSZip, name: string): Promise<Buffer> {
  const file = zip.file(name);
  if (file === null) throw new Error(`${name} is missing from the package`);
  return file.async('nodebuffer');
}

function template(): Manifest {
  return JSON.parse(readFileSync(join(SOURCE, 'manifest.json'), 'utf8')) as Manifest;
}

/** Copies the manifest folder to a scratch folder that a test may change. */
function scratchFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'sspr-manifest-'));
  for (const name of ['manifest.json', 'color.png', 'outline.png']) {
    cpSync(join(SOURCE, name), join(folder, name));
  }
  return folder;
}

describe('Teams app package', () => {
  it('built package validates', async () => {
    const zip = await JSZip.loadAsync(await buildPackage(APP_ID));

    expect(Object.keys(zip.files).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    const manifest = JSON.parse((await entry(zip, 'manifest.json')).toString('utf8')) as Manifest;
    expect(validateManifest(manifest)).toEqual([]);
    expect(Number(manifest.manifestVersion)).toBeGreaterThanOrEqual(1.19);
    expect(manifest.id).toBe(APP_ID);
    expect(manifest.bots[0]?.botId).toBe(APP_ID);
  });

  it('bot scopes include team chats', () => {
    const bot = template().bots[0] as { scopes?: string[] };
    expect(bot.scopes).toEqual(['personal', 'team', 'groupChat']);
  });

  it('packs icons of required sizes', async () => {
    const zip = await JSZip.loadAsync(await buildPackage(APP_ID));
    const color = PNG.sync.read(await entry(zip, 'color.png'));
    const outline = PNG.sync.read(await entry(zip, 'outline.png'));
    expect([color.width, color.height]).toEqual([192, 192]);
    expect([outline.width, outline.height]).toEqual([32, 32]);
  });

  it('rejects broken manifests', () => {
    const filled = fillManifest(template(), APP_ID);
    const cases: [string, Manifest, string][] = [
      ['bad bot id', { ...filled, bots: [{ botId: 'not-a-guid' }] }, '/bots/0/botId'],
      ['unknown field', { ...filled, favouriteColour: 'blue' }, 'favouriteColour'],
      ['missing name', { ...filled, name: undefined } as unknown as Manifest, 'name'],
      ['long short name', { ...filled, name: { short: 'x'.repeat(31) } }, '/name/short'],
    ];
    for (const [label, manifest, expected] of cases) {
      const problems = validateManifest(JSON.parse(JSON.stringify(manifest)) as Manifest);
      expect(problems.join('\n'), label).toContain(expected);
    }
  });

  it('rejects missing or malformed app id', () => {
    expect(() => fillManifest(template(), undefined)).toThrow(/MICROSOFT_APP_ID is missing/);
    expect(() => fillManifest(template(), 'my-bot')).toThrow(/"my-bot" is not a GUID/);
  });

  it('rejects version without a schema', () => {
    expect(() => validateManifest({ ...template(), manifestVersion: '0.1' })).toThrow(
      ManifestError,
    );
  });

  it('rejects packing an invalid manifest', async () => {
    const folder = scratchFolder();
    const manifest = { ...template(), accentColor: 'blue' };
    writeFileSync(join(folder, 'manifest.json'), JSON.stringify(manifest));
    await expect(buildPackage(APP_ID, folder)).rejects.toThrow(/accentColor/);
  });

  it('rejects a coloured outline icon', () => {
    const png = new PNG({ width: 32, height: 32 });
    png.data.fill(0);
    png.data.set([200, 0, 0, 255], 0);
    const problems = checkIcon('outline.png', PNG.sync.write(png), 32, true);
    expect(problems.join('\n')).toContain('neither white nor transparent');
  });

  it('rejects wrong icon size', () => {
    const png = new PNG({ width: 64, height: 64 });
    const problems = checkIcon('color.png', PNG.sync.write(png), 192, false);
    expect(problems.join('\n')).toContain('64×64: Teams requires 192×192');
  });
});
