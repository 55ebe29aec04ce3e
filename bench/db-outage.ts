/**
 * Benchmark: the bot through a PostgreSQL outage (issue 12's figure). The real bot (startBot, Bolt's
 * ExpressReceiver, the real core over the AWS sandbox) on a real PostgreSQL server that is stopped for
 * CIS_BOT_BENCH_OUTAGE_S seconds (default 30) and started again, under 20 signed Slack requests a second
 * (four `/cis 4.1 audit` commands for every Approve click) sent from a worker thread (Slack is another
 * machine: its client must not run on the bot's event loop), which also asks /livez every 100 ms and
 * /readyz every 250 ms throughout. Prints:
 *  - the answers during the outage: every request answered, how (the command's ack carrying "Database
 *    unavailable, reference …"; the click acknowledged and the same words delivered to its response_url),
 *    answer time p50/p99/max;
 *  - /livez's slowest answer, before, during and after;
 *  - when /readyz went 503 after the stop and 200 after the start;
 *  - after recovery: the decision recorded before the outage intact, the plan clicked during the outage
 *    still waiting (refused, not half-written), the audit log from before complete, then the same click
 *    approving it.
 * The same measurement on an SQLite file whose write lock another process holds for that long
 * (`benchSqliteLockOutage`).
 * Run alone with `npx tsx bench/db-outage.ts [sqlite]` (CIS_BOT_BENCH_OUTAGE_S=5 for a quick run); `npm run
 * bench` calls `benchDatabaseOutage()` and `benchSqliteLockOutage()`.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { Approval, Store } from '../src/core/ports/store';
import { createLoggerFactory } from '../src/logger';
import { openStore } from '../src/store';
import { openPostgresStore } from '../src/store/postgres';
import { ALICE, BOB, CAROL, type E2E, startE2E } from '../test/slack/e2e-harness';
import { blockActionsBody, SIGNING_SECRET, slashCommandBody } from '../test/slack/helpers';
import { createDatabaseOn, startPostgresServer } from '../test/support/postgres';
import { lockSqliteFile, type SqliteLock } from '../test/support/sqlite-lock';

const DEV = '333333333333';
const REQUESTS_PER_SECOND = 20;
/** One request in CLICK_EVERY is an Approve click, the others slash commands. */
const CLICK_EVERY = 5;
const WARM_MS = 4000;
const RECOVERY_MS = 8000;
const PLACEHOLDER = 'RESPONSEURLPLACEHOLDER';

/** 'stopping' and 'starting': while the database is being made unusable or usable again (not counted). */
type Phase = 'before' | 'stopping' | 'outage' | 'starting' | 'after';

interface Sent {
  kind: 'command' | 'click';
  phase: Phase;
  /** HTTP status of the ack. */
  status: number;
  /** Until the ack (ms). */
  ackMs: number;
  /** The ack's body: a command's refusal is in it. */
  body: string;
  /** A click refused: until its response_url post arrived (ms). */
  refusalMs?: number;
  refusal?: string;
}

interface Probe {
  phase: Phase;
  at: number;
  status: number;
  ms: number;
}

interface WorkerResult {
  sent: Sent[];
  livez: Probe[];
  readyz: Probe[];
  responses: number;
}

