/**
 * The PostgreSQL exception store (table exceptions): saving is an INSERT … ON CONFLICT DO NOTHING that
 * keeps the first row of an id; revoking is one conditional UPDATE (only a row not yet revoked), so of
 * any number of replicas revoking at once exactly one wins.
 */
import type {
  ActorRef,
  ExceptionQuery,
  ExceptionRecord,
  ExceptionStore,
  NewException,
} from '../../core/ports/store';
import {
  EXCEPTION_COLUMNS,
  type ExceptionRow,
  exceptionFromRow,
  exceptionValues,
  exceptionWhere,
} from '../row-mapping';
import { iso, toJson } from '../rows';
import { SqlParams } from '../sql-params';
import type { PgConnection } from './connection';

export class PostgresExceptionStore implements ExceptionStore {
  constructor(private readonly c: PgConnection) {}

  async saveException(exception: NewException): Promise<ExceptionRecord> {
    await this.c.count(
      `save exception ${exception.id}`,
      `INSERT INTO exceptions (${EXCEPTION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (id) DO NOTHING`,
      exceptionValues(exception),
    );
    return (await this.getException(exception.id)) as ExceptionRecord;
  }

  async getException(id: string): Promise<ExceptionRecord | undefined> {
    const [row] = await this.c.rows<ExceptionRow>(
      `read exception ${id}`,
      'SELECT * FROM exceptions WHERE id = $1',
      [id],
    );
    return row ? exceptionFromRow(row) : undefined;
  }

  async listExceptions(query: ExceptionQuery = {}): Promise<ExceptionRecord[]> {
    const params = new SqlParams('postgres');
    const where = exceptionWhere(query, params);
    const rows = await this.c.rows<ExceptionRow>(
      'list exceptions',
      `SELECT * FROM exceptions ${where} ORDER BY expires_at DESC, id`,
      params.values,
    );
    return rows.map(exceptionFromRow);
  }

  async revokeException(id: string, by: ActorRef, at: string): Promise<ExceptionRecord | undefined> {
    const [row] = await this.c.rows<ExceptionRow>(
      `revoke exception ${id}`,
      'UPDATE exceptions SET revoked_at = $1, revoked_by = $2 WHERE id = $3 AND revoked_at IS NULL RETURNING *',
      [iso(at, 'at'), toJson(by, 'revokedBy'), id],
      // Revoke is a click's decision, committed before its ack: the ack lane (connection.ts).
      'ack',
    );
    return row ? exceptionFromRow(row) : undefined;
  }
}
