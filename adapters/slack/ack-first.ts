/**
 * Slash commands are acknowledged by the adapter itself, before Bolt sees them (HTTP mode, one bot
 * token): once the request guard has verified the signature, the timestamp window and the replay check
 * (request-guard.ts), and checked that it is our `/cis` command, the answer Slack waits for is an empty
 * 200, which is all Bolt's `ack()` would send. Bolt's own work (parsing the body again, verifying the
 * signature a second time, authorize, its middleware chain, the listener) then runs in the work queue
 * after the burst of acks, through `App#processEvent` (Bolt's entry point for receivers) with an ack
 * that does nothing, and the listener runs the command at once (`ACKED_BEFORE_BOLT` in its context).
 *
 * Why: measured with bench/slack.ts (50 commands at once), Bolt's processing was about a third of the
 * CPU each ack took, and the acks of a burst are served one after the other on one event loop, so
 * it added up to the last ack's latency. Nothing is weakened: the guard's checks are stricter than
 * Bolt's (canonical headers, both directions of the window, replays), and clicks and events still go
 * through Bolt before their ack (a click's decision is committed before it). A command is read-only or
 * only asks for an approval, so a crash after this ack loses at most its reply.
 */
import { parse } from 'node:querystring';
import type { Logger, ReceiverEvent } from '@slack/bolt';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { FORM_CONTENT_TYPE } from './request-shape';
import type { WorkQueue } from './work-queue';

/** The context key a listener finds set when the adapter acknowledged the command itself. */
export const ACKED_BEFORE_BOLT = 'cisAckedBeforeBolt';

export interface AckFirstOptions {
  queue: WorkQueue;
  logger: Logger;
  /** Bolt's `App#processEvent`. */
  processEvent(event: ReceiverEvent): Promise<void>;
  /** Registers the work after the ack (the adapter's `idle()` waits for it). */
  track<T>(work: Promise<T>): Promise<T>;
}

/** Express middleware for the Slack endpoint, mounted after the request guard and before Bolt's receiver. */
export function ackCommandsFirst(options: AckFirstOptions): RequestHandler {
  const { queue, logger } = options;
  return (req: Request, res: Response, next: NextFunction) => {
    const raw = (req as Request & { rawBody?: Buffer }).rawBody;
    // The guard has checked the shape: a form without `payload` that has `command` is our slash command.
    if (raw === undefined || req.header('content-type') !== FORM_CONTENT_TYPE) {
      next();
      return;
    }
    const body = parse(raw.toString('utf8')) as Record<string, string>;
    if (typeof body.command !== 'string' || body.payload !== undefined) {
      next();
      return;
    }
    res.writeHead(200);
    res.end();
    logger.info({ event: 'slack.command.acked', user: body.user_id, channel: body.channel_id });
    const event: ReceiverEvent = {
      body,
      ack: async () => {},
      customProperties: { [ACKED_BEFORE_BOLT]: true },
    };
    void options.track(
      queue
        .run(() => options.processEvent(event))
        .catch((error: unknown) => {
          logger.error({ event: 'slack.command.not_processed', user: body.user_id, error });
        }),
    );
  };
}
