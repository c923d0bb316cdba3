import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runConsoleChat } from '../../adapters/console/console-adapter.js';
import { dialogs } from '../../dialogs/index.js';
import { assembleApp } from '../../src/app/app.js';
import { demoConfig, demoServices } from '../../src/app/demo.js';
import { createLogger } from '../../src/log/logger.js';

/**
 * The demo as a user sees it: the console adapter on the demo services, typed into line by
 * line, waiting for each prompt the way a person would.
 */
class Terminal {
  readonly input = new PassThrough();
  readonly output = new PassThrough();
  transcript = '';
  private readonly finished: Promise<void>;

  constructor(as: string, now: () => number = Date.now) {
    this.output.on('data', (chunk: Buffer) => {
      this.transcript += chunk.toString('utf8');
    });
    const config = demoConfig();
    const logger = createLogger({ level: 'silent' });
    const services = demoServices(config, logger, this.output, now);
    const app = assembleApp(config, logger, services, dialogs, now);
    this.finished = runConsoleChat({
      engine: app.engine,
      as,
      input: this.input,
      output: this.output,
    });
  }

  /** Waits until the transcript matches, then types a line. */
  async type(line: string, after: RegExp): Promise<void> {
    await this.waitFor(after);
    this.input.write(`${line}\n`);
  }

  async waitFor(pattern: RegExp, timeoutMs = 3000): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = pattern.exec(this.transcript);
      if (match) return match;
      if (Date.now() > deadline) throw new Error(`no ${pattern} in:\n${this.transcript}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async quit(): Promise<void> {
    this.input.end();
    await this.finished;
  }
}

let terminal: Terminal | undefined;
afterEach(async () => {
  await terminal?.quit();
});

describe('demo', () => {
  it('walks a user through SMS verification and a reset', async () => {
    terminal = new Terminal('alice@demo.example');
    await terminal.type('1', /4\) Help/);
    await terminal.type('0532 555 01 01', /ending in 0101/);
    const [, code] = await terminal.waitFor(/SMS to \+90\*+0101: .* (\d{6})/);
    await terminal.type(code ?? '', /Type it here/);
    await terminal.type('Demo-Pass-2026', /New password: $/);
    await terminal.type('Demo-Pass-2026', /Confirm new password: $/);

    await terminal.waitFor(/Done: your password has been changed/);
    expect(terminal.transcript).not.toContain('Demo-Pass-2026');
  });

  it('registers a secondary e-mail and resets with a mailed code', async () => {
    let offset = 0;
    terminal = new Terminal('alice@demo.example', () => Date.now() + offset);
    await terminal.type('secondary e-mail', /4\) Help/);
    await terminal.type('+90 532 555 01 01', /ending in 0101/);
    const [, smsCode] = await terminal.waitFor(/SMS to .*: .* (\d{6})/);
    await terminal.type(smsCode ?? '', /Type it here/);
    await terminal.type('1', /no secondary e-mail yet/);
    await terminal.type('alice.home@example.org', /Type the e-mail address/);
    const [, mailCode] = await terminal.waitFor(/Mail to alice\.home@example\.org[\s\S]* (\d{6})/);
    await terminal.type(mailCode ?? '', /confirm the address/);
    await terminal.waitFor(/is now your secondary e-mail/);

    // Half an hour later the SMS verification has lapsed, so a reset requests a new code.
    offset = 30 * 60_000;
    await terminal.type('reset', /Anything else/);
    await terminal.type('2', /E-mail to a•••@example\.org/);
    await terminal.type('alice.home@example.org', /Type that address in full/);
    const codes = await terminal.waitFor(/I sent a 6-digit code to a•••@example\.org/);
    expect(codes).toBeTruthy();
    const mailed = [
      ...terminal.transcript.matchAll(/Mail to alice\.home@example\.org[\s\S]*?(\d{6})/g),
    ];
    await terminal.type(mailed.at(-1)?.[1] ?? '', /Type it here/);
    await terminal.waitFor(/New password: $/);
  });

  it('unlocks the locked demo account', async () => {
    terminal = new Terminal('bob@demo.example');
    await terminal.type('unlock', /4\) Help/);
    await terminal.type('532 555 02 02', /ending in 0202/);
    const [, code] = await terminal.waitFor(/SMS to .*: .* (\d{6})/);
    await terminal.type(code ?? '', /Type it here/);
    await terminal.waitFor(/Done: your account is unlocked/);
  });

  it('gives every refused demo account the same neutral reply', async () => {
    for (const name of ['carol@demo.example', 'root.admin@demo.example', 'nobody@demo.example']) {
      const chat = new Terminal(name);
      await chat.type('reset', /4\) Help/);
      await chat.waitFor(/Self-service is not available for this chat account/);
      await chat.quit();
    }
  });
});
