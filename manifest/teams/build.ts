import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse as parseDotenv } from 'dotenv';
import JSZip from 'jszip';
import { PNG } from 'pngjs';
import { COLOR_SIZE, OUTLINE_SIZE } from './icons.js';

/**
 * Builds the Teams app package: fills the bot id into manifest.json, validates the result
 * against the official schema shipped in @microsoft/app-manifest, checks the icons, and
 * writes build/sspr-bot.zip for upload. Run with `npm run manifest:teams`.
 */

const FOLDER = dirname(fileURLToPath(import.meta.url));
export const PACKAGE_PATH = join(FOLDER, 'build', 'sspr-bot.zip');
const GUID = /^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/;
const PLACEHOLDER_HOST = 'intranet.example.com';

export type Manifest = Record<string, unknown> & {
  manifestVersion: string;
  bots: { botId: string }[];
};

/** Raised with every problem found, one per line, so one run lists them all. */
export class ManifestError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `The Teams app package was not built:\n${problems.map((line) => `  - ${line}`).join('\n')}`,
    );
    this.name = 'ManifestError';
  }
}

/** Returns the manifest template with the app id filled in as the Teams app id and the bot id. */
export function fillManifest(template: Manifest, appId: string | undefined): Manifest {
  const id = appId?.trim() ?? '';
  if (id === '') {
    throw new ManifestError([
      'MICROSOFT_APP_ID is missing: set it to the bot registration app id (a GUID)',
    ]);
  }
  if (!GUID.test(id)) {
    throw new ManifestError([
      `MICROSOFT_APP_ID=${JSON.stringify(id)} is not a GUID: copy the Application (client) ID of the bot registration`,
    ]);
  }
  const bots = template.bots.map((bot) => ({ ...bot, botId: id }));
  return { ...template, id, bots };
}

/** Returns the schema problems of a manifest, empty when it is valid. */
export function validateManifest(manifest: Manifest): string[] {
  const validate = compileSchema(manifest.manifestVersion);
  if (validate(manifest)) return [];
  return (validate.errors ?? []).map(describeError);
}

/**
 * Loads the schema for the manifest's version. The schemas are draft-04 JSON Schema, and
 * the keywords they use read the same under ajv's default draft, so `$schema` is dropped.
 */
function compileSchema(version: string) {
  if (!/^\d+\.\d+$/.test(version)) {
    throw new ManifestError([`manifestVersion ${JSON.stringify(version)} is not of the form 1.24`]);
  }
  const require = createRequire(import.meta.url);
  let schema: Record<string, unknown>;
  try {
    schema = require(
      `@microsoft/app-manifest/build/json-schemas/teams/v${version}/MicrosoftTeams.schema.json`,
    ) as Record<string, unknown>;
  } catch {
    throw new ManifestError([
      `manifestVersion ${version} has no schema in @microsoft/app-manifest: use a version it ships, such as 1.24`,
    ]);
  }
  const { $schema: _draft, ...rest } = schema;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile(rest);
}

/** ajv-formats is CommonJS; under NodeNext its default export is the module object. */
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function describeError(error: ErrorObject): string {
  const where = error.instancePath === '' ? 'manifest' : error.instancePath;
  const extra =
    error.keyword === 'additionalProperties'
      ? ` (${String((error.params as { additionalProperty?: string }).additionalProperty)})`
      : '';
  return `${where} ${error.message ?? 'is invalid'}${extra}`;
}

/** Returns the problems of an icon: a PNG of the given size, and for outlines white on transparent. */
export function checkIcon(name: string, bytes: Buffer, size: number, outline: boolean): string[] {
  let png: PNG;
  try {
    png = PNG.sync.read(bytes);
  } catch (error) {
    return [`${name} is not a readable PNG: ${(error as Error).message}`];
  }
  if (png.width !== size || png.height !== size) {
    return [`${name} is ${png.width}×${png.height}: Teams requires ${size}×${size}`];
  }
  if (!outline) return [];
  for (let offset = 0; offset < png.data.length; offset += 4) {
    const [red, green, blue, alpha] = png.data.subarray(offset, offset + 4);
    const white = red === 255 && green === 255 && blue === 255;
    if (alpha !== 0 && !white) {
      return [`${name} has a pixel that is neither white nor transparent at byte ${offset}`];
    }
  }
  return [];
}

/** Builds the package in memory; raises ManifestError listing every problem. */
export async function buildPackage(appId: string | undefined, folder = FOLDER): Promise<Buffer> {
  const template = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8')) as Manifest;
  const manifest = fillManifest(template, appId);
  const color = readFileSync(join(folder, 'color.png'));
  const outline = readFileSync(join(folder, 'outline.png'));
  const problems = [
    ...validateManifest(manifest),
    ...checkIcon('color.png', color, COLOR_SIZE, false),
    ...checkIcon('outline.png', outline, OUTLINE_SIZE, true),
  ];
  if (problems.length > 0) throw new ManifestError(problems);

  const zip = new JSZip();
  zip.file('manifest.json', `${JSON.stringify(manifest, null, 2)}\n`);
  zip.file('color.png', color);
  zip.file('outline.png', outline);
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

/** Lists the developer URLs that still point at the template's placeholder host. */
export function placeholderUrls(manifest: Manifest): string[] {
  const developer = (manifest.developer ?? {}) as Record<string, unknown>;
  return Object.entries(developer)
    .filter(([, value]) => typeof value === 'string' && value.includes(PLACEHOLDER_HOST))
    .map(([key]) => `developer.${key}`);
}

/** MICROSOFT_APP_ID from the environment, else from `.env` in the working folder, as the bot reads it. */
function appIdSetting(): string | undefined {
  if (process.env.MICROSOFT_APP_ID !== undefined) return process.env.MICROSOFT_APP_ID;
  if (!existsSync('.env')) return undefined;
  return parseDotenv(readFileSync('.env')).MICROSOFT_APP_ID;
}

async function main(): Promise<void> {
  try {
    const bytes = await buildPackage(appIdSetting());
    mkdirSync(dirname(PACKAGE_PATH), { recursive: true });
    writeFileSync(PACKAGE_PATH, bytes);
    console.log(`wrote ${PACKAGE_PATH} (${bytes.length} bytes)`);
    const template = JSON.parse(readFileSync(join(FOLDER, 'manifest.json'), 'utf8')) as Manifest;
    const placeholders = placeholderUrls(template);
    if (placeholders.length > 0) {
      console.warn(
        `warning: ${placeholders.join(', ')} still point at ${PLACEHOLDER_HOST}: set your own pages in manifest/teams/manifest.json`,
      );
    }
  } catch (error) {
    console.error(error instanceof ManifestError ? error.message : error);
    process.exitCode = 1;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
