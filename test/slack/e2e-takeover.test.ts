/**
 * Two replicas (real `npm start` processes) on one PostgreSQL database, through Slack's real receiver
 * with signed requests: a plan is asked for and approved on replica A; A executes it slowly (sandbox
 * latency) and is killed with SIGKILL after its first step. A click on replica B meanwhile says the
 * approval is being executed. Once A's lease lapses, B's periodic resume scan takes the execution over
 * and finishes it: each AWS write once (sandbox call counts), and the ORIGINAL thread shows that it was
 * resumed (by B, when), the remaining steps and the verdict. Intervals are short through the settings
 * (a 2 s lease, renewed every 0.5 s, scans every 0.5 s).
 */

import { createTestDatabase } from '../support/postgres';
import {
  APPROVERS,
  approvalIdOf,
  type Cluster,
  PLAN_WRITES,
  startCluster,
  until,
} from '../support/replica-cluster';

const [BOB] = APPROVERS as [{ id: string; name: string }];
let cluster: Cluster | undefined;

afterEach(async () => {
  await cluster?.close();
});

it('a replica killed mid-plan is taken over by another: each step once, the thread shows the resumed steps and the verdict', async () => {
  const c = await startCluster({
    replicas: 2,
    databaseUrl: await createTestDatabase(),
    timing: { leaseSeconds: 2, renewSeconds: 0.5, scanSeconds: 0.5 },
  });
  cluster = c;
  const [a, b] = c.replicas as [Cluster['replicas'][0], Cluster['replicas'][0]];
  const plan = await c.askPlan(0);
  const id = approvalIdOf(plan);

  // Slow AWS from now on: the execution takes seconds; A dies after its first step.
  c.sandbox.setFaults({ latencyMs: 300 });
  expect(await c.approve(0, plan, BOB)).toBe(200);
  await until('the first step in the thread', () => c.thread(plan).some((t) => t.includes('[1/4]')));
  const running = await c.store.getApproval(id);
  // A names itself <host>:<pid> (src/main.ts); the message it was approved on is kept with the approval.
  expect(running?.executionOwner).toMatch(new RegExp(`^remediation ${id}@.+:${a.pid}$`));
  expect(running?.conversation).toMatchObject({ platform: 'slack', messageRef: plan.ts });

  // A click on the other replica while A runs: refused, saying it is being executed.
  const seen = c.fake.ephemerals.length;
  expect(await c.approve(1, plan, BOB)).toBe(200);
  const refused = await until('the refusal of the second click', () => c.fake.ephemerals[seen]);
  expect(refused.text).toMatch(/is being executed since/);

  expect((await a.kill('SIGKILL')).signal).toBe('SIGKILL');
  const done = await c.finished(id);
  expect(done.state).toBe('succeeded');
  expect(done.executionOwner).toMatch(new RegExp(`^remediation ${id}@.+:${b.pid}$`));
  // The verdict is posted after the state changes.
  await until('the verdict in the thread', () => c.thread(plan).some((t) => t.includes('COMPLIANT')));

  // Each AWS write once, whoever did it.
  for (const op of PLAN_WRITES) expect([op, c.writes(op)]).toEqual([op, 1]);
  const lines = c.thread(plan);
  const resumedAt = lines.findIndex((t) => t.includes('Resumed after an interruption'));
  expect(resumedAt).toBeGreaterThan(-1);
  expect(lines[resumedAt]).toContain(done.executionOwner as string);
  expect(lines[resumedAt]).toContain(`it was run by ${running?.executionOwner}`);
  // After the resumption: the steps B ran (A's one is skipped: AWS re-read first) and the verdict.
  const after = lines.slice(resumedAt + 1).join('\n');
  expect(after).toMatch(/\[1\/4\] skipped/);
  expect(after).toMatch(/\[4\/4\] done/);
  expect(after).toMatch(/re-audit says COMPLIANT/);
  const log = (await c.store.listAuditLog({ approvalId: id, limit: 100 })).map((e) => e.kind);
  expect(log.filter((k) => k === 'execution-resumed')).toHaveLength(1);
  expect(log.filter((k) => k === 'execution-started')).toHaveLength(1);
}, 120_000);
