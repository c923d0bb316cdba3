import { randomUUID } from 'node:crypto';
import type { MailMessage, MailSender } from './mail-sender.js';

/**
 * Writes each mail's recipient, subject and text part to a stream instead of sending it,
 * for the demo and for dry runs. The text carries the code in full, so never point it
 * at a shared log.
 */
export class ConsoleMailSender implements MailSender {
  constructor(private readonly output: NodeJS.WritableStream = process.stdout) {}

  async send(message: MailMessage): Promise<string> {
    const lines = [`Mail to ${message.to}`, `Subject: ${message.subject}`, '', message.text, ''];
    this.output.write(`${lines.join('\n')}\n`);
    return `<console-${randomUUID()}@sspr-bot>`;
  }

  async verify(): Promise<void> {}

  async close(): Promise<void> {}
}
