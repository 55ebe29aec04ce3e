/**
 * A loopback fake of Slack's side of Socket Mode, as Slack documents it: `apps.connections.open`
 * (served through the fake Web API, app-level token only) answers a one-time `ws://` URL; the
 * WebSocket server greets each connection with `hello`, sends envelopes (`slash_commands`,
 * `interactive`, `events_api`) with an `envelope_id`, and records the acks (`{envelope_id, payload}`).
 * It can ask the client to reconnect (`disconnect` message, as Slack does before recycling a
 * connection) or drop the connection outright; envelopes not acknowledged by then are delivered again
 * on the next connection (events with `retry_attempt` + 1), as Slack does.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import type { MethodHandler } from './fake-slack-api';

export const FAKE_APP_TOKEN = 'xapp-1-A0CISBOT01-0000000000-fake-app-token';

export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

export interface SentEnvelope {
  envelopeId: string;
  type: EnvelopeType;
  payload: Record<string, unknown>;
  /** Connection numbers (1-based) it was sent on, in order. */
  sentOn: number[];
  /** When it was last sent (ms, performance.now()). */
  sentAt: number;
  /** The ack's payload, when one came. */
  ack?: Record<string, unknown>;
  /** performance.now() when the ack came; the ack latency is ackedAt - sentAt. */
  ackedAt?: number;
  retryAttempt: number;
  /** The next ack is lost with its connection. */
  loseAck: boolean;
  /** Acks lost that way. */
  lostAcks: number;
}

interface Waiter {
  done: () => boolean;
  resolve: () => void;
}

export class FakeSlackSocket {
  readonly envelopes = new Map<string, SentEnvelope>();
  /** Every connection opened, in order (1-based numbers). */
  connections = 0;
  /** apps.connections.open calls. */
  opens = 0;
  /** performance.now() of each `hello` sent, in order. */
  readonly hellos: number[] = [];
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private current: { socket: WebSocket; number: number } | undefined;
  private readonly tickets = new Set<string>();
  private waiters: Waiter[] = [];

  private constructor(server: Server, wss: WebSocketServer) {
    this.server = server;
    this.wss = wss;
  }

  static async start(): Promise<FakeSlackSocket> {
    const server = createServer((_req, res) => res.writeHead(404).end());
    const wss = new WebSocketServer({ noServer: true });
    const fake = new FakeSlackSocket(server, wss);
    server.on('upgrade', (req, socket, head) => {
      const ticket = new URL(req.url ?? '/', 'ws://x').searchParams.get('ticket') ?? '';
      // One-time URLs, as Slack's: a ticket works once.
      if (!fake.tickets.delete(ticket)) {
        socket.destroy();
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => fake.accept(ws));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  /** The fake Web API's `apps.connections.open` (pass in FakeSlackOptions.methods). */
  get methods(): Record<string, MethodHandler> {
    return {
      'apps.connections.open': (_args, token) => {
        if (token !== FAKE_APP_TOKEN) return { ok: false, error: 'invalid_auth' };
        this.opens += 1;
        const ticket = randomUUID();
        this.tickets.add(ticket);
        const { port } = this.server.address() as AddressInfo;
        return { ok: true, url: `ws://127.0.0.1:${port}/link/?ticket=${ticket}` };
      },
    };
  }

  /** Whether a connection is open and greeted. */
  get connected(): boolean {
    return this.current !== undefined;
  }

  /**
   * Sends an envelope on the current connection (or the next one, when there is none); its ack fills in
   * later. `loseAck`: the connection breaks just as the ack comes back, so Slack never receives it
   * (the client has handled the envelope; Slack delivers it again on the next connection).
   */
  send(
    type: EnvelopeType,
    payload: Record<string, unknown>,
    options: { loseAck?: boolean } = {},
  ): SentEnvelope {
    const envelope: SentEnvelope = {
      loseAck: options.loseAck === true,
      envelopeId: randomUUID(),
      type,
      payload,
      sentOn: [],
      sentAt: 0,
      retryAttempt: 0,
      lostAcks: 0,
    };
    this.envelopes.set(envelope.envelopeId, envelope);
    this.transmit(envelope);
    return envelope;
  }

  /** Slack's request to reconnect (`refresh_requested`); the client closes and opens a new connection. */
  requestReconnect(reason = 'refresh_requested'): void {
    const current = this.current;
    if (!current) throw new Error('no connection');
    this.current = undefined;
    current.socket.send(
      JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'fake-slack-socket' } }),
    );
  }

  /** Resolves once `done()` holds (re-checked after every connection, ack and message). */
  until(done: () => boolean): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ done, resolve }));
  }

  waitForConnection(number: number): Promise<void> {
    return this.until(() => this.connections >= number && this.current?.number === number);
  }

  waitForAck(envelope: SentEnvelope): Promise<void> {
    return this.until(() => envelope.ack !== undefined);
  }

  unacked(): SentEnvelope[] {
    return [...this.envelopes.values()].filter((e) => e.ack === undefined);
  }

  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private wake(): void {
    const ready = this.waiters.filter((w) => w.done());
    this.waiters = this.waiters.filter((w) => !w.done());
    for (const w of ready) w.resolve();
  }

  private transmit(envelope: SentEnvelope): void {
    const current = this.current;
    if (!current) return; // delivered on the next connection
    envelope.sentOn.push(current.number);
    envelope.sentAt = performance.now();
    current.socket.send(
      JSON.stringify({
        envelope_id: envelope.envelopeId,
        type: envelope.type,
        payload: envelope.payload,
        accepts_response_payload: envelope.type !== 'events_api',
        ...(envelope.type === 'events_api'
          ? {
              retry_attempt: envelope.retryAttempt,
              retry_reason: envelope.retryAttempt > 0 ? 'timeout' : '',
            }
          : {}),
      }),
    );
  }

  private accept(socket: WebSocket): void {
    this.connections += 1;
    const number = this.connections;
    socket.on('message', (data) => {
      let message: { envelope_id?: string; payload?: Record<string, unknown> };
      try {
        message = JSON.parse(String(data)) as typeof message;
      } catch {
        return;
      }
      const envelope = message.envelope_id ? this.envelopes.get(message.envelope_id) : undefined;
      if (envelope?.loseAck && this.current?.number === number) {
        envelope.loseAck = false;
        envelope.lostAcks += 1;
        this.current = undefined;
        socket.terminate();
        this.wake();
        return;
      }
      // An ack on a connection Slack has already let go of does not count (it never arrives).
      if (envelope && envelope.ack === undefined && this.current?.number === number) {
        envelope.ack = message.payload ?? {};
        envelope.ackedAt = performance.now();
      }
      this.wake();
    });
    socket.on('close', () => {
      if (this.current?.number === number) this.current = undefined;
      this.wake();
    });
    this.current = { socket, number };
    this.hellos.push(performance.now());
    socket.send(
      JSON.stringify({
        type: 'hello',
        num_connections: 1,
        debug_info: { host: 'fake-slack-socket', approximate_connection_time: 18060 },
        connection_info: { app_id: 'A0CISBOT01' },
      }),
    );
    // Whatever was not acknowledged on earlier connections is delivered again.
    for (const envelope of this.envelopes.values()) {
      if (envelope.ack !== undefined) continue;
      if (envelope.sentOn.length > 0) envelope.retryAttempt += 1;
      this.transmit(envelope);
    }
    this.wake();
  }
}
