/**
 * The SQLite approval store (table approvals): creation after the plan is saved, and compare-and-set
 * transitions as single conditional UPDATEs, each with its audit-log line in the same IMMEDIATE
 * transaction. Execution leases are kept as epoch milliseconds (lease_until_ms) so "lapsed" is a numeric
 * comparison.
 */
import type {
  ActorRef,
  Approval,
  ApprovalPatch,
  ApprovalQuery,
  ApprovalState,
  ApprovalStore,
  AuditLogInput,
  ConversationPointer,
  NewApproval,
  TransitionGuard,
} from '../../core/ports/store';
import { StoreError } from '../../core/ports/store';
import { insertAuditLog } from './audit-log';
import { placeholders, type SqliteConnection } from './connection';
import { fromJson, iso, ms, toJson } from './rows';

interface ApprovalRow {
  id: string;
  kind: string;
  plan_hash: string;
  control: string;
  account_id: string;
  state: string;
  requested_by: string;
  conversation: string | null;
  created_at: string;
  expires_at: string;
  updated_at: string;
  version: number;
  decided_by: string | null;
  decided_at: string | null;
  execution_owner: string | null;
  lease_until_ms: number | null;
  execution_started_at: string | null;
  finished_at: string | null;
  result: string | null;
  error: string | null;
}

function approvalFromRow(row: ApprovalRow): Approval {
  const approval: Approval = {
    id: row.id,
    kind: row.kind,
    planHash: row.plan_hash,
    control: row.control,
    accountId: row.account_id,
    state: row.state as ApprovalState,
    requestedBy: fromJson(row.requested_by) as ActorRef,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    updatedAt: row.updated_at,
    version: row.version,
  };
  if (row.conversation !== null) approval.conversation = fromJson(row.conversation) as ConversationPointer;
  if (row.decided_by !== null) approval.decidedBy = fromJson(row.decided_by) as ActorRef;
  if (row.decided_at !== null) approval.decidedAt = row.decided_at;
  if (row.execution_owner !== null) approval.executionOwner = row.execution_owner;
  if (row.lease_until_ms !== null) approval.executionLeaseUntil = new Date(row.lease_until_ms).toISOString();
  if (row.execution_started_at !== null) approval.executionStartedAt = row.execution_started_at;
  if (row.finished_at !== null) approval.finishedAt = row.finished_at;
  if (row.result !== null) approval.result = fromJson(row.result);
  if (row.error !== null) approval.error = row.error;
  return approval;
}

/** The SET clause and its values for a transition's patch (state, version and updated_at included). */
function patchColumns(to: ApprovalState, patch: ApprovalPatch, now: () => Date): [string[], unknown[]] {
  const sets = ['state = ?', 'version = version + 1', 'updated_at = ?'];
  const values: unknown[] = [to, iso(patch.at ?? now(), 'at')];
  const set = (column: string, value: unknown) => {
    sets.push(`${column} = ?`);
    values.push(value);
  };
  if (patch.decidedBy !== undefined) set('decided_by', toJson(patch.decidedBy, 'decidedBy'));
  if (patch.decidedAt !== undefined) set('decided_at', iso(patch.decidedAt, 'decidedAt'));
  if (patch.executionOwner !== undefined) set('execution_owner', patch.executionOwner);
  if (patch.executionLeaseUntil !== undefined) {
    set(
      'lease_until_ms',
      patch.executionLeaseUntil === null ? null : ms(patch.executionLeaseUntil, 'executionLeaseUntil'),
    );
  }
  if (patch.executionStartedAt !== undefined) {
    set('execution_started_at', iso(patch.executionStartedAt, 'executionStartedAt'));
  }
  if (patch.finishedAt !== undefined) set('finished_at', iso(patch.finishedAt, 'finishedAt'));
  if (patch.result !== undefined) set('result', toJson(patch.result, 'result'));
  if (patch.error !== undefined) set('error', patch.error);
  if (patch.conversation !== undefined) set('conversation', toJson(patch.conversation, 'conversation'));
  return [sets, values];
}

