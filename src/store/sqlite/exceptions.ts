/**
 * The SQLite exception store (table exceptions): saving is an INSERT that keeps the first row of an id;
 * revoking is one conditional UPDATE (only a row not yet revoked), so of two revokers exactly one wins.
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
import type { SqliteConnection } from './connection';

export class SqliteExceptionStore implements ExceptionStore {
  constructor(private readonly c: SqliteConnection) {}

  saveException(exception: NewException): Promise<ExceptionRecord> {
    return this.c.attempt(`save exception ${exception.id}`, () => {
      this.c
        .stmt(
          `INSERT INTO exceptions (${EXCEPTION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (id) DO NOTHING`,
        )
        .run(...exceptionValues(exception));
      return exceptionFromRow(this.row(exception.id) as ExceptionRow);
    });
  }

  getException(id: string): Promise<ExceptionRecord | undefined> {
    return this.c.attempt(`read exception ${id}`, () => {
      const row = this.row(id);
      return row ? exceptionFromRow(row) : undefined;
    });
  }

  listExceptions(query: ExceptionQuery = {}): Promise<ExceptionRecord[]> {
    return this.c.attempt('list exceptions', () => {
      const params = new SqlParams('sqlite');
      const where = exceptionWhere(query, params);
      const rows = this.c.db
        .prepare(`SELECT * FROM exceptions ${where} ORDER BY expires_at DESC, id`)
        .all(...params.values) as ExceptionRow[];
      return rows.map(exceptionFromRow);
    });
  }

  revokeException(id: string, by: ActorRef, at: string): Promise<ExceptionRecord | undefined> {
    return this.c.attempt(`revoke exception ${id}`, () => {
      const row = this.c
        .stmt(
          'UPDATE exceptions SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL RETURNING *',
        )
        .get(iso(at, 'at'), toJson(by, 'revokedBy'), id) as ExceptionRow | undefined;
      return row ? exceptionFromRow(row) : undefined;
    });
  }

  private row(id: string): ExceptionRow | undefined {
    return this.c.stmt('SELECT * FROM exceptions WHERE id = ?').get(id) as ExceptionRow | undefined;
  }
}