/**
 * Slack's side and the prober, in a worker thread: sends requests at the rate, signing each, with its own
 * response_url server to time the refusals delivered there; the main thread moves it between phases.
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHmac } = require('node:crypto');
const http = require('node:http');
const { base, secret, rate, clickEvery, templates } = workerData;
let phase = 'before';
const waiting = new Map();
const arrived = new Map();
let responses = 0;
const receiver = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    responses++;
    res.end('{"ok":true}');
    const at = performance.now();
    const done = waiting.get(req.url);
    if (done) done({ at, body });
    else arrived.set(req.url, { at, body });
  });
});
function delivered(path) {
  const early = arrived.get(path);
  if (early) return Promise.resolve(early);
  return new Promise((resolve) => waiting.set(path, resolve));
}
receiver.listen(0, '127.0.0.1', () => {
  const port = receiver.address().port;
  const sent = [];
  const livez = [];
  const readyz = [];
  const inFlight = new Set();
  let n = 0;
  const track = (p) => { inFlight.add(p); p.finally(() => inFlight.delete(p)); };
  const send = () => {
    const i = n++;
    const kind = i % clickEvery === clickEvery - 1 ? 'click' : 'command';
    const path = '/r/' + i;
    const template = kind === 'click' ? (phase === 'outage' ? templates.clickPending : templates.clickDecided) : templates.command;
    const body = template.replace('${PLACEHOLDER}', encodeURIComponent('http://127.0.0.1:' + port + path));
    const ts = Math.floor(Date.now() / 1000);
    const sig = 'v0=' + createHmac('sha256', secret).update('v0:' + ts + ':' + body).digest('hex');
    const at = phase;
    const t0 = performance.now();
    track((async () => {
      const res = await fetch(base + '/slack/events', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': sig }, body });
      const text = await res.text();
      const record = { kind, phase: at, status: res.status, ackMs: performance.now() - t0, body: text };
      sent.push(record);
      if (kind === 'click' && at === 'outage') {
        const got = await Promise.race([delivered(path), new Promise((r) => setTimeout(() => r(undefined), 10000))]);
        if (got) { record.refusalMs = got.at - t0; record.refusal = JSON.parse(got.body).text; }
      }
    })().catch((e) => sent.push({ kind, phase: at, status: -1, ackMs: performance.now() - t0, body: String(e) })));
  };
  const probe = (path, into) => {
    const at = phase;
    const t0 = performance.now();
    track(fetch(base + path).then(async (res) => { await res.text(); into.push({ phase: at, at: Date.now(), status: res.status, ms: performance.now() - t0 }); }, () => into.push({ phase: at, at: Date.now(), status: -1, ms: performance.now() - t0 })));
  };
  const timers = [
    setInterval(send, 1000 / rate),
    setInterval(() => probe('/livez', livez), 100),
    setInterval(() => probe('/readyz', readyz), 250),
  ];
  parentPort.on('message', async (m) => {
    if (m.phase) { phase = m.phase; return; }
    for (const t of timers) clearInterval(t);
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    receiver.close();
    parentPort.postMessage({ sent, livez, readyz, responses });
  });
  parentPort.postMessage({ listening: true });
});
`;

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)] ?? Number.NaN;
}

const ms = (value: number) => `${value.toFixed(1)} ms`;
const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis));

/** A remediation plan for the dev account, asked for by Alice. */
async function planMessage(e: E2E) {
  const result = await e.command(`4.1 remediate --account ${DEV}`, { user: ALICE });
  if (!result.message) throw new Error('no plan posted');
  return structuredClone(result.message);
}

/** A click template on `message`'s Approve button by Bob, with the response_url left to fill in. */
function clickTemplate(message: Awaited<ReturnType<typeof planMessage>>): string {
  const blocks = message.blocks as Array<{
    type: string;
    elements?: Array<{ action_id: string; value: string }>;
  }>;
  const button = blocks.flatMap((b) => b.elements ?? []).find((b) => b.action_id.startsWith('cis:approve'));
  if (!button) throw new Error('no Approve button');
  return blockActionsBody({
    actionId: button.action_id,
    value: button.value,
    response_url: PLACEHOLDER,
    messageTs: message.ts,
    channelId: message.channel,
    userId: BOB.id,
    userName: BOB.name,
    message: { text: message.text, blocks: message.blocks },
  });
}

export interface DatabaseOutageResult {
  outageS: number;
  duringOutage: {
    requests: number;
    answered: number;
    refused: number;
    p50Ms: number;
    p99Ms: number;
    maxMs: number;
  };
  livezMaxMs: number;
  readyzDownAfterMs: number | undefined;
  readyzUpAfterMs: number | undefined;
  intact: boolean;
}

