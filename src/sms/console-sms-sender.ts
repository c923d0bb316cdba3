import { randomUUID } from 'node:crypto';
import { maskPhone } from './mask-phone.js';
import type { SmsSender } from './sms-sender.js';

/**
 * Writes each SMS to a stream instead of sending it, for the demo and for dry runs.
 * The body, which carries the code, is printed in full because the console is the only
 * way the demo user receives it. Never use it where the stream is a shared log.
 */
export class ConsoleSmsSender implements SmsSender {
  constructor(private readonly output: NodeJS.WritableStream = process.stdout) {}

  async send(to: string, body: string): Promise<string> {
    this.output.write(`SMS to ${maskPhone(to)}: ${body}\n`);
    return `console-${randomUUID()}`;
  }
}
