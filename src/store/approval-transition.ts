/**
 * The compare-and-set of an approval transition as SQL clauses, shared by both stores: the SET clause
 * (new state, version + 1, updated_at and the patched columns) and the WHERE clause (the id, the expected
 * states and every guard). Each store runs them as ONE conditional UPDATE, so the check and the write are
 * atomic across connections, processes and replicas.
 */
import type { ApprovalPatch, ApprovalState, TransitionGuard } from '../core/ports/store';
import { iso, ms, toJson } from './rows';
import type { SqlParams } from './sql-params';

/** The patch's column values (state, version and updated_at included), in SET order. */
function assignments(to: ApprovalState, patch: ApprovalPatch, now: () => Date): Array<[string, unknown]> {
  const set: Array<[string, unknown]> = [
    ['state', to],
    ['updated_at', iso(patch.at ?? now(), 'at')],
  ];
  if (patch.decidedBy !== undefined) set.push(['decided_by', toJson(patch.decidedBy, 'decidedBy')]);
  if (patch.decidedAt !== undefined) set.push(['decided_at', iso(patch.decidedAt, 'decidedAt')]);
  if (patch.executionOwner !== undefined) set.push(['execution_owner', patch.executionOwner]);
  if (patch.executionLeaseUntil !== undefined) {
    const lease = patch.executionLeaseUntil;
    set.push(['lease_until_ms', lease === null ? null : ms(lease, 'executionLeaseUntil')]);
  }
  if (patch.executionStartedAt !== undefined) {
    set.push(['execution_started_at', iso(patch.executionStartedAt, 'executionStartedAt')]);
  }
  if (patch.finishedAt !== undefined) set.push(['finished_at', iso(patch.finishedAt, 'finishedAt')]);
  if (patch.result !== undefined) set.push(['result', toJson(patch.result, 'result')]);
  if (patch.error !== undefined) set.push(['error', patch.error]);
  if (patch.conversation !== undefined)
    set.push(['conversation', toJson(patch.conversation, 'conversation')]);
  return set;
}

/**
 * The SET and WHERE clauses of moving approval `id` from one of `from` to `to` (values added to `params`
 * in text order: SET before WHERE). Throws StoreError for a patch value that cannot be stored, before
 * anything is written.
 */
export function transitionClauses(
  id: string,
  from: readonly ApprovalState[],
  to: ApprovalState,
  patch: ApprovalPatch,
  guard: TransitionGuard,
  now: () => Date,
  params: SqlParams,
): { set: string; where: string } {
  const set = ['version = version + 1'];
  for (const [column, value] of assignments(to, patch, now)) {
    set.push(`${column} = ${params.add(value)}`);
  }
  const where = [`id = ${params.add(id)}`, params.in('state', from)];
  if (guard.executionOwner !== undefined) where.push(`execution_owner = ${params.add(guard.executionOwner)}`);
  if (guard.leaseLapsedAt !== undefined) {
    where.push(
      `(lease_until_ms IS NULL OR lease_until_ms <= ${params.add(ms(guard.leaseLapsedAt, 'leaseLapsedAt'))})`,
    );
  }
  if (guard.version !== undefined) where.push(`version = ${params.add(guard.version)}`);
  return { set: set.join(', '), where: where.join(' AND ') };
}