export class SqliteApprovalStore implements ApprovalStore {
  constructor(private readonly c: SqliteConnection) {}

  createApproval(input: NewApproval, log?: AuditLogInput): Promise<Approval> {
    return this.c.attempt(`create approval ${input.id}`, () =>
      this.c.immediate(() => this.insertApproval(input, log)),
    );
  }

  private insertApproval(input: NewApproval, log: AuditLogInput | undefined): Approval {
    const plan = this.c.stmt('SELECT 1 FROM plans WHERE hash = ?').get(input.planHash);
    if (!plan)
      throw new StoreError(`plan ${input.planHash} is not stored: save the plan before asking for approval`);
    const createdAt = iso(input.createdAt, 'createdAt');
    const row = this.c
      .stmt(
        `INSERT INTO approvals (id, kind, plan_hash, control, account_id, state, requested_by, conversation,
                                created_at, expires_at, updated_at)
         VALUES (?, ?, ?, ?, ?, 'requested', ?, ?, ?, ?, ?) RETURNING *`,
      )
      .get(
        input.id,
        input.kind,
        input.planHash,
        input.control,
        input.accountId,
        toJson(input.requestedBy, 'requestedBy'),
        input.conversation ? toJson(input.conversation, 'conversation') : null,
        createdAt,
        iso(input.expiresAt, 'expiresAt'),
        createdAt,
      ) as ApprovalRow;
    if (log) insertAuditLog(this.c, { ...log, approvalId: log.approvalId ?? input.id });
    return approvalFromRow(row);
  }

  getApproval(id: string): Promise<Approval | undefined> {
    return this.c.attempt(`read approval ${id}`, () => {
      const row = this.c.stmt('SELECT * FROM approvals WHERE id = ?').get(id) as ApprovalRow | undefined;
      return row ? approvalFromRow(row) : undefined;
    });
  }

  transitionApproval(
    id: string,
    from: ApprovalState | readonly ApprovalState[],
    to: ApprovalState,
    patch: ApprovalPatch = {},
    guard: TransitionGuard = {},
    log?: AuditLogInput,
  ): Promise<Approval | undefined> {
    return this.c.attempt(`move approval ${id} to ${to}`, () => {
      const fromStates: readonly ApprovalState[] = typeof from === 'string' ? [from] : from;
      if (fromStates.length === 0) return undefined;
      const [sets, values] = patchColumns(to, patch, this.c.now);
      const where = ['id = ?', `state IN (${placeholders(fromStates.length)})`];
      values.push(id, ...fromStates);
      if (guard.executionOwner !== undefined) {
        where.push('execution_owner = ?');
        values.push(guard.executionOwner);
      }
      if (guard.leaseLapsedAt !== undefined) {
        where.push('(lease_until_ms IS NULL OR lease_until_ms <= ?)');
        values.push(ms(guard.leaseLapsedAt, 'leaseLapsedAt'));
      }
      if (guard.version !== undefined) {
        where.push('version = ?');
        values.push(guard.version);
      }
      // One statement: the state check and the write are atomic, across connections and processes.
      const update = this.c.stmt(
        `UPDATE approvals SET ${sets.join(', ')} WHERE ${where.join(' AND ')} RETURNING *`,
      );
      return this.c.immediate(() => {
        const row = update.get(...values) as ApprovalRow | undefined;
        if (!row) return undefined;
        if (log) insertAuditLog(this.c, { ...log, approvalId: log.approvalId ?? id });
        return approvalFromRow(row);
      });
    });
  }

  listApprovals(query: ApprovalQuery = {}): Promise<Approval[]> {
    return this.c.attempt('list approvals', () => {
      const states = query.states;
      const where = states ? `WHERE state IN (${placeholders(states.length)})` : '';
      const rows = this.c.db
        .prepare(`SELECT * FROM approvals ${where} ORDER BY created_at DESC, rowid DESC LIMIT ?`)
        .all(...(states ?? []), query.limit ?? 100) as ApprovalRow[];
      return rows.map(approvalFromRow);
    });
  }
}