/** The database under test: how to open the bot's store on it, make it unusable and usable again. */
interface OutageTarget {
  /** For the printed line, e.g. "PostgreSQL stopped". */
  what: string;
  open(): Promise<Store>;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

/** PostgreSQL (durable, pool of 10, 1 s timeouts as configured by default) stopped and started again. */
export async function benchDatabaseOutage(): Promise<DatabaseOutageResult> {
  const server = await startPostgresServer({ durable: true });
  return runOutage({
    what: 'PostgreSQL stopped',
    open: async () =>
      openPostgresStore({
        url: await createDatabaseOn(server.url()),
        poolSize: 10,
        connectTimeoutMs: 1000,
        statementTimeoutMs: 1000,
      }),
    down: () => server.stop(),
    up: () => server.start(),
    close: () => server.close(),
  });
}

/** An SQLite file (WAL, synchronous FULL) whose write lock another process holds, then releases. */
export async function benchSqliteLockOutage(): Promise<DatabaseOutageResult> {
  const dir = mkdtempSync(join(tmpdir(), 'cis-bot-bench-lock-'));
  const file = join(dir, 'cis-bot.db');
  let lock: SqliteLock | undefined;
  return runOutage({
    what: 'SQLite file locked by another process',
    open: async () => openStore(file),
    down: async () => {
      lock = await lockSqliteFile(file);
    },
    up: async () => {
      await lock?.release();
      lock = undefined;
    },
    close: async () => {
      await lock?.release();
      rmSync(dir, { recursive: true, force: true });
    },
  });
}

async function runOutage(target: OutageTarget): Promise<DatabaseOutageResult> {
  const outageS = Number(process.env.CIS_BOT_BENCH_OUTAGE_S ?? 30);
  let errorLines = 0;
  const loggedRefs = new Set<string>();
  try {
    const e = await startE2E({
      store: await target.open(),
      loggers: createLoggerFactory({
        level: 'error',
        write: (line) => {
          errorLines++;
          const ref = /"ref":"([0-9a-f]+)"/.exec(line)?.[1];
          if (ref) loggedRefs.add(ref);
        },
      }),
    });
    try {
      // Before: one plan approved and run (a decision to keep), one plan waiting for approval.
      const first = await planMessage(e);
      await e.click(first, 'cis:approve', CAROL);
      const trail = e.run.sandbox.state.region(DEV, 'eu-west-2').logGroups.get('cloudtrail');
      for (const name of [...(trail?.metricFilters.keys() ?? [])]) {
        if (name !== 'access-denied') trail?.metricFilters.delete(name);
      }
      const pending = await planMessage(e);
      const approvalsBefore = await e.services.store.listApprovals();
      const decided = approvalsBefore.find((a) => a.state === 'succeeded') as Approval;
      const waiting = approvalsBefore.find((a) => a.state === 'requested') as Approval;
      if (!decided || !waiting)
        throw new Error('the preparation did not leave one decided and one waiting plan');

      const worker = new Worker(WORKER, {
        eval: true,
        workerData: {
          base: new URL(e.url).origin,
          secret: SIGNING_SECRET,
          rate: REQUESTS_PER_SECOND,
          clickEvery: CLICK_EVERY,
          templates: {
            command: slashCommandBody({ text: `4.1 audit --account ${DEV}`, response_url: PLACEHOLDER }),
            clickDecided: clickTemplate(first),
            clickPending: clickTemplate(pending),
          },
        },
      });
      const messages: unknown[] = [];
      let notify: (() => void) | undefined;
      worker.on('message', (m) => {
        messages.push(m);
        notify?.();
      });
      const nextMessage = async () => {
        while (messages.length === 0) await new Promise<void>((resolve) => (notify = resolve));
        return messages.shift();
      };
      await nextMessage(); // listening
      await sleep(WARM_MS);
      const logBefore = await e.services.store.listAuditLog({ limit: 100_000 });

      // The bot's own event loop during the outage: stalls here are the bot's; slow answers beyond them are
      // the machine's (other processes competing for the CPU).
      const loopDelay = monitorEventLoopDelay({ resolution: 10 });
      worker.postMessage({ phase: 'stopping' });
      const stopAt = Date.now();
      await target.down();
      worker.postMessage({ phase: 'outage' });
      loopDelay.enable();
      await sleep(outageS * 1000);
      loopDelay.disable();
      worker.postMessage({ phase: 'starting' });
      const startAt = Date.now();
      await target.up();
      worker.postMessage({ phase: 'after' });
      await sleep(RECOVERY_MS);
      worker.postMessage({ stop: true });
      const result = (await nextMessage()) as WorkerResult;
      await worker.terminate();
      await e.idle();

      // After recovery: nothing lost, nothing half-written, and the refused click works now.
      const approvalsAfter = await e.services.store.listApprovals();
      const decidedAfter = approvalsAfter.find((a) => a.id === decided.id);
      const waitingAfter = approvalsAfter.find((a) => a.id === waiting.id);
      const logAfter = await e.services.store.listAuditLog({ limit: 100_000 });
      const seqsAfter = new Set(logAfter.map((l) => l.seq));
      const decisionIntact = JSON.stringify(decidedAfter) === JSON.stringify(decided);
      const logIntact = logBefore.every((l) => seqsAfter.has(l.seq));
      await e.click(pending, 'cis:approve', BOB);
      const approvedNow = (await e.services.store.getApproval(waiting.id))?.state;

      const outage = result.sent.filter((s) => s.phase === 'outage');
      const refusedText = /Database unavailable, reference ([0-9a-f]{8})/;
      // A click the bot took (its wait for the lock outlasted the lock) is answered in chat: its ack counts.
      const answerMs = (s: Sent) => (s.kind === 'click' ? (s.refusalMs ?? s.ackMs) : s.ackMs);
      const refusalOf = (s: Sent) => (s.kind === 'click' ? s.refusal : s.body) ?? '';
      const refused = outage.filter((s) => s.status === 200 && refusedText.test(refusalOf(s)));
      const accepted = outage.filter((s) => s.status === 200 && !refusedText.test(refusalOf(s)));
      const unanswered = outage.filter((s) => s.status !== 200);
      // A refused click leaves the plan waiting; a click that waited out the lock (SQLite: up to 1 s) and was
      // then taken approved it, and the plan ran once.
      const pendingClickTaken = accepted.some((s) => s.kind === 'click');
      const waitingIntact = pendingClickTaken
        ? waitingAfter?.state === 'succeeded'
        : waitingAfter?.state === 'requested' && waitingAfter.decidedBy === undefined;
      const refsLogged = refused.filter((s) =>
        loggedRefs.has(refusedText.exec(refusalOf(s))?.[1] ?? ''),
      ).length;
      const times = outage.map(answerMs);
      const livezByPhase = (phase: Phase) =>
        Math.max(...result.livez.filter((p) => p.phase === phase).map((p) => p.ms));
      const livezFailures = result.livez.filter((p) => p.status !== 200).length;
      const readyDown = result.readyz.find((p) => p.at >= stopAt && p.status === 503);
      const readyUp = result.readyz.find((p) => p.at >= startAt && p.status === 200);
      const commandsOutage = outage.filter((s) => s.kind === 'command').length;
      const clicksOutage = outage.length - commandsOutage;

      console.log(
        `database outage: ${target.what} for ${outageS} s under ${REQUESTS_PER_SECOND} signed Slack requests/s ` +
          `(${CLICK_EVERY - 1} commands : 1 Approve click), ${result.sent.length} requests in all`,
      );
      console.log(
        `  during the outage: ${outage.length} requests (${commandsOutage} commands, ${clicksOutage} clicks): ` +
          `${refused.length} answered "Database unavailable, reference …" (${refsLogged} of their references in the log), ` +
          `${accepted.length} accepted, ${unanswered.length} unanswered ` +
          `(not counted: ${result.sent.filter((r) => r.phase === 'stopping' || r.phase === 'starting').length} sent while it was being stopped or started)`,
      );
      console.log(
        `  answer time during the outage (command: its ack; click: its refusal at the response_url): ` +
          `p50 ${ms(percentile(times, 50))}, p99 ${ms(percentile(times, 99))}, max ${ms(Math.max(...times))}`,
      );
      const slow = outage.filter((s) => answerMs(s) > 500);
      console.log(
        `  answers over 500 ms: ${slow.length} of ${outage.length}; the bot's event loop during the outage: ` +
          `delay p99 ${ms(loopDelay.percentile(99) / 1e6)}, max ${ms(loopDelay.max / 1e6)}; load average ${loadavg()[0]?.toFixed(1)} on ${cpus().length} CPUs`,
      );
      console.log(
        `  /livez: ${result.livez.length} probes, ${livezFailures} not 200; slowest before ${ms(livezByPhase('before'))}, ` +
          `during ${ms(livezByPhase('outage'))}, after ${ms(livezByPhase('after'))}`,
      );
      console.log(
        `  /readyz: 503 ${readyDown ? `${readyDown.at - stopAt} ms after the stop began` : 'never'}; ` +
          `200 ${readyUp ? `${readyUp.at - startAt} ms after the start began` : 'never'} ; probes every 250 ms`,
      );
      console.log(
        `  after recovery: decision before the outage intact ${decisionIntact}, plan clicked during the outage ` +
          `${pendingClickTaken ? `approved once by a click taken after the wait (run: ${waitingAfter?.state})` : 'still waiting'} ${waitingIntact}, audit log from before complete ${logIntact} (${logBefore.length} entries), ` +
          `the same click now: ${approvedNow}; error log lines ${errorLines}`,
      );
      return {
        outageS,
        duringOutage: {
          requests: outage.length,
          answered: outage.length - unanswered.length,
          refused: refused.length,
          p50Ms: percentile(times, 50),
          p99Ms: percentile(times, 99),
          maxMs: Math.max(...times),
        },
        livezMaxMs: Math.max(...result.livez.map((p) => p.ms)),
        readyzDownAfterMs: readyDown ? readyDown.at - stopAt : undefined,
        readyzUpAfterMs: readyUp ? readyUp.at - startAt : undefined,
        intact: decisionIntact && waitingIntact && logIntact && approvedNow === 'succeeded',
      };
    } finally {
      await e.close();
    }
  } finally {
    await target.close();
  }
}

if (require.main === module) {
  (process.argv[2] === 'sqlite' ? benchSqliteLockOutage() : benchDatabaseOutage()).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
