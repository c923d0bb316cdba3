import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { freeLoopbackPort } from './free-port.js';
import type { Started } from './started.js';

const HOST = '127.0.0.1';
/** How long a new instance may take to reply to PING, in milliseconds. */
const START_TIMEOUT_MS = 15_000;
/** How long stop() waits after SIGTERM before SIGKILL, in milliseconds. */
const STOP_TIMEOUT_MS = 5_000;

/**
 * Starts a private redis-server on a free loopback port, with persistence off and its
 * files in `dir`, and returns its `redis://` URL. Installs the Debian package when
 * redis-server is missing. The system Redis on port 6379 is never used.
 */
export async function startRedis(dir: string): Promise<Started<string>> {
  ensureRedisInstalled();
  mkdirSync(dir, { recursive: true });

  // Another process can take the free port between the probe and redis-server's bind.
  let lastError: unknown;
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    const port = await freeLoopbackPort();
    try {
      const child = await launch(dir, port);
      return { value: `redis://${HOST}:${port}`, stop: () => stopChild(child) };
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

function ensureRedisInstalled(): void {
  if (hasCommand('redis-server')) return;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync('apt-get', ['update'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', 'redis-server'], { stdio: 'inherit', env });
  } catch (error) {
    throw new Error(
      'redis-server is missing and "apt-get install -y redis-server" failed. Install it as root and run the tests again.',
      { cause: error },
    );
  }
}

function hasCommand(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function launch(dir: string, port: number): Promise<ChildProcess> {
  const logFile = join(dir, `redis-${port}.log`);
  const args = [
    '--port',
    String(port),
    '--bind',
    HOST,
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    '--logfile',
    logFile,
    '--daemonize',
    'no',
  ];
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  // A crashed test run must not leave the server behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));

  try {
    await waitForPing(port, child);
    return child;
  } catch (error) {
    child.kill('SIGKILL');
    const log = readTail(logFile);
    throw new Error(`redis-server on port ${port} did not start: ${String(error)}\n${log}`);
  }
}

async function waitForPing(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
    if (await ping(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no PONG within ${START_TIMEOUT_MS} ms`);
}

/** Sends an inline PING and resolves true on a +PONG reply. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: HOST, port });
    let reply = '';
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) finish(reply.startsWith('+PONG'));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function readTail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '(no redis-server log)';
  }
}
