/**
 * The authoritative check of signed Slack requests, run before Bolt's own verification. Bolt parses the
 * headers leniently (`Number(timestamp)`, the signature split on '='), so `0<ts>`, `<ts>.0` or
 * `v0=<hex>=x` pass Bolt with a different header text: a check that only acts on the canonical form can
 * be stepped around. This guard therefore refuses (401) everything but the canonical form:
 *  - the timestamp must be 1-10 digits and within five minutes of now, either way (Bolt refuses only
 *    old ones);
 *  - the signature must be `v0=` and 64 lower-case hex digits, and equal our own HMAC-SHA256 over
 *    `v0:{timestamp}:{raw body}` (timing-safe compare);
 *  - the HMAC must not have been seen before: it is remembered in a `OnceKeys` store (the bot's database,
 *    shared by replicas and kept across restarts) until well after the timestamp could still be accepted.
 * It reads the raw body once and hands it to Bolt as `req.rawBody`, which Bolt's verifier reads instead of
 * the (by then consumed) stream; Bolt then verifies the signature and the age again, as usual.
 * A signed request that is not a command or click the app handles (request-shape.ts) is answered 400.
 * When the replay check cannot be made (the store is unavailable), the request is refused explicitly
 * with the "database unavailable, reference …" answer (store-refusal.ts), and nothing runs.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Logger } from '@slack/bolt';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { malformedBecause } from './request-shape';
import { refuseForStoreFailure } from './store-refusal';

export const MAX_SKEW_SECONDS = 5 * 60;
/** How long a signature is remembered after its timestamp: past the window with margin for clock skew. */
export const REMEMBER_SECONDS = 2 * MAX_SKEW_SECONDS;
const MAX_BODY_BYTES = 2 * 1024 * 1024;
const MEMORY_CAPACITY = 50_000;
const TIMESTAMP = /^\d{1,10}$/;
const SIGNATURE = /^v0=([0-9a-f]{64})$/;

/** Where seen signatures are remembered: the Store port's `rememberOnce`, or `memoryOnceKeys()`. */
export interface OnceKeys {
  /** True the first time `key` is presented; false while it is remembered (until `expiresAt`). */
  rememberOnce(key: string, expiresAt: string, now: Date): Promise<boolean>;
}

/**
 * One process's memory: enough for tests and a single process, but a restart forgets it and another
 * replica never sees it; the bot passes its Store instead.
 */
export function memoryOnceKeys(capacity = MEMORY_CAPACITY): OnceKeys {
  // Keys with their expiry (ms), oldest first (a Map keeps insertion order).
  const seen = new Map<string, number>();
  return {
    async rememberOnce(key, expiresAt, now) {
      const nowMs = now.getTime();
      for (const [k, expires] of seen) {
        if (expires > nowMs && seen.size < capacity) break;
        seen.delete(k);
      }
      if (seen.has(key)) return false;
      seen.set(key, new Date(expiresAt).getTime());
      return true;
    },
  };
}

export interface RequestGuardOptions {
  signingSecret: string;
  logger: Logger;
  /** Where seen signatures are kept; default this process's memory (`memoryOnceKeys()`). */
  onceKeys?: OnceKeys;
  /** Clock in milliseconds; tests leave it alone. */
  now?: () => number;
  /** When given, signed requests that are not this command or a click on these buttons get 400. */
  expected?: { command: string; actionPattern: RegExp; events?: readonly string[] };
}

/**
 * The whole body, or undefined past MAX_BODY_BYTES. An oversized body is still read to its end (and
 * dropped) so the 413 reaches the client, as body-parser does; Node's request timeout bounds the wait.
 */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk as Buffer);
    else chunks.length = 0;
  }
  return size <= MAX_BODY_BYTES ? Buffer.concat(chunks) : undefined;
}

function hmacMatches(secret: string, timestamp: string, body: Buffer, hex: string): boolean {
  const expected = createHmac('sha256', secret).update(`v0:${timestamp}:`).update(body).digest();
  const given = Buffer.from(hex, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Express middleware for the Slack endpoint; mount it before Bolt's receiver on the same path. */
export function slackRequestGuard(options: RequestGuardOptions): RequestHandler {
  const now = options.now ?? Date.now;
  const onceKeys = options.onceKeys ?? memoryOnceKeys();
  const refuse = (res: Response, reason: string) => {
    options.logger.warn({ event: 'slack.request.refused', reason });
    res.status(401).send();
  };
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const body = await readBody(req);
      if (body === undefined) {
        res.status(413).json({ error: 'The request body is too large.' });
        return;
      }
      (req as Request & { rawBody?: Buffer }).rawBody = body;
      const timestamp = req.header('x-slack-request-timestamp');
      const signature = req.header('x-slack-signature');
      const nowMs = now();
      if (timestamp === undefined || !TIMESTAMP.test(timestamp)) {
        refuse(res, 'malformed timestamp');
        return;
      }
      const seconds = Number(timestamp);
      if (Math.abs(Math.floor(nowMs / 1000) - seconds) > MAX_SKEW_SECONDS) {
        refuse(res, 'timestamp outside the five-minute window');
        return;
      }
      const hex = signature === undefined ? undefined : SIGNATURE.exec(signature)?.[1];
      if (hex === undefined) {
        refuse(res, 'malformed signature');
        return;
      }
      if (!hmacMatches(options.signingSecret, timestamp, body, hex)) {
        refuse(res, 'signature mismatch');
        return;
      }
      let first: boolean;
      try {
        first = await onceKeys.rememberOnce(
          `slack:v0:${hex}`,
          new Date((seconds + REMEMBER_SECONDS) * 1000).toISOString(),
          new Date(nowMs),
        );
      } catch (error) {
        // Fail closed, but say so: "database unavailable, reference …" (store-refusal.ts).
        refuseForStoreFailure(error, { contentType: req.header('content-type'), body }, res, options.logger);
        return;
      }
      if (!first) {
        refuse(res, 'replayed request');
        return;
      }
      const malformed =
        options.expected && malformedBecause(req.header('content-type'), body, options.expected);
      if (malformed) {
        options.logger.warn({ event: 'slack.request.malformed', reason: malformed });
        res.status(400).json({ error: `Not a request cis-bot handles: ${malformed}.` });
        return;
      }
      next();
    } catch (error) {
      next(error);
    }
  };
}
