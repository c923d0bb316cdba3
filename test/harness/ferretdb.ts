import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  cpSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { freeLoopbackPort } from './free-port.js';
import type { Started } from './started.js';

const FERRETDB_MODULE = 'github.com/FerretDB/FerretDB';
const FERRETDB_VERSION = 'v1.24.2';
const START_TIMEOUT_MS = 30_000;
const BUILD_TIMEOUT_MS = 15 * 60_000;

/**
 * Starts FerretDB on SQLite in `dir`, listening on a free loopback port, and returns its
 * `mongodb://` URI. When MONGODB_URI is set, that server is used instead and nothing is
 * started or stopped. The binary comes from `$SSPR_TOOLS_DIR/ferretdb`
 * (default `~/.cache/sspr-bot/bin`) and is built with Go when missing.
 */
export async function startFerretDb(dir: string): Promise<Started<string>> {
  const external = process.env.MONGODB_URI;
  if (external) return { value: external, stop: async () => {} };

  const binary = ensureFerretDbBinary();
  mkdirSync(dir, { recursive: true });

  // Another process can take the free port between the probe and FerretDB's bind.
  let lastError: unknown;
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    try {
      return await launch(binary, dir, await freeLoopbackPort());
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

async function launch(binary: string, dir: string, port: number): Promise<Started<string>> {
  const log = createWriteStream(join(dir, 'ferretdb.log'), { flags: 'a' });
  const child = spawn(
    binary,
    [
      '--handler=sqlite',
      `--sqlite-url=file:${dir}/`,
      `--listen-addr=127.0.0.1:${port}`,
      `--state-dir=${dir}`,
      // Without this, FerretDB would later report usage to its vendor's host.
      '--telemetry=disable',
      '--debug-addr=-',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);

  const uri = `mongodb://127.0.0.1:${port}/sspr-test`;
  const stop = () => stopProcess(child);
  try {
    await waitUntilAnswering(uri, child, join(dir, 'ferretdb.log'));
  } catch (error) {
    await stop();
    throw error;
  }
  return { value: uri, stop };
}

/**
 * Returns the path of a FerretDB binary that runs, building it when it is missing or
 * broken.
 *
 * NOTE: `go install github.com/FerretDB/FerretDB/cmd/ferretdb@v1.24.2` builds a binary
 * that panics at start, because the module zip lacks `build/version/version.txt`. So the
 * module source is copied, that file is written, and `go build` runs on the copy.
 */
export function ensureFerretDbBinary(): string {
  const toolsDir = process.env.SSPR_TOOLS_DIR ?? join(homedir(), '.cache', 'sspr-bot', 'bin');
  const binary = join(toolsDir, 'ferretdb');
  if (existsSync(binary) && reportsVersion(binary)) return binary;

  if (!hasGo()) {
    throw new Error(
      `FerretDB is missing at ${binary} and Go is not installed to build it: install Go ` +
        `(apt-get install golang-go, or from go.dev), or set MONGODB_URI to a MongoDB server`,
    );
  }
  mkdirSync(toolsDir, { recursive: true });
  buildFerretDb(binary);
  if (!reportsVersion(binary)) {
    throw new Error(`FerretDB was built at ${binary} but \`ferretdb --version\` failed`);
  }
  return binary;
}

function reportsVersion(binary: string): boolean {
  try {
    // FerretDB writes state.json into its state directory, which defaults to the working one.
    execFileSync(binary, ['--version', `--state-dir=${tmpdir()}`], {
      stdio: 'ignore',
      timeout: 10_000,
    });
    return true;
  } catch {
    return false;
  }
}

/** `go` from the PATH, else the official tarball's install path, which is often not on it. */
const GO = [
  process.env.GOROOT && join(process.env.GOROOT, 'bin', 'go'),
  'go',
  '/usr/local/go/bin/go',
]
  .filter((candidate): candidate is string => Boolean(candidate))
  .find((candidate) => {
    try {
      execFileSync(candidate, ['version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  });

function hasGo(): boolean {
  return GO !== undefined;
}

function buildFerretDb(binary: string): void {
  const download = execFileSync(
    GO ?? 'go',
    ['mod', 'download', '-json', `${FERRETDB_MODULE}@${FERRETDB_VERSION}`],
    { encoding: 'utf8', timeout: BUILD_TIMEOUT_MS },
  );
  const moduleDir = (JSON.parse(download) as { Dir: string }).Dir;

  // The module cache is read-only, so the build runs on a writable copy.
  const sourceDir = mkdtempSync(join(tmpdir(), 'ferretdb-src-'));
  try {
    cpSync(moduleDir, sourceDir, { recursive: true });
    execFileSync('chmod', ['-R', 'u+w', sourceDir]);
    writeFileSync(join(sourceDir, 'build', 'version', 'version.txt'), `${FERRETDB_VERSION}\n`);

    const building = `${binary}.${process.pid}.tmp`;
    execFileSync(GO ?? 'go', ['build', '-o', building, './cmd/ferretdb'], {
      cwd: sourceDir,
      stdio: ['ignore', 'inherit', 'inherit'],
      timeout: BUILD_TIMEOUT_MS,
      env: { ...process.env, GOFLAGS: '-buildvcs=false' },
    });
    renameSync(building, binary);
  } finally {
    rmSync(sourceDir, { recursive: true, force: true });
  }
}

/** Pings FerretDB until it responds, failing early with its log when it exits. */
async function waitUntilAnswering(uri: string, child: ChildProcess, logFile: string) {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `FerretDB exited at start (${child.exitCode ?? child.signalCode}):\n${tail(logFile)}`,
      );
    }
    if (await pings(uri)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(
    `FerretDB did not answer on ${uri} within ${START_TIMEOUT_MS} ms:\n${tail(logFile)}`,
  );
}

async function pings(uri: string): Promise<boolean> {
  const connection = mongoose.createConnection(uri, { serverSelectionTimeoutMS: 500 });
  try {
    await connection.asPromise();
    await connection.db?.admin().ping();
    return true;
  } catch {
    return false;
  } finally {
    await connection.close().catch(() => undefined);
  }
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '(no log)';
  }
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
