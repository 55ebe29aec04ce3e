/**
 * Checks Bolt does not make on signed Slack requests, run before Bolt's own verification:
 *  - a timestamp more than five minutes in the FUTURE is refused (Bolt only refuses old ones);
 *  - a correctly signed request seen before (same signature) is refused as a replay.
 * It reads the raw body once and hands it to Bolt as `req.rawBody`, which Bolt's verifier reads instead of
 * the (by then consumed) stream; Bolt then verifies the signature and the age itself.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Logger } from '@slack/bolt';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

export const MAX_SKEW_SECONDS = 5 * 60;
const MAX_BODY_BYTES = 2 * 1024 * 1024;
const SEEN_CAPACITY = 50_000;

export interface RequestGuardOptions {
  signingSecret: string;
  logger: Logger;
  /** Clock in milliseconds; tests leave it alone. */
  now?: () => number;
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function signatureMatches(secret: string, timestamp: string, body: Buffer, signature: string): boolean {
  const expected = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(body).digest('hex')}`;
  const a = Buffer.from(expected);
  const b = Buffer.from(signature);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Express middleware for the Slack endpoint; mount it before Bolt's receiver on the same path. */
export function slackRequestGuard(options: RequestGuardOptions): RequestHandler {
  const now = options.now ?? Date.now;
  // Signatures of accepted requests, oldest first (a Map keeps insertion order), until they are too old
  // for Bolt to accept anyway.
  const seen = new Map<string, number>();
  const forget = (nowMs: number) => {
    for (const [signature, expires] of seen) {
      if (expires > nowMs && seen.size <= SEEN_CAPACITY) break;
      seen.delete(signature);
    }
  };
  const refuse = (res: Response, reason: string) => {
    options.logger.warn({ event: 'slack.request.refused', reason });
    res.status(401).send();
  };
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const body = await readBody(req);
      if (body === undefined) {
        res.status(413).send();
        return;
      }
      (req as Request & { rawBody?: Buffer }).rawBody = body;
      const timestamp = req.header('x-slack-request-timestamp');
      const signature = req.header('x-slack-signature');
      const nowMs = now();
      if (timestamp !== undefined && /^\d+$/.test(timestamp)) {
        if (Number(timestamp) > Math.floor(nowMs / 1000) + MAX_SKEW_SECONDS) {
          refuse(res, 'timestamp in the future');
          return;
        }
        if (signature !== undefined && signatureMatches(options.signingSecret, timestamp, body, signature)) {
          forget(nowMs);
          if (seen.has(signature)) {
            refuse(res, 'replayed request');
            return;
          }
          // Bolt refuses anything older than five minutes, so remembering for ten is enough.
          seen.set(signature, Number(timestamp) * 1000 + 2 * MAX_SKEW_SECONDS * 1000);
        }
      }
      next();
    } catch (error) {
      next(error);
    }
  };
}
