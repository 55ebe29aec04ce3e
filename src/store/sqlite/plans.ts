/** The SQLite plan store: content-addressed plans (table plans), saved once per hash. */
import type { PlanRecord, PlanStore } from '../../core/ports/store';
import type { SqliteConnection } from './connection';
import { fromJson, iso, toJson } from './rows';

interface PlanRow {
  hash: string;
  control: string;
  account_id: string;
  region: string | null;
  created_at: string;
  plan: string;
}

export class SqlitePlanStore implements PlanStore {
  constructor(private readonly c: SqliteConnection) {}

  savePlan(plan: PlanRecord): Promise<void> {
    return this.c.attempt(`save plan ${plan.hash}`, () => {
      this.c
        .stmt(
          `INSERT INTO plans (hash, control, account_id, region, created_at, plan) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (hash) DO NOTHING`,
        )
        .run(
          plan.hash,
          plan.control,
          plan.accountId,
          plan.region ?? null,
          iso(plan.createdAt, 'createdAt'),
          toJson(plan.plan, `plan ${plan.hash}`),
        );
    });
  }

  getPlan(hash: string): Promise<PlanRecord | undefined> {
    return this.c.attempt(`read plan ${hash}`, () => {
      const row = this.c.stmt('SELECT * FROM plans WHERE hash = ?').get(hash) as PlanRow | undefined;
      if (!row) return undefined;
      const plan: PlanRecord = {
        hash: row.hash,
        control: row.control,
        accountId: row.account_id,
        createdAt: row.created_at,
        plan: fromJson(row.plan),
      };
      if (row.region !== null) plan.region = row.region;
      return plan;
    });
  }
}
