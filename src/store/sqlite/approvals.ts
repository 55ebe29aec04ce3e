/**
 * The SQLite approval store (table approvals): creation after the plan is saved, and compare-and-set
 * transitions as single conditional UPDATEs (approval-transition.ts), each with its audit-log line in the
 * same IMMEDIATE transaction.
 */
import type {
  Approval,
  ApprovalPatch,
  ApprovalQuery,
  ApprovalState,
  ApprovalStore,
  AuditLogInput,
  NewApproval,
  TransitionGuard,
} from '../../core/ports/store';
import { StoreError } from '../../core/ports/store';
import { transitionClauses } from '../approval-transition';
import { type ApprovalRow, approvalFromRow } from '../row-mapping';
import { iso, toJson } from '../rows';
import { SqlParams } from '../sql-params';
import { insertAuditLog } from './audit-log';
import type { SqliteConnection } from './connection';

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
      const params = new SqlParams('sqlite');
      const { set, where } = transitionClauses(id, fromStates, to, patch, guard, this.c.now, params);
      // One statement: the state check and the write are atomic, across connections and processes.
      const update = this.c.stmt(`UPDATE approvals SET ${set} WHERE ${where} RETURNING *`);
      return this.c.immediate(() => {
        const row = update.get(...params.values) as ApprovalRow | undefined;
        if (!row) return undefined;
        if (log) insertAuditLog(this.c, { ...log, approvalId: log.approvalId ?? id });
        return approvalFromRow(row);
      });
    });
  }

  listApprovals(query: ApprovalQuery = {}): Promise<Approval[]> {
    return this.c.attempt('list approvals', () => {
      const params = new SqlParams('sqlite');
      const where = query.states ? `WHERE ${params.in('state', query.states)}` : '';
      const limit = params.add(query.limit ?? 100);
      const rows = this.c.db
        .prepare(`SELECT * FROM approvals ${where} ORDER BY created_at DESC, rowid DESC LIMIT ${limit}`)
        .all(...params.values) as ApprovalRow[];
      return rows.map(approvalFromRow);
    });
  }
}
