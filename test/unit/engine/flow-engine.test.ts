import { describe, expect, it } from 'vitest';
import { dialogs } from '../../../dialogs/index.js';
import { assembleApp } from '../../../src/app/app.js';
import { demoConfig, demoServices } from '../../../src/app/demo.js';
import type { Directory } from '../../../src/directory/directory.js';
import { AppError } from '../../../src/errors/catalog.js';
import { createLogger } from '../../../src/log/logger.js';
import { EngineDriver } from '../../transcripts/engine-driver.js';
import { textOf } from '../../transcripts/journeys.js';

/** Builds an engine on the demo services, with a clock the test moves and the printed SMS kept. */
function demoEngine(change: (directory: Directory) => Directory = (directory) => directory) {
  let offset = 0;
  const now = () => Date.now() + offset;
  const printed: string[] = [];
  const output = {
    write: (chunk: string) => printed.push(chunk),
  } as unknown as NodeJS.WritableStream;
  const config = demoConfig();
  const logger = createLogger({ level: 'silent' });
  const set = demoServices(config, logger, output, now);
  const services = { ...set.services, directory: change(set.services.directory) };
  const app = assembleApp(config, logger, { ...set, services }, dialogs, now);
  return {
    app,
    advance: (ms: number) => {
      offset += ms;
    },
    lastCode: () =>
      /(\d{6})/.exec(printed.filter((line) => line.startsWith('SMS')).at(-1) ?? '')?.[1] ?? '',
  };
}

const ALICE = 'alice@demo.example';

