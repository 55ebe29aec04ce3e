/**
 * The bot server's answers for everything its routes do not answer themselves: a wrong method on a known
 * path (405), an unknown path (404), and any error a route or middleware passes on (body-parser's
 * malformed JSON, a body too large, a throw in a handler). Every such answer is a short JSON body of our
 * own words, whatever NODE_ENV is: Express's default handler would send an HTML page with the stack
 * trace and absolute paths outside production, and library messages can name internals. A server error
 * gets a reference id; the detail (message, stack) goes to the log under that id only. A StoreError of
 * kind 'unavailable' (the database cannot be used now) is a 503 "Database unavailable, reference …" with
 * Retry-After: the request was refused, and may be sent again.
 */
import { randomBytes } from 'node:crypto';
import type { Application, NextFunction, Request, Response } from 'express';
import type { Logger } from './core/ports/logger';
import { StoreError } from './core/ports/store';

/** The JSON body of every error answer: a short reason, and for server errors the log reference. */
export interface ErrorBody {
  error: string;
  ref?: string;
}

/** Short reasons for the client errors body-parser (express.json) reports, by its `type`. */
const BODY_ERRORS: Readonly<Record<string, string>> = {
  'entity.parse.failed': 'The request body is not valid JSON.',
  'entity.too.large': 'The request body is too large.',
  'entity.verify.failed': 'The request body was refused.',
  'encoding.unsupported': 'The request body has an unsupported content encoding.',
  'charset.unsupported': 'The request body has an unsupported charset.',
  'request.aborted': 'The request was aborted.',
  'request.size.invalid': 'The request body does not match its Content-Length.',
  'stream.encoding.set': 'The request body could not be read.',
  'stream.not.readable': 'The request body could not be read.',
  'parameters.too.many': 'The request has too many parameters.',
};

function clientStatus(error: unknown): number | undefined {
  const e = error as { status?: unknown; statusCode?: unknown; expose?: unknown } | null | undefined;
  const status = typeof e?.status === 'number' ? e.status : e?.statusCode;
  // `expose` is how http-errors (body-parser, Express) mark an error safe to answer with its status.
  return typeof status === 'number' && status >= 400 && status < 500 && e?.expose === true
    ? status
    : undefined;
}

export function sendError(res: Response, status: number, body: ErrorBody): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.status(status).type('application/json').send(JSON.stringify(body));
}

/**
 * Installs the 405s for the known paths, the 404 for every other one and the error handler. Call it
 * after every route is mounted. `allowed` maps a path to the methods it serves.
 */
export function installErrorAnswers(
  app: Application,
  allowed: Readonly<Record<string, readonly string[]>>,
  log: Logger,
): void {
  for (const [path, methods] of Object.entries(allowed)) {
    app.all(path, (_req: Request, res: Response) => {
      res.setHeader('Allow', methods.join(', '));
      sendError(res, 405, { error: `Method not allowed: use ${methods.join(' or ')}.` });
    });
  }
  app.use((_req: Request, res: Response) => {
    sendError(res, 404, { error: 'Not found.' });
  });
  // Express recognises an error handler by its four parameters.
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const status = clientStatus(error);
    if (status !== undefined) {
      const type = (error as { type?: unknown }).type;
      const reason = (typeof type === 'string' ? BODY_ERRORS[type] : undefined) ?? 'Bad request.';
      log.info('refused a malformed request', { method: req.method, path: req.path, status, reason });
      sendError(res, status, { error: reason });
      return;
    }
    const ref = randomBytes(6).toString('hex');
    // The database cannot be used now: the request was refused, not half done; say so, and when to retry.
    if (StoreError.isUnavailable(error)) {
      log.error('request refused: database unavailable', {
        ref,
        method: req.method,
        path: req.path,
        error: error.message,
      });
      res.setHeader('Retry-After', '30');
      sendError(res, 503, { error: StoreError.unavailableText(ref), ref });
      return;
    }
    log.error('request failed', {
      ref,
      method: req.method,
      path: req.path,
      error: error instanceof Error ? error.message : String(error),
      stack: error instanceof Error ? error.stack : undefined,
    });
    sendError(res, 500, { error: `Internal error (ref ${ref}): the details are in cis-bot's log.`, ref });
  });
}
