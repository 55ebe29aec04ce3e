/**
 * Exactly once across real processes: two bot processes over the same SQLite file fire the same
 * schedule and minutes (or start up together with the same missed run); each digest is posted once.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { loadScenario, type Sandbox, type Scenario, startSandbox } from '../../src/sandbox';
import { openStore } from '../../src/store';
import { FAKE_BOT_TOKEN, FakeSlackApi } from '../support/fake-slack-api';
import { MEMBER_ACCOUNTS, ROOT, SCENARIO_FILE, SECURITY_ACCOUNT, tempDir } from './helpers';

const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const WORKER = join(__dirname, 'fixtures', 'digest-worker.ts');
const CHANNEL = 'C0DIGEST02';

let sandbox: Sandbox;
let slack: FakeSlackApi;
const tmp = tempDir();

beforeAll(async () => {
  sandbox = await startSandbox({ scenario: loadScenario(SCENARIO_FILE) as Scenario });
  slack = await FakeSlackApi.start();
});
const children: ChildProcessWithoutNullStreams[] = [];
afterAll(async () => {
  // A worker that failed the test must not outlive it.
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill();
  await slack.close();
  await sandbox.close();
  tmp.remove();
});

interface Worker {
  ready: Promise<void>;
  go(): void;
  result: Promise<{ outcomes: Record<string, string> }>;
  child: ChildProcessWithoutNullStreams;
}

function startWorker(args: Record<string, unknown>): Worker {
  const child = spawn(TSX, [WORKER, JSON.stringify(args)], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  let last: unknown;
  let onReady: () => void = () => {};
  const ready = new Promise<void>((r) => {
    onReady = r;
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line === 'ready') onReady();
    else if (line.startsWith('{')) last = JSON.parse(line);
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const result = exited.then((code) => {
    if (code !== 0) throw new Error(`worker exited with ${code}: ${stderr}`);
    return last as { outcomes: Record<string, string> };
  });
  const readyOrDeath = Promise.race([
    ready,
    exited.then((code) => {
      throw new Error(`worker exited (${code}) before ready: ${stderr}`);
    }),
  ]);
  readyOrDeath.catch(() => {});
  return { ready: readyOrDeath, go: () => child.stdin.end('go\n'), result, child };
}

function common(db: string, clock: string) {
  return {
    db,
    endpoint: sandbox.endpoint,
    credentials: sandbox.credentialsFor(SECURITY_ACCOUNT),
    accounts: MEMBER_ACCOUNTS,
    slackApiUrl: slack.apiUrl,
    slackToken: FAKE_BOT_TOKEN,
    channel: CHANNEL,
    clock,
  };
}

async function race(argsFor: (owner: string) => Record<string, unknown>) {
  const workers = ['p1', 'p2'].map((owner) => startWorker(argsFor(owner)));
  await Promise.all(workers.map((w) => w.ready));
  for (const w of workers) w.go();
  return Promise.all(workers.map((w) => w.result));
}

test('two processes firing the same schedule and minutes post each digest once', async () => {
  const db = tmp.file('fire.db');
  await openStore(db).close(); // migrated once up front
  const fireTimes = ['2025-03-03T07:00:00.000Z', '2025-03-04T07:00:00.000Z', '2025-03-05T07:00:00.000Z'];
  const before = slack.channelMessages(CHANNEL).length;
  const [r1, r2] = await race((owner) => ({
    ...common(db, '2025-03-05T07:00:05Z'),
    owner,
    mode: 'fire',
    fireTimes,
  }));
  for (const t of fireTimes) {
    expect([r1?.outcomes[t], r2?.outcomes[t]].sort()).toEqual(['posted', 'skipped-duplicate']);
  }
  expect(slack.channelMessages(CHANNEL).length - before).toBe(fireTimes.length);
  const store = openStore(db);
  for (const t of fireTimes) expect((await store.getScheduleRun('daily', t))?.attempts).toBe(1);
  expect(await store.listAuditLog({ kinds: ['digest'] })).toHaveLength(fireTimes.length);
  await store.close();
  const won = (r: typeof r1) => Object.values(r?.outcomes ?? {}).filter((o) => o === 'posted').length;
  console.log(`two processes, ${fireTimes.length} minutes: p1 posted ${won(r1)}, p2 posted ${won(r2)}`);
});

test('two processes starting together catch a missed run up once', async () => {
  const db = tmp.file('start.db');
  await openStore(db).close();
  const before = slack.channelMessages(CHANNEL).length;
  await race((owner) => ({ ...common(db, '2025-03-03T07:20:00Z'), owner, mode: 'start', fireTimes: [] }));
  expect(slack.channelMessages(CHANNEL).length - before).toBe(1);
  const store = openStore(db);
  expect(await store.getScheduleRun('daily', '2025-03-03T07:00:00.000Z')).toMatchObject({ attempts: 1 });
  expect(await store.listAuditLog({ kinds: ['digest'] })).toHaveLength(1);
  await store.close();
});
