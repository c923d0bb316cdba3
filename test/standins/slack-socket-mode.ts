import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * The WebSocket side of Slack's Socket Mode, for the Web API stand-in, in the message
 * format that @slack/socket-mode 3.1 handles. The server sends `{ type: 'hello' }` after
 * the handshake, then delivers envelopes
 * `{ envelope_id, type, payload, accepts_response_payload }`, and the app acknowledges
 * each with `{ envelope_id, payload? }`. Frames follow RFC 6455 (text, ping, pong and
 * close), and the server replies to every ping with a pong.
 */

/** The GUID RFC 6455 appends to Sec-WebSocket-Key for Sec-WebSocket-Accept. */
const HANDSHAKE_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OPCODE = { text: 0x1, close: 0x8, ping: 0x9, pong: 0xa } as const;
const SOCKET_PATH = '/socket-mode';

export type EnvelopeType = 'events_api' | 'interactive' | 'slash_commands';

export interface SocketModeHub {
  /** Connections currently open. */
  readonly open: () => number;
  /** Connections that ever completed the handshake. */
  readonly accepted: () => number;
  /** A WebSocket URL for apps.connections.open to return. */
  newUrl(): string;
  /**
   * Sends an envelope on the newest open connection and resolves with the app's
   * acknowledgement, or rejects after `timeoutMs`.
   */
  deliver(
    type: EnvelopeType,
    payload: object,
    timeoutMs?: number,
  ): Promise<{ payload?: unknown; elapsedMs: number }>;
  closeAll(): void;
}

interface Connection {
  readonly socket: Duplex;
  buffer: Buffer;
  closed: boolean;
}

/** Adds Socket Mode to `server`: WebSocket upgrades on SOCKET_PATH. */
export function attachSocketMode(server: Server, baseUrl: () => string): SocketModeHub {
  const connections: Connection[] = [];
  const pending = new Map<string, (payload: unknown) => void>();
  let accepted = 0;

  server.on('upgrade', (request: IncomingMessage, socket: Duplex) => {
    const path = new URL(request.url ?? '/', 'http://stand-in').pathname;
    const key = request.headers['sec-websocket-key'];
    if (path !== SOCKET_PATH || typeof key !== 'string') {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      return;
    }
    const acceptKey = createHash('sha1').update(`${key}${HANDSHAKE_GUID}`).digest('base64');
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${acceptKey}\r\n\r\n`,
    );
    const connection: Connection = { socket, buffer: Buffer.alloc(0), closed: false };
    connections.push(connection);
    accepted += 1;
    socket.on('data', (chunk: Buffer) => onData(connection, chunk));
    socket.on('close', () => {
      connection.closed = true;
    });
    socket.on('error', () => {
      connection.closed = true;
    });
    sendFrame(
      connection,
      OPCODE.text,
      Buffer.from(JSON.stringify({ type: 'hello', num_connections: 1 })),
    );
  });

  function onData(connection: Connection, chunk: Buffer): void {
    connection.buffer = Buffer.concat([connection.buffer, chunk]);
    for (;;) {
      const frame = readFrame(connection.buffer);
      if (!frame) return;
      connection.buffer = connection.buffer.subarray(frame.length);
      if (frame.opcode === OPCODE.ping) sendFrame(connection, OPCODE.pong, frame.payload);
      if (frame.opcode === OPCODE.close) {
        sendFrame(connection, OPCODE.close, frame.payload.subarray(0, 2));
        connection.closed = true;
        connection.socket.end();
        return;
      }
      if (frame.opcode === OPCODE.text) onAck(frame.payload.toString('utf8'));
    }
  }

  function onAck(text: string): void {
    try {
      const ack = JSON.parse(text) as { envelope_id?: string; payload?: unknown };
      if (ack.envelope_id) pending.get(ack.envelope_id)?.(ack.payload);
    } catch {
      // A frame that is not JSON carries no acknowledgement, so it is ignored.
    }
  }

  return {
    open: () => connections.filter((connection) => !connection.closed).length,
    accepted: () => accepted,
    newUrl: () => `${baseUrl().replace(/^http/, 'ws')}${SOCKET_PATH}?ticket=${randomUUID()}`,
    deliver(type, payload, timeoutMs = 5000) {
      const connection = connections.filter((candidate) => !candidate.closed).at(-1);
      if (!connection) return Promise.reject(new Error('no open Socket Mode connection'));
      const envelopeId = randomUUID();
      const started = Date.now();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(envelopeId);
          reject(new Error(`no acknowledgement of envelope ${envelopeId} within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(envelopeId, (ackPayload) => {
          clearTimeout(timer);
          pending.delete(envelopeId);
          resolve({ payload: ackPayload, elapsedMs: Date.now() - started });
        });
        const envelope = {
          envelope_id: envelopeId,
          type,
          payload,
          accepts_response_payload: type !== 'events_api',
          retry_attempt: 0,
          retry_reason: '',
        };
        sendFrame(connection, OPCODE.text, Buffer.from(JSON.stringify(envelope)));
      });
    },
    closeAll() {
      for (const connection of connections) {
        connection.closed = true;
        connection.socket.destroy();
      }
    },
  };
}

/** Parses one client frame (always masked, per RFC 6455 section 5.3), or undefined when incomplete. */
function readFrame(
  buffer: Buffer,
): { opcode: number; payload: Buffer; length: number } | undefined {
  if (buffer.length < 2) return undefined;
  const opcode = (buffer[0] ?? 0) & 0x0f;
  const masked = ((buffer[1] ?? 0) & 0x80) !== 0;
  let length = (buffer[1] ?? 0) & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (buffer.length < 4) return undefined;
    length = buffer.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (buffer.length < 10) return undefined;
    length = Number(buffer.readBigUInt64BE(2));
    offset = 10;
  }
  const maskLength = masked ? 4 : 0;
  if (buffer.length < offset + maskLength + length) return undefined;
  const mask = buffer.subarray(offset, offset + maskLength);
  const payload = Buffer.from(buffer.subarray(offset + maskLength, offset + maskLength + length));
  if (masked) {
    for (let index = 0; index < payload.length; index += 1) {
      payload[index] = (payload[index] ?? 0) ^ (mask[index % 4] ?? 0);
    }
  }
  return { opcode, payload, length: offset + maskLength + length };
}

/** Writes one unmasked server frame with FIN set. */
function sendFrame(connection: Connection, opcode: number, payload: Buffer): void {
  if (connection.closed) return;
  let header: Buffer;
  if (payload.length < 126) {
    header = Buffer.from([0x80 | opcode, payload.length]);
  } else if (payload.length < 65536) {
    header = Buffer.alloc(4);
    header[0] = 0x80 | opcode;
    header[1] = 126;
    header.writeUInt16BE(payload.length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = 0x80 | opcode;
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(payload.length), 2);
  }
  connection.socket.write(Buffer.concat([header, payload]));
}
