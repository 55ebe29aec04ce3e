/**
 * Exports a run's results to Security Hub through the SecurityHubPort, with the policy in one place:
 *   - every (account x control) result is one ASFF finding with its stable Id (./finding-id.ts), so a run
 *     updates the findings of the previous one (a fixed account turns PASSED, and Security Hub RESOLVED);
 *   - what Security Hub holds of them is read first, to keep CreatedAt and FirstObservedAt (./asff.ts);
 *   - findings go in calls of at most 100 (BatchImportFindings' limit), one call at a time (Security Hub
 *     allows 10 calls a second per account and region; the SDK client retries throttled calls itself);
 *   - findings refused with a transient code are sent again (up to 3 attempts, growing waits); refused
 *     for their content (InvalidInput...) they are reported, never retried;
 *   - a call that fails as a whole (access denied, hub not enabled) stops the export: the rest would fail
 *     the same way, so they are reported as not sent rather than tried.
 * The summary says how many were imported and which failed and why; callers turn failures into exit
 * code 2 (CLI) or a line in the digest (schedules).
 */
import { CisBotError } from '../errors';
import {
  type ExportFailure,
  type ExportSummary,
  type ImportFailure,
  type PriorFindings,
  SecurityHubError,
  type SecurityHubPort,
} from '../ports/security-hub';
import { type AsffFinding, asffFindings, type HubTarget } from './asff';
import { findingId } from './finding-id';
import type { ControlResult, ReportRun } from './results';

export type { ExportFailure, ExportSummary };

/** BatchImportFindings takes 1 to 100 findings a call. */
export const IMPORT_BATCH_LIMIT = 100;

/** FailedFindings error codes worth sending again: Security Hub's side, not the finding's content. */
export const RETRYABLE_IMPORT_CODES: ReadonlySet<string> = new Set([
  'InternalException',
  'InternalFailure',
  'InternalError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'LimitExceededException',
]);

export interface ExportOptions {
  /** Attempts per finding refused with a retryable code (default 3). */
  maxAttempts?: number;
  /** First wait before sending refused findings again, doubled each time (default 500 ms). */
  backoffMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function failureMessage(error: unknown): { code: string; message: string } {
  if (error instanceof SecurityHubError) return { code: error.awsCode, message: error.message };
  if (error instanceof CisBotError) return { code: error.code, message: error.message };
  return { code: 'Error', message: 'the call failed (details are in the log)' };
}

export async function exportToSecurityHub(
  port: SecurityHubPort,
  run: ReportRun,
  options: ExportOptions = {},
): Promise<ExportSummary> {
  const maxAttempts = options.maxAttempts ?? 3;
  const backoffMs = options.backoffMs ?? 500;
  const sleep = options.sleep ?? wait;
  const resultById = new Map<string, ControlResult>(
    run.results.map((r) => [findingId(r.control.id, r.finding.accountId), r]),
  );
  const failed = new Map<string, ExportFailure>();
  const attempts = new Map<string, number>();
  const fail = (id: string, code: string, message: string) => {
    const r = resultById.get(id);
    failed.set(id, {
      id,
      control: r?.control.id ?? '',
      accountId: r?.finding.accountId ?? '',
      code,
      message,
      attempts: attempts.get(id) ?? 0,
    });
  };
  const summary = (
    hub: HubTarget | undefined,
    reads: number,
    imports: number,
    resent: number,
    stopped?: string,
  ) => ({
    ...(hub ? { hub } : {}),
    findings: resultById.size,
    imported: resultById.size - failed.size,
    failed: [...failed.values()],
    calls: { getFindings: reads, batchImportFindings: imports },
    resent,
    ...(stopped !== undefined ? { stopped } : {}),
  });
  // Without the hub's identity or what it holds, nothing is sent: every finding is reported as not sent.
  let hub: HubTarget | undefined;
  let prior: PriorFindings;
  try {
    hub = await port.target();
    prior = await port.priorFindings(hub, [...resultById.keys()]);
  } catch (error) {
    const { code, message } = failureMessage(error);
    for (const id of resultById.keys()) fail(id, code, `not sent: ${message}`);
    return summary(hub, 0, 0, 0, message);
  }
  let imports = 0;
  let resent = 0;
  let stopped: string | undefined;
  let pending: AsffFinding[] = asffFindings(run, hub, prior.findings);
  for (let attempt = 1; pending.length > 0; attempt++) {
    if (attempt > 1) {
      resent += pending.length;
      await sleep(backoffMs * 2 ** (attempt - 2));
    }
    const again: AsffFinding[] = [];
    for (const batch of chunks(pending, IMPORT_BATCH_LIMIT)) {
      if (stopped !== undefined) {
        for (const f of batch) fail(f.Id, 'NotSent', `not sent: ${stopped}`);
        continue;
      }
      for (const f of batch) attempts.set(f.Id, (attempts.get(f.Id) ?? 0) + 1);
      imports += 1;
      let refused: ImportFailure[];
      try {
        refused = await port.importFindings(batch);
      } catch (error) {
        const { code, message } = failureMessage(error);
        stopped = message;
        for (const f of batch) fail(f.Id, code, message);
        continue;
      }
      const refusedIds = new Set(refused.map((r) => r.id));
      for (const f of batch) if (!refusedIds.has(f.Id)) failed.delete(f.Id);
      for (const r of refused) {
        fail(r.id, r.code, r.message);
        const finding = batch.find((f) => f.Id === r.id);
        if (finding && RETRYABLE_IMPORT_CODES.has(r.code) && attempt < maxAttempts) again.push(finding);
      }
    }
    pending = again;
  }
  return summary(hub, prior.calls, imports, resent, stopped);
}

/** One or two lines for a person: what was exported where, and what failed and why. */
export function exportSummaryText(summary: ExportSummary): string {
  const { hub, findings, imported, failed, calls } = summary;
  const where = hub ? ` (${hub.accountId}, ${hub.region})` : '';
  const head = `Security Hub${where}: ${imported} of ${findings} finding(s) imported in ${calls.batchImportFindings} BatchImportFindings call(s)`;
  if (failed.length === 0) return `${head}.`;
  const byCode = new Map<string, number>();
  for (const f of failed) byCode.set(f.code, (byCode.get(f.code) ?? 0) + 1);
  const codes = [...byCode].map(([code, n]) => `${code}: ${n}`).join(', ');
  const first = failed[0] as ExportFailure;
  return `${head}; ${failed.length} failed (${codes}). First: ${first.control} ${first.accountId}: ${first.message}`;
}
