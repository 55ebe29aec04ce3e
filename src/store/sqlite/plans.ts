/** The SQLite plan store: content-addressed plans (table plans), saved once per hash. */
import type { PlanRecord, PlanStore } from '../../core/ports/store';
import { type PlanRow, planFromRow, planValues } from '../row-mapping';
import type { SqliteConnection } from './connection';

export class SqlitePlanStore implements PlanStore {
  constructor(private readonly c: SqliteConnection) {}

  savePlan(plan: PlanRecord): Promise<void> {
    return this.c.attempt(`save plan ${plan.hash}`, () => {
      this.c
        .stmt(
          `INSERT INTO plans (hash, control, account_id, region, created_at, plan) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (hash) DO NOTHING`,
        )
        .run(...planValues(plan));
    });
  }

  getPlan(hash: string): Promise<PlanRecord | undefined> {
    return this.c.attempt(`read plan ${hash}`, () => {
      const row = this.c.stmt('SELECT * FROM plans WHERE hash = ?').get(hash) as PlanRow | undefined;
      return row ? planFromRow(row) : undefined;
    });
  }
}
