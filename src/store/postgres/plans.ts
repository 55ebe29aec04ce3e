/** The PostgreSQL plan store: content-addressed plans (table plans), saved once per hash. */
import type { PlanRecord, PlanStore } from '../../core/ports/store';
import { type PlanRow, planFromRow, planValues } from '../row-mapping';
import type { PgConnection } from './connection';

export class PostgresPlanStore implements PlanStore {
  constructor(private readonly c: PgConnection) {}

  async savePlan(plan: PlanRecord): Promise<void> {
    await this.c.count(
      `save plan ${plan.hash}`,
      `INSERT INTO plans (hash, control, account_id, region, created_at, plan) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (hash) DO NOTHING`,
      planValues(plan),
    );
  }

  async getPlan(hash: string): Promise<PlanRecord | undefined> {
    const [row] = await this.c.rows<PlanRow>(`read plan ${hash}`, 'SELECT * FROM plans WHERE hash = $1', [
      hash,
    ]);
    return row ? planFromRow(row) : undefined;
  }
}
