import { randomUUID } from 'node:crypto';
import { createInterface, type Interface } from 'node:readline/promises';
import { Writable } from 'node:stream';
import { classifyText } from '../../src/engine/global-commands.js';
import type { ChatIdentity, Reply, TurnHandler, TurnInput } from '../../src/engine/turn.js';

export interface ConsoleChatOptions {
  readonly engine: TurnHandler;
  /** The UPN or e-mail the conversation speaks as. */
  readonly as: string;
  readonly input?: NodeJS.ReadableStream;
  readonly output?: NodeJS.WritableStream;
}

interface Prompt {
  readonly promptId: string;
  readonly choices: readonly { value: string; label: string }[];
}

/**
 * Runs a terminal chat over the flow engine: numbered choices, and hidden input for secret
 * forms. Ends on end of input or `quit`.
 */
export async function runConsoleChat(options: ConsoleChatOptions): Promise<void> {
  const output = options.output ?? process.stdout;
  const muted = new MutableOutput(output);
  const input = options.input ?? process.stdin;
  const interactive = (input as { isTTY?: boolean }).isTTY === true;
  const lines = createInterface({ input, output: muted, terminal: interactive });
  const identity: ChatIdentity = {
    platform: 'console',
    tenantId: 'local',
    userId: options.as.toLowerCase(),
    directoryName: options.as,
  };
  const session = new ConsoleSession(options.engine, identity, lines, muted, interactive);
  try {
    await session.run();
  } finally {
    lines.close();
  }
}

class ConsoleSession {
  private prompt: Prompt | undefined;
  private readonly pending: AsyncIterator<string>;

  constructor(
    private readonly engine: TurnHandler,
    private readonly identity: ChatIdentity,
    lines: Interface,
    private readonly output: MutableOutput,
    private readonly interactive: boolean,
  ) {
    this.pending = lines[Symbol.asyncIterator]();
  }

  async run(): Promise<void> {
    let input: TurnInput | undefined = { kind: 'start' };
    while (input) {
      const pending = await this.send(input);
      input = pending ?? (await this.readInput());
    }
  }

  /** Sends one turn and prints the replies; returns a form turn when a secret form was shown. */
  private async send(input: TurnInput): Promise<TurnInput | undefined> {
    const result = await this.engine.handle({
      id: randomUUID(),
      identity: this.identity,
      conversationKind: 'direct',
      input,
    });
    let form: TurnInput | undefined;
    for (const reply of result.replies) {
      this.print(reply);
      if (reply.kind === 'secret') form = await this.fillForm(reply);
    }
    return form;
  }

  private print(reply: Reply): void {
    const write = (line: string) => this.output.target.write(`${line}\n`);
    if (reply.kind === 'error') write(`bot> ${reply.text}`);
    if (reply.kind === 'text') write(`bot> ${reply.text}`);
    if (reply.kind === 'choices') {
      write(`bot> ${reply.text}`);
      for (const [index, choice] of reply.choices.entries())
        write(`     ${index + 1}) ${choice.label}`);
      this.prompt = { promptId: reply.promptId, choices: reply.choices };
    }
    if (reply.kind === 'secret') {
      write(`bot> ${reply.text}`);
      if (reply.error) write(`bot> ${reply.error}`);
    }
  }

  private async fillForm(
    reply: Extract<Reply, { kind: 'secret' }>,
  ): Promise<TurnInput | undefined> {
    const fields: Record<string, string> = {};
    for (const field of reply.fields) {
      const value = await this.readHidden(`${field.label}: `);
      if (value === undefined) return undefined;
      // `cancel`, `menu` and `help` work here too; none of them passes a password policy.
      if (classifyText(value) !== undefined) return { kind: 'text', text: value };
      fields[field.name] = value;
    }
    return { kind: 'form', formId: reply.formId, fields };
  }

  private async readInput(): Promise<TurnInput | undefined> {
    const line = await this.readLine('you> ');
    if (line === undefined) {
      // End of input (Ctrl-D): end the prompt line, so the shell's prompt starts clean.
      this.output.target.write('\n');
      return undefined;
    }
    if (line.trim().toLowerCase() === 'quit') return undefined;
    const number = Number.parseInt(line.trim(), 10);
    const choice = this.prompt?.choices[number - 1];
    if (this.prompt && choice && String(number) === line.trim()) {
      return { kind: 'choice', value: choice.value, promptId: this.prompt.promptId };
    }
    return { kind: 'text', text: line };
  }

  /**
   * Prints the prompt and takes the next line. Lines are read through the interface's
   * iterator, which buffers them, so piped input is not lost while a turn is running.
   */
  private async readLine(question: string): Promise<string | undefined> {
    this.output.target.write(question);
    const next = await this.pending.next();
    if (next.done) return undefined;
    // Piped input is shown as the user would have seen it typed, without control characters.
    if (!this.interactive) {
      const shown = this.output.muted ? '' : next.value.replace(/\p{Cc}/gu, '');
      this.output.target.write(`${shown}\n`);
    }
    return next.value;
  }

  /** Reads a line without echoing it. */
  private async readHidden(question: string): Promise<string | undefined> {
    this.output.muted = true;
    try {
      return await this.readLine(question);
    } finally {
      this.output.muted = false;
      this.output.target.write('\n');
    }
  }
}

/** Passes output through, except while `muted`, so that typed secrets are not echoed. */
class MutableOutput extends Writable {
  muted = false;

  constructor(readonly target: NodeJS.WritableStream) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    if (!this.muted) this.target.write(chunk);
    done();
  }
}
