/**
 * POST /api/messages over botbuilder's CloudAdapter, with our own answers. `CloudAdapter.process` answers
 * an unusable token with its error text (401), lets jsonwebtoken's errors for a forged signature through
 * as a 500 with their text, and throws on a body that is not an activity (Express then renders the stack
 * outside production). Here the request is authenticated first (the Bot Framework authentication the
 * adapter was built with, as `process` does) and the turn run on the result, so:
 *  - a body that is not a JSON activity is a JSON 400 (415 when it is not JSON at all);
 *  - any token botbuilder does not accept (missing, malformed, forged, expired, for another bot or
 *    service URL) is a JSON 401 with no library text, logged with the reason;
 *  - anything else is passed on to the server's error handler (a JSON 500 with a log reference).
 */
import {
  type Activity,
  CloudAdapter,
  type ConfigurationBotFrameworkAuthentication,
  type TurnContext,
} from 'botbuilder';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../../src/core/ports/logger';

type Logic = (context: TurnContext) => Promise<void>;
type AuthenticateResult = Awaited<ReturnType<ConfigurationBotFrameworkAuthentication['authenticateRequest']>>;

/** The names of jsonwebtoken's errors: botbuilder passes them on unwrapped for a bad signature. */
const TOKEN_ERRORS = new Set(['JsonWebTokenError', 'TokenExpiredError', 'NotBeforeError']);

/**
 * botbuilder's AuthenticationError (its class is not exported by botbuilder itself) carries the HTTP
 * status it stands for, 401 or 403; jsonwebtoken's errors are known by name.
 */
function isTokenRefusal(error: unknown): boolean {
  const e = error as { statusCode?: unknown; name?: unknown } | null | undefined;
  return (
    e?.statusCode === 401 ||
    e?.statusCode === 403 ||
    (typeof e?.name === 'string' && TOKEN_ERRORS.has(e.name))
  );
}

/** A CloudAdapter that authenticates before it runs a turn, so the two can be answered apart. */
export class EndpointCloudAdapter extends CloudAdapter {
  /** Resolves with the invoke response (if any); rejects with TokenRefused for an unacceptable token. */
  async serve(authHeader: string, activity: Activity, logic: Logic) {
    let authenticated: AuthenticateResult;
    try {
      authenticated = await this.botFrameworkAuthentication.authenticateRequest(activity, authHeader);
    } catch (error) {
      if (isTokenRefusal(error)) throw new TokenRefused(error);
      throw error;
    }
    return this.processActivity(authenticated, activity, logic);
  }
}

/** The request's Bot Framework token was not accepted. `cause` is for the log only. */
export class TokenRefused extends Error {
  constructor(cause: unknown) {
    super('The Bot Framework token was not accepted.', { cause });
    this.name = 'TokenRefused';
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function json(res: Response, status: number, body: unknown): void {
  res.status(status).type('application/json').send(JSON.stringify(body));
}

/** Dates as botbuilder's own endpoint leaves them (`rawTimestamp` keeps what the channel sent). */
function fixTimestamps(activity: Record<string, unknown>): void {
  for (const [field, raw] of [
    ['timestamp', 'rawTimestamp'],
    ['localTimestamp', 'rawLocalTimestamp'],
    ['expiration', 'rawExpiration'],
  ] as const) {
    const value = activity[field];
    if (typeof value === 'string') {
      activity[raw] = value;
      activity[field] = new Date(value);
    }
  }
}

/** The Express handler for POST /api/messages (mount it after express.json() on that route). */
export function activityEndpoint(adapter: EndpointCloudAdapter, logic: Logic, log: Logger) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const body: unknown = req.body;
    if (!req.is('application/json')) {
      json(res, 415, { error: 'Send a Bot Framework activity as JSON (Content-Type: application/json).' });
      return;
    }
    if (!isRecord(body) || typeof body.type !== 'string' || body.type === '') {
      log.info('Refused a Teams request that is not an activity');
      json(res, 400, { error: 'The body is not a Bot Framework activity (a JSON object with a "type").' });
      return;
    }
    fixTimestamps(body);
    const header = req.headers.authorization ?? '';
    try {
      const invoke = await adapter.serve(header, body as unknown as Activity, logic);
      res.status(invoke?.status ?? 200);
      if (invoke?.body !== undefined) res.json(invoke.body);
      else res.end();
    } catch (error) {
      if (error instanceof TokenRefused) {
        const cause = error.cause as { name?: unknown; message?: unknown } | undefined;
        log.warn('Refused a Teams request: its Bot Framework token was not accepted', {
          reason: typeof cause?.message === 'string' ? cause.message : String(cause),
          error: typeof cause?.name === 'string' ? cause.name : undefined,
        });
        json(res, 401, { error: 'Unauthorized.' });
        return;
      }
      next(error);
    }
  };
}
