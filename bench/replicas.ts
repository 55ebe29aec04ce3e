/**
 * Benchmark: replicas on one PostgreSQL (issue 12's figures). Every replica is a real `npm start`
 * process (src/main.ts) with its settings from the environment and a YAML file, all on one PostgreSQL
 * server, one AWS sandbox and one fake Slack Web API on loopback (test/support/replica-cluster.ts).
 *
 * (a) 3 replicas, 50 concurrent signed Approve clicks (50 approvers) spread over them: how many
 *     executions, how many times each AWS write step was called (sandbox call counts), how the other
 *     clicks were answered.
 * (b) 3 replicas with the DEFAULT lease settings (a 30 s lease renewed every 10 s, a scan every 15 s):
 *     the executing replica is killed with SIGKILL after its first step (sandbox latency makes the plan
 *     slow); how long until another replica took it over and finished it, whether any step ran twice,
 *     and what the plan's Slack thread shows.
 *
 * Run alone with `npx tsx bench/replicas.ts`; `npm run bench` calls both `bench*` functions.
 */
import { createDatabaseOn, startPostgresServer } from '../test/support/postgres';
import {
  APPROVERS,
  approvalIdOf,
  type Cluster,
  PLAN_WRITES,
  startCluster,
  until,
} from '../test/support/replica-cluster';

const REPLICAS = 3;
const CLICKS = 50;

/** Replicas with the default settings, on a PostgreSQL server of their own. */
async function withCluster<T>(work: (cluster: Cluster) => Promise<T>): Promise<T> {
  const server = await startPostgresServer();
  try {
    const cluster = await startCluster({
      replicas: REPLICAS,
      databaseUrl: await createDatabaseOn(server.url()),
    });
    try {
      return await work(cluster);
    } finally {
      await cluster.close();
    }
  } finally {
    await server.close();
  }
}

function writeCounts(cluster: Cluster): Record<string, number> {
  return Object.fromEntries(PLAN_WRITES.map((op) => [op, cluster.writes(op)]));
}

export interface ConcurrentApproveResult {
  executions: number;
  writes: Record<string, number>;
  refusals: number;
  state: string;
}

export async function benchConcurrentApproveAcrossReplicas(): Promise<ConcurrentApproveResult> {
  return withCluster(async (cluster) => {
    const plan = await cluster.askPlan(0);
    const id = approvalIdOf(plan);
    const statuses = await Promise.all(
      APPROVERS.slice(0, CLICKS).map((approver, i) => cluster.approve(i % REPLICAS, plan, approver)),
    );
    const done = await cluster.finished(id);
    // Every click was answered: one decision, the others refused to the clicker (ephemeral).
    await until('every refused click to be answered', () => cluster.fake.ephemerals.length >= CLICKS - 1);
    const log = await cluster.store.listAuditLog({ approvalId: id, limit: 1000 });
    const result: ConcurrentApproveResult = {
      executions: log.filter((e) => e.kind === 'execution-started').length,
      writes: writeCounts(cluster),
      refusals: cluster.fake.ephemerals.length,
      state: done.state,
    };
    console.log(
      `${REPLICAS} replicas on one PostgreSQL, ${CLICKS} concurrent Approve clicks (HTTP ${[...new Set(statuses)].join(',')}): ` +
        `${result.executions} execution(s), approval ${result.state}; AWS write calls ${JSON.stringify(result.writes)}; ` +
        `${result.refusals} clicks refused to the clicker`,
    );
    return result;
  });
}

export interface KillExecutingReplicaResult {
  takeoverSeconds: number;
  finishedSeconds: number;
  writes: Record<string, number>;
  resumedInThread: boolean;
  verdictInThread: boolean;
  stepsAfterResume: string[];
}

export async function benchKillExecutingReplica(): Promise<KillExecutingReplicaResult> {
  return withCluster(async (cluster) => {
    const plan = await cluster.askPlan(0);
    const id = approvalIdOf(plan);
    // Slow AWS: each call takes 400 ms, so the plan takes seconds and is killed half-way.
    cluster.sandbox.setFaults({ latencyMs: 400 });
    await cluster.approve(1, plan, APPROVERS[0] as { id: string; name: string });
    await until('the first step in the thread', () => cluster.thread(plan).some((t) => t.includes('[1/4]')));
    const running = await cluster.store.getApproval(id);
    const victim = cluster.replicas.find((r) => running?.executionOwner?.endsWith(`:${r.pid}`));
    if (!victim) throw new Error(`no replica runs approval ${id} (${running?.executionOwner})`);
    const killedAt = Date.now();
    await victim.kill('SIGKILL');
    const resumed = await until(
      'the takeover',
      async () => (await cluster.store.listAuditLog({ approvalId: id, kinds: ['execution-resumed'] }))[0],
      120_000,
    );
    const takeoverSeconds = (Date.parse(resumed.at) - killedAt) / 1000;
    const done = await cluster.finished(id, 120_000);
    const finishedSeconds = (Date.parse(done.finishedAt ?? done.updatedAt) - killedAt) / 1000;
    await until('the verdict in the thread', () => cluster.thread(plan).some((t) => t.includes('re-audit')));
    const lines = cluster.thread(plan);
    const resumedAt = lines.findIndex((t) => t.includes('Resumed after an interruption'));
    const after = resumedAt >= 0 ? lines.slice(resumedAt + 1) : [];
    const result: KillExecutingReplicaResult = {
      takeoverSeconds,
      finishedSeconds,
      writes: writeCounts(cluster),
      resumedInThread: resumedAt >= 0,
      verdictInThread: after.some((t) => /re-audit says COMPLIANT/.test(t)),
      stepsAfterResume: after
        .map((t) => /^\[(\d)\/4\] (\w+)/.exec(t))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => `${m[1]} ${m[2]}`),
    };
    console.log(
      `kill -9 of the executing replica after step 1 (lease 30 s, renewal 10 s, scan 15 s; AWS latency 400 ms a call): ` +
        `taken over after ${result.takeoverSeconds.toFixed(1)} s, finished ${result.finishedSeconds.toFixed(1)} s after the kill ` +
        `(${done.state}); AWS write calls ${JSON.stringify(result.writes)}; thread: resumed notice ${result.resumedInThread ? 'yes' : 'NO'}, ` +
        `steps after it [${result.stepsAfterResume.join(', ')}], verdict ${result.verdictInThread ? 'COMPLIANT' : 'MISSING'}`,
    );
    return result;
  });
}

if (require.main === module) {
  (async () => {
    await benchConcurrentApproveAcrossReplicas();
    await benchKillExecutingReplica();
  })().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
