/**
 * The PostgreSQL approval store (table approvals). Creation and every compare-and-set transition are ONE
 * statement each, with the audit-log line in a data-modifying CTE of that statement: atomic without an
 * explicit transaction, and correct across replicas because the conditional UPDATE re-checks its WHERE
 * clause on the row's latest version after waiting for a concurrent writer (READ COMMITTED), so of any
 * number of racing transitions exactly one matches.
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
import { auditLogCte } from './audit-log';
import type { PgConnection } from './connection';

/** `WITH <changed> [, logged …] SELECT * FROM <source>`: the statement around a change and its log line. */
function withLog(changed: string, source: string, log: AuditLogInput | undefined, params: SqlParams): string {
  const logged = log ? `, ${auditLogCte(log, params, source)}` : '';
  return `WITH ${changed}${logged} SELECT * FROM ${source}`;
}

export class PostgresApprovalStore implements ApprovalStore {
  constructor(private readonly c: PgConnection) {}

  async createApproval(input: NewApproval, log?: AuditLogInput): Promise<Approval> {
    const params = new SqlParams('postgres');
    const createdAt = params.add(iso(input.createdAt, 'createdAt'));
    const planHash = params.add(input.planHash);
    // Inserted only when the plan is stored; the foreign key guards it too.
    const created = `created AS (
      INSERT INTO approvals (id, kind, plan_hash, control, account_id, state, requested_by, conversation,
                             created_at, expires_at, updated_at)
      SELECT ${params.add(input.id)}, ${params.add(input.kind)}, ${planHash}, ${params.add(input.control)},
             ${params.add(input.accountId)}, 'requested', ${params.add(toJson(input.requestedBy, 'requestedBy'))}::json,
             ${params.add(input.conversation ? toJson(input.conversation, 'conversation') : null)}::json,
             ${createdAt}::timestamptz, ${params.add(iso(input.expiresAt, 'expiresAt'))}::timestamptz, ${createdAt}::timestamptz
      WHERE EXISTS (SELECT 1 FROM plans WHERE hash = ${planHash})
      RETURNING *)`;
    const entry = log ? { ...log, approvalId: log.approvalId ?? input.id } : undefined;
    const [row] = await this.c.rows<ApprovalRow>(
      `create approval ${input.id}`,
      withLog(created, 'created', entry, params),
      params.values,
    );
    if (!row) {
      throw new StoreError(`plan ${input.planHash} is not stored: save the plan before asking for approval`);
    }
    return approvalFromRow(row);
  }

  async getApproval(id: string): Promise<Approval | undefined> {
    const [row] = await this.c.rows<ApprovalRow>(
      `read approval ${id}`,
      'SELECT * FROM approvals WHERE id = $1',
      [id],
      // A click's decision reads the approval before its ack: the ack lane (connection.ts).
      'ack',
    );
    return row ? approvalFromRow(row) : undefined;
  }

  async transitionApproval(
    id: string,
    from: ApprovalState | readonly ApprovalState[],
    to: ApprovalState,
    patch: ApprovalPatch = {},
    guard: TransitionGuard = {},
    log?: AuditLogInput,
  ): Promise<Approval | undefined> {
    const fromStates: readonly ApprovalState[] = typeof from === 'string' ? [from] : from;
    if (fromStates.length === 0) return undefined;
    const params = new SqlParams('postgres');
    const { set, where } = transitionClauses(id, fromStates, to, patch, guard, this.c.now, params);
    const moved = `moved AS (UPDATE approvals SET ${set} WHERE ${where} RETURNING *)`;
    const entry = log ? { ...log, approvalId: log.approvalId ?? id } : undefined;
    const [row] = await this.c.rows<ApprovalRow>(
      `move approval ${id} to ${to}`,
      withLog(moved, 'moved', entry, params),
      params.values,
      // A click's decision is this compare-and-set, committed before its ack: the ack lane (connection.ts).
      'ack',
    );
    return row ? approvalFromRow(row) : undefined;
  }

  async listApprovals(query: ApprovalQuery = {}): Promise<Approval[]> {
    const params = new SqlParams('postgres');
    const where = query.states ? `WHERE ${params.in('state', query.states)}` : '';
    const limit = params.add(query.limit ?? 100);
    const rows = await this.c.rows<ApprovalRow>(
      'list approvals',
      `SELECT * FROM approvals ${where} ORDER BY created_at DESC, seq DESC LIMIT ${limit}`,
      params.values,
    );
    return rows.map(approvalFromRow);
  }
}
