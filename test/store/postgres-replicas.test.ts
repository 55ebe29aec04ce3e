/**
 * Compare-and-set across replicas on PostgreSQL: five stores (five pools, as five replicas would hold)
 * on one database, 50 concurrent callers each. Exactly one approval decision, one lease takeover, one
 * scheduled-run claim and one first sighting of a once-only key wins; concurrent upserts of one
 * conversation reference never fail. (The contract suite races two handles; this is the load case.)
 */
import type { AuditLogInput } from '../../src/core/ports/store';
import type { PostgresStore } from '../../src/store/postgres';
import { createTestDatabase, openTestPostgresStore } from '../support/postgres';
import { at, newApproval, savePlan, T0 } from './contract/context';

const REPLICAS = 5;
const CALLERS = 50;
let replicas: PostgresStore[] = [];

beforeEach(async () => {
  const url = await createTestDatabase();
  replicas = [await openTestPostgresStore(url, { poolSize: 10 })];
  replicas.push(
    ...(await Promise.all(
      Array.from({ length: REPLICAS - 1 }, () => openTestPostgresStore(url, { poolSize: 10 })),
    )),
  );
});
afterEach(async () => {
  for (const store of replicas) await store.close();
});

const replica = (i: number): PostgresStore => replicas[i % REPLICAS] as PostgresStore;
const log = (kind: AuditLogInput['kind'], i: number): AuditLogInput => ({ at: T0, kind, detail: { i } });

it('lets exactly one of 50 concurrent decisions on five replicas move an approval, with one log line', async () => {
  await savePlan(replica(0));
  await replica(0).createApproval(newApproval());
  const results = await Promise.all(
    Array.from({ length: CALLERS }, (_, i) =>
      replica(i).transitionApproval(
        'ap1',
        'requested',
        i % 2 ? 'approved' : 'rejected',
        { decidedBy: { platform: 'slack', userId: `U${i}` } },
        {},
        log(i % 2 ? 'approved' : 'rejected', i),
      ),
    ),
  );
  const winners = results.filter((r) => r !== undefined);
  expect(winners).toHaveLength(1);
  const stored = await replica(3).getApproval('ap1');
  expect(stored).toEqual(winners[0]);
  expect(stored?.version).toBe(1);
  const lines = await replica(4).listAuditLog({ approvalId: 'ap1' });
  expect(lines.map((l) => [l.kind, l.detail])).toEqual([
    [stored?.state, { i: Number(stored?.decidedBy?.userId.slice(1)) }],
  ]);
});

it('lets exactly one of 50 replicas take over an execution whose lease lapsed', async () => {
  await savePlan(replica(0));
  await replica(0).createApproval(newApproval());
  await replica(0).transitionApproval('ap1', 'requested', 'approved');
  const executing = await replica(1).transitionApproval('ap1', 'approved', 'executing', {
    executionOwner: 'crashed',
    executionLeaseUntil: at(5),
  });
  const results = await Promise.all(
    Array.from({ length: CALLERS }, (_, i) =>
      replica(i).transitionApproval(
        'ap1',
        'executing',
        'executing',
        { executionOwner: `replica-${i}`, executionLeaseUntil: at(20) },
        { leaseLapsedAt: at(6), version: executing?.version as number },
        log('execution-resumed', i),
      ),
    ),
  );
  const winners = results.filter((r) => r !== undefined);
  expect(winners).toHaveLength(1);
  expect((await replica(2).getApproval('ap1'))?.executionOwner).toBe(winners[0]?.executionOwner);
  expect((await replica(2).listAuditLog({ approvalId: 'ap1' })).map((l) => l.kind)).toEqual([
    'execution-resumed',
  ]);
});

it('gives a scheduled run to exactly one of 50 claimants, and its takeover to exactly one', async () => {
  const claim = (i: number, minutes: number) =>
    replica(i).claimScheduleRun('daily', T0, `p${i}`, 5 * 60_000, new Date(at(minutes)));
  const claims = await Promise.all(Array.from({ length: CALLERS }, (_, i) => claim(i, 0)));
  expect(claims.filter(Boolean)).toHaveLength(1);
  const takeovers = await Promise.all(Array.from({ length: CALLERS }, (_, i) => claim(i, 6)));
  expect(takeovers.filter(Boolean)).toHaveLength(1);
  const run = await replica(0).getScheduleRun('daily', T0);
  expect(run).toMatchObject({ attempts: 2, owner: `p${takeovers.indexOf(true)}` });
});

it('says "first" to exactly one of 50 replicas presenting the same key', async () => {
  const now = new Date(T0);
  const firsts = await Promise.all(
    Array.from({ length: CALLERS }, (_, i) => replica(i).rememberOnce('slack:v0:same', at(10), now)),
  );
  expect(firsts.filter(Boolean)).toHaveLength(1);
  // Expired keys presented again at once: once more exactly one, while other expired keys get purged.
  const later = new Date(at(11));
  const again = await Promise.all(
    Array.from({ length: CALLERS }, (_, i) => replica(i).rememberOnce('slack:v0:same', at(20), later)),
  );
  expect(again.filter(Boolean)).toHaveLength(1);
});

it('saves one conversation reference from 50 replicas at once without a conflict', async () => {
  await Promise.all(
    Array.from({ length: CALLERS }, (_, i) => replica(i).saveConversationRef('teams', '19:abc', { i })),
  );
  const refs = await replica(0).listConversationRefs('teams');
  expect(refs).toEqual([
    {
      platform: 'teams',
      conversationId: '19:abc',
      ref: { i: expect.any(Number) },
      updatedAt: expect.any(String),
    },
  ]);
});

it('numbers audit-log lines written by 50 callers on five replicas in one sequence', async () => {
  const seqs = await Promise.all(
    Array.from({ length: CALLERS }, (_, i) =>
      replica(i).appendAuditLog({ at: T0, kind: 'audit', detail: { i } }),
    ),
  );
  expect(new Set(seqs).size).toBe(CALLERS);
  const listed = await replica(0).listAuditLog({ limit: 100 });
  expect(listed.map((e) => e.seq)).toEqual([...seqs].sort((x, y) => y - x));
});
