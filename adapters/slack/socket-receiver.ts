/**
 * Socket Mode for Bolt, delivered once. A Bolt `Receiver` over the real `SocketModeClient`
 * (@slack/socket-mode: apps.connections.open, the WebSocket, `hello`, `disconnect` and reconnection)
 * that differs from Bolt's own SocketModeReceiver in four ways:
 *  - the client's Web API options (SLACK_API_URL) apply to apps.connections.open too;
 *  - a closed connection is replaced at once (then with backoff while attempts fail), not after the
 *    client's ping timeout;
 *  - each envelope is handled at most once: Slack redelivers an envelope whose ack it did not receive
 *    (the connection dropped between our handling and our ack), so every delivery's identity (the
 *    event's `event_id`, an interaction's or command's `trigger_id`, else the `envelope_id`) is
 *    remembered in the bot's once-keys (the store: shared by replicas, kept across restarts) before it
 *    is handled; a copy seen again is acknowledged and dropped;
 *  - an ack that cannot be sent (the socket closed meanwhile) does not stop the work: the work was
 *    accepted when its identity was remembered, and Slack's redelivery will be acknowledged and dropped.
 * When the once-keys cannot be written, the envelope is neither handled nor acknowledged, so Slack
 * delivers it again (fail closed, as the HTTP replay check).
 */
import type { App, Logger, Receiver } from '@slack/bolt';
import { SocketModeClient } from '@slack/socket-mode';
import type { WebClientOptions } from '@slack/web-api';
import type { OnceKeys } from './request-guard';

/** How long a delivery's identity is remembered: well past Slack's redelivery attempts. */
export const DELIVERY_REMEMBER_MS = 60 * 60 * 1000;

export interface SocketReceiverOptions {
  /** App-level token (xapp-…, connections:write). */
  appToken: string;
  logger: Logger;
  /** Where apps.connections.open goes (slackClientOptions without the bounded retries). */
  clientOptions: WebClientOptions;
  /** The bot's store (rememberOnce) or memoryOnceKeys(). */
  onceKeys: OnceKeys;
  /** Waits between failed reconnection attempts: doubling from the first to the last. */
  reconnectBackoffMs?: { first: number; max: number };
  /** Clock in milliseconds (the identities' expiry); tests leave it alone. */
  now?: () => number;
}

/** What the client emits for each envelope (the fields used here). */
interface SocketEnvelope {
  ack: (response?: Record<string, unknown>) => Promise<void>;
  envelope_id: string;
  type: string;
  body: Record<string, unknown> | undefined;
  retry_num?: number;
  retry_reason?: string;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The identity a redelivered copy of this envelope shares with the original. */
export function deliveryIdentity(
  type: string,
  body: Record<string, unknown> | undefined,
  envelopeId: string,
) {
  const own = type === 'events_api' ? text(body?.event_id) : text(body?.trigger_id);
  return own !== undefined ? `slack:socket:${type}:${own}` : `slack:socket:envelope:${envelopeId}`;
}

export class SocketDeliveryReceiver implements Receiver {
  readonly client: SocketModeClient;
  private app: App | undefined;
  private readonly options: SocketReceiverOptions;

  constructor(options: SocketReceiverOptions) {
    this.options = options;
    this.client = new SocketModeClient({
      appToken: options.appToken,
      logger: options.logger,
      clientOptions: { ...options.clientOptions },
      // Reconnection is ours (below): the client's waits its ping timeout (5 s) times the failures
      // before even asking for a new URL, and a shorter ping timeout drops healthy connections under load.
      autoReconnectEnabled: false,
    });
    this.client.on('slack_event', (envelope: SocketEnvelope) => {
      void this.deliver(envelope);
    });
    this.client.on('disconnected', () => {
      if (this.running && !this.connecting) this.reconnect(0);
    });
  }

  private running = false;
  private connecting = false;
  private retryTimer: NodeJS.Timeout | undefined;
  /** How long each reconnection took, from the attempt to Slack's `hello` (ms; measurements). */
  readonly reconnections: number[] = [];

  init(app: App): void {
    this.app = app;
  }

  async start(): Promise<unknown> {
    this.running = true;
    this.connecting = true;
    try {
      return await this.client.start();
    } finally {
      this.connecting = false;
    }
  }

  async stop(): Promise<unknown> {
    this.running = false;
    clearTimeout(this.retryTimer);
    return this.client.disconnect();
  }

  /**
   * A closed connection (Slack's `disconnect` message, a dropped socket, a missed pong): a new one at
   * once; after failed attempts, with doubling waits, for as long as the receiver runs.
   */
  private reconnect(failures: number): void {
    const { first, max } = this.options.reconnectBackoffMs ?? { first: 250, max: 30_000 };
    const wait = failures === 0 ? 0 : Math.min(max, first * 2 ** (failures - 1));
    this.options.logger.info({ event: 'slack.socket.reconnecting', failures, waitMs: wait });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (!this.running) return;
      const started = Date.now();
      this.connecting = true;
      this.client
        .start()
        .then(() => {
          this.connecting = false;
          this.reconnections.push(Date.now() - started);
          this.options.logger.info({ event: 'slack.socket.reconnected', tookMs: Date.now() - started });
        })
        .catch((error: unknown) => {
          this.connecting = false;
          this.options.logger.warn({ event: 'slack.socket.reconnect_failed', failures: failures + 1, error });
          if (this.running) this.reconnect(failures + 1);
        });
    }, wait);
  }

  private async deliver(envelope: SocketEnvelope): Promise<void> {
    const { logger, onceKeys } = this.options;
    const now = this.options.now ?? Date.now;
    const key = deliveryIdentity(envelope.type, envelope.body, envelope.envelope_id);
    let acked = false;
    const ack = async (response?: Record<string, unknown>) => {
      if (acked) return;
      acked = true;
      try {
        await envelope.ack(response);
      } catch (error) {
        // The connection went away after the envelope arrived: Slack delivers it again, and the copy
        // is acknowledged without being handled twice.
        logger.warn({ event: 'slack.socket.ack_not_sent', type: envelope.type, error });
      }
    };
    let first: boolean;
    try {
      const at = now();
      first = await onceKeys.rememberOnce(
        key,
        new Date(at + DELIVERY_REMEMBER_MS).toISOString(),
        new Date(at),
      );
    } catch (error) {
      logger.error({ event: 'slack.socket.delivery_check_failed', type: envelope.type, error });
      return;
    }
    if (!first) {
      logger.info({
        event: 'slack.socket.redelivery_dropped',
        type: envelope.type,
        retry: envelope.retry_num ?? null,
      });
      await ack();
      return;
    }
    if (this.app === undefined || envelope.body === undefined) {
      await ack();
      return;
    }
    try {
      await this.app.processEvent({
        body: envelope.body,
        ack,
        ...(envelope.retry_num !== undefined ? { retryNum: envelope.retry_num } : {}),
        ...(envelope.retry_reason !== undefined ? { retryReason: envelope.retry_reason } : {}),
      });
    } catch (error) {
      logger.error({ event: 'slack.socket.unhandled', type: envelope.type, error });
    } finally {
      // Whatever happened, Slack must not deliver it again: it was accepted once.
      await ack();
    }
  }
}
