import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { runConsoleChat } from '../../adapters/console/console-adapter.js';
import { dialogs } from '../../dialogs/index.js';
import { type App, assembleApp } from '../app/app.js';
import { checkServices } from '../app/check.js';
import { demoConfig, demoServices } from '../app/demo.js';
import { connectServices } from '../app/production.js';
import { ConfigError, loadConfig, type RunMode } from '../config/load.js';
import type { Env } from '../config/schema.js';
import { DEMO_ACCOUNTS, DEMO_DOMAIN } from '../directory/demo-directory.js';
import { AppError } from '../errors/catalog.js';
import { createLogger, type Logger } from '../log/logger.js';
import { startHttpServer } from '../server/http-server.js';
import type { PlatformAdapter } from '../server/platform-adapter.js';

/*
 * The command line, and the one place that wires adapters to the core: no other module
 * in src/ imports Slack, Teams or terminal code.
 */

const USAGE = `Usage: sspr-bot <command> [options]

Commands:
  demo [--as <upn>]   Chat in the terminal on built-in stand-ins (no servers needed).
  chat --as <upn>     Chat in the terminal over the configured AD, Redis, MongoDB, SMS and mail.
  check               Check the configuration and that every configured service answers.
  serve               Start the HTTP server for Slack and Teams (and Slack Socket Mode).

Settings come from the environment and .env; see .env.example.`;

export async function main(argv: readonly string[]): Promise<number> {
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(argv);
  } catch (error) {
    return usageError((error as Error).message);
  }
  const { positionals, values } = parsed;
  if (values.as !== undefined && values.as.trim() === '') {
    return usageError('--as needs a UPN or e-mail address, such as jane.doe@corp.example');
  }
  const command = positionals[0];
  if (positionals.length > 1) {
    return usageError(`"${printable(positionals[1] ?? '')}" is not an option of ${command}`);
  }
  if (values.as !== undefined && command !== 'demo' && command !== 'chat') {
    return usageError(`--as works with demo and chat only, not with ${command}`);
  }
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined && !values.help ? 2 : 0;
  }
  switch (command) {
    case 'demo':
      return demo(values.as);
    case 'chat':
      if (!values.as) return usageError('chat needs --as <upn or e-mail>, the account to speak as');
      return withApp('chat', (app) => chat(app, values.as as string));
    case 'check':
      return check();
    case 'serve':
      return withApp('serve', serve);
    default:
      return usageError(`"${command}" is not a command`);
  }
}

function parseCommandLine(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { as: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
}

async function demo(as: string | undefined): Promise<number> {
  const config = demoConfig();
  const logger = createLogger({ level: config.LOG_LEVEL }, process.stderr as never);
  const app = assembleApp(config, logger, demoServices(config, logger, process.stdout), dialogs);
  const accounts = DEMO_ACCOUNTS.map((account) => {
    const notes = [
      account.locked && 'locked',
      account.disabled && 'disabled',
      account.privileged && 'domain admin',
    ].filter(Boolean);
    const phone = account.phones[0] ? `mobile ${account.phones[0]}` : 'no mobile';
    const upn = `${account.sAMAccountName}@${DEMO_DOMAIN}`.padEnd(26);
    return `  ${upn} ${phone}${notes.length ? ` (${notes.join(', ')})` : ''}`;
  });
  const name = as ?? `alice@${DEMO_DOMAIN}`;
  process.stdout.write(
    [
      'sspr-bot demo: a built-in directory and in-memory stores; SMS and mail are printed here.',
      `Demo accounts (npm run demo -- --as <upn>):`,
      ...accounts,
      `Speaking as ${printable(name)}. Type "quit" to leave.`,
      '',
    ].join('\n'),
  );
  try {
    await runConsoleChat({ engine: app.engine, as: name });
  } finally {
    await app.close();
  }
  return 0;
}

async function chat(app: App, as: string): Promise<number> {
  await runConsoleChat({ engine: app.engine, as });
  return 0;
}

async function check(): Promise<number> {
  let config: Readonly<Env>;
  try {
    config = loadConfig('check');
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 2;
  }
  process.stdout.write('The configuration is valid.\n');
  const logger = createLogger({ level: 'fatal' });
  const results = await checkServices(config, logger);
  for (const result of results) {
    process.stdout.write(`${result.ok ? 'ok  ' : 'FAIL'} ${result.service}: ${result.detail}\n`);
  }
  return results.every((result) => result.ok) ? 0 : 1;
}

async function serve(app: App): Promise<number> {
  const options = { config: app.config, engine: app.engine, logger: app.logger };
  const adapters: PlatformAdapter[] = [];
  // Loaded on demand, so that the demo and the console never load a platform SDK.
  if (app.config.SLACK_BOT_TOKEN !== undefined) {
    const { createSlackAdapter } = await import('../../adapters/slack/slack-adapter.js');
    adapters.push(createSlackAdapter(options));
  }
  if (app.config.MICROSOFT_APP_ID !== undefined || app.config.NODE_ENV === 'development') {
    const { createTeamsAdapter } = await import('../../adapters/teams/teams-adapter.js');
    adapters.push(createTeamsAdapter(options));
  }
  const server = await startHttpServer({
    host: app.config.HTTP_HOST,
    port: app.config.HTTP_PORT,
    mounts: adapters.flatMap((adapter) => (adapter.mount ? [adapter.mount] : [])),
    healthCheck: () => app.check(),
    logger: app.logger,
  });
  for (const adapter of adapters) await adapter.start();
  app.logger.info({ adapters: adapters.map((adapter) => adapter.name) }, 'sspr-bot serving');

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  app.logger.info('shutting down');
  for (const adapter of adapters) await adapter.stop();
  await server.close();
  return 0;
}

async function withApp(mode: RunMode, run: (app: App) => Promise<number>): Promise<number> {
  let logger: Logger = createLogger();
  try {
    const config = loadConfig(mode);
    // In a terminal chat, logs go to stderr so that they can be kept out of the conversation.
    logger = createLogger(
      { level: config.LOG_LEVEL },
      mode === 'chat' ? pino.destination(2) : undefined,
    );
    const app = assembleApp(config, logger, await connectServices(config, logger), dialogs);
    try {
      return await run(app);
    } finally {
      await app.close();
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    logger.fatal({ err: error }, 'sspr-bot stopped');
    const reason = error instanceof AppError ? `${error.code}: ${error.message}` : String(error);
    process.stderr.write(
      `sspr-bot stopped: ${reason}\nRun "sspr-bot check" to test every service.\n`,
    );
    return 1;
  }
}

/** Drops control characters, so that a name cannot move the cursor or retitle the terminal. */
function printable(value: string): string {
  return value.replace(/\p{Cc}/gu, '');
}

function usageError(message: string): number {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  return 2;
}

process.exitCode = await main(process.argv.slice(2));