describe('flow engine', () => {
  it('answers empty, oversized and emoji-only text without touching state', async () => {
    const { app } = demoEngine();
    const chat = new EngineDriver(app.engine, ALICE);

    expect(textOf(await chat.say('   '))).toContain('empty message');
    expect(textOf(await chat.say('x'.repeat(10_240)))).toContain('10240 characters long');
    expect(textOf(await chat.say('🔑🔒'))).toContain('What would you like to do?');
    expect(textOf(await chat.say('🔑🔒'))).toContain('I did not understand that');
  });

  it('points a channel conversation to a direct message', async () => {
    const { app } = demoEngine();
    const chat = new EngineDriver(app.engine, ALICE, { conversationKind: 'channel' });

    const replies = await chat.say('reset');

    expect(textOf(replies)).toContain('only handle password resets in a direct message');
    expect(textOf(replies)).not.toContain('0101');
  });

  it('cancels at any step and drops the code', async () => {
    const { app, lastCode } = demoEngine();
    const chat = new EngineDriver(app.engine, ALICE);
    await chat.say('reset');
    await chat.say('+90 532 555 01 01');
    const code = lastCode();

    expect(textOf(await chat.say('cancel'))).toContain('Stopped. Nothing was changed.');
    expect(await app.services.codes.verify(chat.chatKey, 'verify', code)).toEqual({
      ok: false,
      reason: 'void',
    });
  });

  it('shows help without losing the step', async () => {
    const { app } = demoEngine();
    const chat = new EngineDriver(app.engine, ALICE);
    await chat.say('reset');

    expect(textOf(await chat.say('help'))).toContain('Type "cancel" at any time');
    expect(textOf(await chat.say('0532 555 01 01'))).toContain('I sent a 6-digit code by SMS');
  });

  it('restarts from the menu', async () => {
    const { app } = demoEngine();
    const chat = new EngineDriver(app.engine, ALICE);
    await chat.say('reset');

    const menu = await chat.say('menu');

    expect(menu.at(-1)?.buttons.map((button) => button.value)).toEqual([
      'reset',
      'unlock',
      'email',
      'help',
    ]);
  });

  it('expires an idle flow and says so on the next message', async () => {
    const { app, advance } = demoEngine();
    const chat = new EngineDriver(app.engine, ALICE);
    await chat.say('reset');
    advance(11 * 60_000);

    const replies = await chat.say('0532 555 01 01');

    expect(textOf(replies)).toContain('timed out, so I started over');
  });

  it('processes a redelivered turn once', async () => {
    const { app } = demoEngine();
    const chat = new EngineDriver(app.engine, ALICE);

    const first = await chat.send({ kind: 'text', text: 'reset' }, 'event-1');
    const again = await chat.send({ kind: 'text', text: 'reset' }, 'event-1');

    expect(first.length).toBeGreaterThan(0);
    expect(again).toEqual([]);
    expect(chat.results.at(-1)?.duplicate).toBe(true);
  });

  it('rejects a button from an earlier message', async () => {
    const { app } = demoEngine();
    const chat = new EngineDriver(app.engine, ALICE);
    await chat.say('hi');
    const old = chat.seen.at(-1);
    await chat.say('menu');

    const replies = await chat.send({ kind: 'choice', value: 'reset', promptId: 'p-000000000000' });

    expect(old?.buttons.length).toBeGreaterThan(0);
    expect(textOf(replies)).toContain('belongs to an earlier message');
  });

  it('serialises concurrent turns of one conversation', async () => {
    const { app } = demoEngine((directory) => ({
      ...directory,
      findAccount: async (name) => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        return directory.findAccount(name);
      },
      readPolicy: () => directory.readPolicy(),
      readAccount: (dn) => directory.readAccount(dn),
    }));
    const chat = new EngineDriver(app.engine, ALICE);

    const [first, second] = await Promise.all([chat.say('reset'), chat.say('0532 555 01 01')]);

    expect(textOf(first)).toContain('ending in 0101');
    expect(textOf(second)).toContain('I sent a 6-digit code by SMS');
  });

  it('tells the user plainly when the directory is down, and keeps the step', async () => {
    let down = false;
    const { app } = demoEngine((directory) =>
      Object.assign(Object.create(directory) as Directory, {
        findAccount: async (name: string) => {
          if (down) throw new AppError('DIRECTORY_UNAVAILABLE', { detail: 'connect ECONNREFUSED' });
          return directory.findAccount(name);
        },
      }),
    );
    const chat = new EngineDriver(app.engine, ALICE);
    await chat.say('reset');
    down = true;

    expect(textOf(await chat.say('0532 555 01 01'))).toContain(
      'cannot reach the directory right now',
    );
    down = false;
    expect(textOf(await chat.say('0532 555 01 01'))).toContain('I sent a 6-digit code by SMS');
  });

  it('ends the verification with its flow', async () => {
    const { app, lastCode } = demoEngine();
    const chat = new EngineDriver(app.engine, ALICE);
    await chat.say('reset');
    await chat.say('0532 555 01 01');
    await chat.say(lastCode());
    expect(
      textOf(
        await chat.submit({ newPassword: 'Demo-Pass-2026', confirmPassword: 'Demo-Pass-2026' }),
      ),
    ).toContain('Done');

    expect(textOf(await chat.say('reset'))).toContain('ending in 0101');
  });

  it('rejects a password that was typed into the chat', async () => {
    const { app, lastCode } = demoEngine();
    const chat = new EngineDriver(app.engine, ALICE);
    await chat.say('reset');
    await chat.say('0532 555 01 01');
    await chat.say(lastCode());
    await chat.say('Chat#Leak2026');

    const form = { newPassword: 'Chat#Leak2026', confirmPassword: 'Chat#Leak2026' };
    expect(textOf(await chat.submit(form))).toContain('typed into the chat');
    const other = { newPassword: 'Form#Only2026', confirmPassword: 'Form#Only2026' };
    expect(textOf(await chat.submit(other))).toContain('Done');
  });

  it('drops the verification on cancel', async () => {
    const { app, lastCode } = demoEngine();
    const chat = new EngineDriver(app.engine, ALICE);
    await chat.say('reset');
    await chat.say('0532 555 01 01');
    await chat.say(lastCode());
    await chat.say('cancel');

    expect(textOf(await chat.say('secondary e-mail'))).toContain('first check by SMS');
  });

  it('limits wrong numbers per account across conversations', async () => {
    const { app } = demoEngine();
    const chat = new EngineDriver(app.engine, ALICE);
    for (let round = 0; round < 2; round += 1) {
      await chat.say('reset');
      for (let guess = 0; guess < 3; guess += 1) await chat.say('0532 000 00 00');
    }

    const refused = await chat.say('reset');

    expect(textOf(refused)).toContain('Too many wrong numbers or addresses');
    expect(textOf(refused)).not.toContain('ending in');
  });
});
