/**
 * A loopback stand-in for the Bot Connector service (the `serviceUrl` Teams puts in every activity).
 * It records what the bot sends, as Teams would receive it:
 *   POST /v3/conversations/{id}/activities              sendToConversation (new message / new thread)
 *   POST /v3/conversations/{id}/activities/{replyToId}  replyToActivity (reply in a thread)
 *   PUT  /v3/conversations/{id}/activities/{activityId} updateActivity (replace a message)
 * and answers `{id}` like the real service. Anything else is recorded and answered 404.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ConnectorCall {
  kind: 'send' | 'reply' | 'update' | 'unknown';
  method: string;
  path: string;
  conversationId: string;
  /** replyToId for replies, the updated message id for updates. */
  activityId?: string;
  // biome-ignore lint/suspicious/noExplicitAny: recorded JSON, inspected freely by tests
  activity: any;
  authorization?: string;
  /** The id the fake answered with (sends and replies). */
  id: string;
}

export interface FakeBotConnector {
  /** Ends with '/', as Teams' service URLs do. */
  serviceUrl: string;
  calls: ConnectorCall[];
  /** Sends and replies (new messages), in order. */
  messages(): ConnectorCall[];
  updates(): ConnectorCall[];
  /** Resolves with the first call (past or future) matching `predicate`; rejects after `timeoutMs`. */
  waitFor(predicate: (call: ConnectorCall) => boolean, timeoutMs?: number): Promise<ConnectorCall>;
  reset(): void;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const ROUTE = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?\/?$/;

export async function startFakeBotConnector(): Promise<FakeBotConnector> {
  const calls: ConnectorCall[] = [];
  const waiters: Array<{ predicate: (c: ConnectorCall) => boolean; resolve: (c: ConnectorCall) => void }> =
    [];
  let counter = 0;

  const server: Server = createServer((req, res) => {
    void (async () => {
      const text = await readBody(req);
      const path = (req.url ?? '').split('?')[0] ?? '';
      const match = ROUTE.exec(path);
      const method = req.method ?? '';
      let kind: ConnectorCall['kind'] = 'unknown';
      if (match && method === 'POST') kind = match[2] ? 'reply' : 'send';
      if (match?.[2] && method === 'PUT') kind = 'update';
      const activityId = match?.[2] ? decodeURIComponent(match[2]) : undefined;
      counter += 1;
      const id = kind === 'update' ? (activityId ?? '') : `fake-activity-${counter}`;
      const call: ConnectorCall = {
        kind,
        method,
        path,
        conversationId: match?.[1] ? decodeURIComponent(match[1]) : '',
        ...(activityId !== undefined ? { activityId } : {}),
        activity: text ? JSON.parse(text) : undefined,
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
        id,
      };
      calls.push(call);
      for (const waiter of [...waiters]) {
        if (waiter.predicate(call)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(call);
        }
      }
      res.statusCode = kind === 'unknown' ? 404 : 200;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(kind === 'unknown' ? { error: { code: 'NotFound' } } : { id }));
    })();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    serviceUrl: `http://127.0.0.1:${port}/`,
    calls,
    messages: () => calls.filter((c) => c.kind === 'send' || c.kind === 'reply'),
    updates: () => calls.filter((c) => c.kind === 'update'),
    waitFor(predicate, timeoutMs = 10_000) {
      const seen = calls.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = { predicate, resolve };
        waiters.push(waiter);
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(
            new Error(
              `the fake Bot Connector saw no matching call; calls: ${JSON.stringify(calls.map((c) => c.path))}`,
            ),
          );
        }, timeoutMs);
        timer.unref();
      });
    },
    reset() {
      calls.length = 0;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
