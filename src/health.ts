/**
 * The bot server's probes, JSON bodies of our own words only (no driver text, no stack traces):
 *  - GET /livez: the process is up and its event loop answers. Touches nothing else (no database), so a
 *    database outage never gets a healthy process restarted. Kubernetes livenessProbe.
 *  - GET /readyz: the process can serve requests now: the database answers a cheap check within the
 *    store's short bounds (Store#ping: SQLite takes and releases the write lock, PostgreSQL runs SELECT 1)
 *    and each configured chat platform is usable (Slack: auth.test named the workspace; Teams: its
 *    adapter is set up with app credentials or the development flag). 503 otherwise, with the failed
 *    check and, for the database, the reference of its log line. Kubernetes readinessProbe, the
 *    Dockerfile's HEALTHCHECK.
 *  - GET /healthz: kept for existing monitors, an alias of /readyz (it used to say ok while the database
 *    was unusable).
 * Probes that arrive while a database check is in flight share it, so a slow database is asked once.
 */
import { randomBytes } from 'node:crypto';
import type { Application, Request, Response } from 'express';
import type { Logger } from './core/ports/logger';
import { StoreError } from './core/ports/store';

export const LIVEZ_PATH = '/livez';
export const READYZ_PATH = '/readyz';
export const HEALTHZ_PATH = '/healthz';

export interface CheckResult {
  ok: boolean;
  /** Why not, in words safe to show anyone. */
  error?: string;
  /** The log line's reference, for a failure logged here. */
  ref?: string;
}

export interface ReadinessChecks {
  /** The store's cheap check (Store#ping). */
  database: () => Promise<void>;
  /** Each configured chat platform's check, by platform id. */
  platforms: Readonly<Record<string, () => CheckResult>>;
}

export interface Readiness {
  ok: boolean;
  checks: Record<string, CheckResult>;
}

/** Runs the readiness checks; concurrent callers share one database check. */
export function readinessProbe(checks: ReadinessChecks, log: Logger): () => Promise<Readiness> {
  let inFlight: Promise<CheckResult> | undefined;
  const database = (): Promise<CheckResult> => {
    inFlight ??= checks
      .database()
      .then(
        (): CheckResult => ({ ok: true }),
        (error: unknown): CheckResult => {
          const ref = randomBytes(4).toString('hex');
          const kind = error instanceof StoreError ? error.kind : 'failed';
          log.warn('readiness: the database check failed', {
            ref,
            kind,
            error: error instanceof Error ? error.message : String(error),
          });
          return {
            ok: false,
            error:
              kind === 'unavailable'
                ? `Database unavailable, reference ${ref}.`
                : `Database check failed, reference ${ref}.`,
            ref,
          };
        },
      )
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };
  return async () => {
    const result: Record<string, CheckResult> = { database: await database() };
    for (const [platform, check] of Object.entries(checks.platforms)) result[platform] = check();
    return { ok: Object.values(result).every((c) => c.ok), checks: result };
  };
}

/** Mounts /livez, /readyz and /healthz (GET and HEAD); their 405s come from installErrorAnswers. */
export function installHealthRoutes(app: Application, checks: ReadinessChecks, log: Logger): void {
  const ready = readinessProbe(checks, log);
  app.get(LIVEZ_PATH, (_req: Request, res: Response) => {
    res.json({ ok: true });
  });
  const readyz = (_req: Request, res: Response) => {
    ready().then(
      (readiness) => res.status(readiness.ok ? 200 : 503).json(readiness),
      // readinessProbe turns every failure into a check result; this is a last resort without detail.
      () => res.status(503).json({ ok: false }),
    );
  };
  app.get(READYZ_PATH, readyz);
  app.get(HEALTHZ_PATH, readyz);
}

/** The paths and methods of the probes, for installErrorAnswers' 405s. */
export const HEALTH_ROUTES: Readonly<Record<string, readonly string[]>> = {
  [LIVEZ_PATH]: ['GET', 'HEAD'],
  [READYZ_PATH]: ['GET', 'HEAD'],
  [HEALTHZ_PATH]: ['GET', 'HEAD'],
};
