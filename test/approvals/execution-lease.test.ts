/**
 * Executions under the account's lease (one lease port for every per-account exclusion), on both stores:
 * a run holds `account:<id>` while it works and releases it after; a lease another replica took over
 * (after it lapsed) stops the run before its next step and the new holder finishes it, each step once;
 * work that holds the account (a fire drill, a re-audit) keeps an approval from starting until it is
 * done; and of two replicas on one database resuming a lapsed execution, exactly one does. Replicas are
 * workflow instances over separate store handles on one database; the clock is the test's.
 */
import { approvalSettings } from '../../src/config/core-settings';
import { loadConfig } from '../../src/config/load';
import { type ApprovalKindHandler, type ApprovalSubject, ApprovalWorkflow } from '../../src/core/approvals';
import type { Card } from '../../src/core/cards';
import type { Actor } from '../../src/core/ports/chat';
import type { Store } from '../../src/core/ports/store';
import { canonicalJson, sha256Hex } from '../../src/core/remediation';
import { openStore } from '../../src/store';
import { tempDir } from '../store/helpers';
import { freshPostgresStore } from '../support/postgres';
import { refusal } from './fixtures/setup';

const ACCOUNT = '123456789012';
const KEY = `account:${ACCOUNT}`;
const REQUESTER: Actor = { platform: 'slack', userId: 'U_RITA' };
const APPROVER: Actor = { platform: 'slack', userId: 'U_BO' };
const STEPS = ['one', 'two', 'three'];

type StepsTypes = {
  input: { accountId: string };
  subject: { steps: string[] };
  proposal: string;
  event: { step: string };
  outcome: { ran: string[] };
};

/**
 * A toy kind of three steps over a shared "account" (the set of steps done): each step re-reads it and
 * skips what is done, like a remediation. `gate(replica, step)` holds a step until the test lets it go.
 */
function world() {
  const done = new Set<string>();
  const executed: Array<{ replica: string; step: string }> = [];
  const gates = new Map<string, { reached: () => void; release: () => void; wait: Promise<void> }>();
  function gate(replica: string, step: string) {
    let reached!: () => void;
    let release!: () => void;
    const reachedP = new Promise<void>((r) => {
      reached = r;
    });
    const wait = new Promise<void>((r) => {
      release = r;
    });
    gates.set(`${replica}/${step}`, { reached, release, wait });
    return { reached: reachedP, release };
  }
  function handler(replica: string): ApprovalKindHandler<StepsTypes> {
    const subjectOf = (accountId: string): ApprovalSubject<{ steps: string[] }> => ({
      hash: sha256Hex(canonicalJson({ accountId, steps: STEPS })),
      control: '4.1',
      accountId,
      body: { steps: STEPS },
    });
    return {
      kind: 'steps',
      async propose(input, ctx) {
        return (await ctx.request(subjectOf(input.accountId))).id;
      },
      async recheck(stored) {
        return { subject: subjectOf(stored.accountId) };
      },
      async run(subject, ctx) {
        const ran: string[] = [];
        for (const step of subject.body.steps) {
          // The gate is between steps: the replica hangs there, before its heartbeat.
          const held = gates.get(`${replica}/${step}`);
          if (held) {
            held.reached();
            await held.wait;
          }
          await ctx.heartbeat();
          if (done.has(step)) continue;
          done.add(step);
          executed.push({ replica, step });
          ran.push(step);
          await ctx.progress({ step });
        }
        return { outcome: { ran }, state: 'succeeded', result: { ran } };
      },
      present: {
        decided: (): Card => ({ summary: 'decided', elements: [] }),
        progress: (event): Card => ({ summary: `step ${event.step}`, elements: [] }),
        outcome: (outcome): Card => ({ summary: `ran ${outcome.ran.join(',')}`, elements: [] }),
      },
    };
  }
  return { done, executed, gate, handler };
}

type Opened = { store: Store; openPeer(): Promise<Store> };
const tmp = tempDir('cis-bot-leases-');
afterAll(() => tmp.remove());
let n = 0;

const stores: Array<[string, () => Promise<Opened>]> = [
  [
    'SQLite',
    async () => {
      const file = tmp.file(`leases-${n++}.db`);
      return { store: openStore(file), openPeer: async () => openStore(file) };
    },
  ],
  ['PostgreSQL', freshPostgresStore],
];

describe.each(stores)('executions hold the account lease (%s)', (_name, open) => {
  let clock: number;
  let handles: Store[];
  let w: ReturnType<typeof world>;
  let opened: Opened;

  beforeEach(async () => {
    clock = Date.parse('2026-12-05T09:00:00.000Z');
    opened = await open();
    handles = [opened.store];
    w = world();
  });
  afterEach(async () => {
    for (const h of handles) await h.close();
  });

  async function replica(name: string) {
    const store = name === 'replica-a' ? opened.store : await opened.openPeer();
    if (store !== opened.store) handles.push(store);
    const settings = approvalSettings(
      loadConfig({ document: { approvals: { slack: { users: ['U_BO'] } } }, env: {} }),
    );
    return new ApprovalWorkflow({
      store,
      settings,
      kinds: { steps: w.handler(name) },
      now: () => new Date(clock),
      owner: name,
      leases: { leaseMs: 30_000, renewMs: 10_000 },
    });
  }

  async function approved(a: ApprovalWorkflow<{ steps: ApprovalKindHandler<StepsTypes> }>) {
    const id = await a.propose('steps', { accountId: ACCOUNT }, REQUESTER);
    await a.decide(id, APPROVER, 'approve');
    return id;
  }

  it('holds account:<id> while it runs (owner: kind, approval, replica) and releases it after', async () => {
    const a = await replica('replica-a');
    const id = await approved(a);
    const two = w.gate('replica-a', 'two');
    const running = a.execute(id);
    await two.reached;
    expect(await opened.store.getLease(KEY)).toMatchObject({ owner: `steps ${id}@replica-a` });
    expect((await a.get(id))?.executionOwner).toBe(`steps ${id}@replica-a`);
    two.release();
    expect((await running).approval.state).toBe('succeeded');
    expect(await opened.store.getLease(KEY)).toBeUndefined();
  });

  it('stops a run whose lease was taken over before its next step; the new holder finishes, each step once', async () => {
    const a = await replica('replica-a');
    const b = await replica('replica-b');
    const id = await approved(a);
    const two = w.gate('replica-a', 'two');
    const running = a.execute(id);
    await two.reached;
    // Replica A hangs past its lease (no renewal in 30 s); B's scan finds the lapsed lease and takes over.
    expect(await b.interruptedExecutions()).toEqual([]);
    clock += 31_000;
    expect((await b.interruptedExecutions()).map((x) => x.id)).toEqual([id]);
    const [resumed] = await b.resumeInterrupted();
    expect(resumed).toMatchObject({ kind: 'steps', ran: ['two', 'three'] });
    // A wakes up before step two: its lease was taken over, so it stops there.
    two.release();
    const stopped = await refusal(running);
    expect(stopped.reason).toBe('lease-lost');
    expect(w.executed).toEqual([
      { replica: 'replica-a', step: 'one' },
      { replica: 'replica-b', step: 'two' },
      { replica: 'replica-b', step: 'three' },
    ]);
    expect(await a.get(id)).toMatchObject({ state: 'succeeded', executionOwner: `steps ${id}@replica-b` });
    const log = (await opened.store.listAuditLog({ approvalId: id, limit: 50 })).map((e) => e.kind).reverse();
    expect(log).toEqual([
      'approval-requested',
      'approved',
      'execution-started',
      'execution-resumed',
      'execution-finished',
    ]);
    expect(await opened.store.getLease(KEY)).toBeUndefined();
  });

  it('does not start while other work holds the account (a fire drill), and runs once it is released', async () => {
    const a = await replica('replica-a');
    const id = await approved(a);
    const drill = `drill d-1@replica-z`;
    await opened.store.acquireLease(KEY, drill, 30_000, new Date(clock));
    const busy = await refusal(a.execute(id));
    expect(busy.reason).toBe('account-busy');
    expect(busy.message).toContain(drill);
    expect(busy.message).toContain('It stays approved');
    expect((await a.get(id))?.state).toBe('approved');
    expect(w.executed).toEqual([]);
    await opened.store.releaseLease(KEY, drill);
    expect((await a.execute(id)).approval.state).toBe('succeeded');
    expect(w.executed.map((e) => e.step)).toEqual(STEPS);
  });

  it('lets exactly one of two replicas resume an execution whose lease lapsed', async () => {
    const a = await replica('replica-a');
    const id = await approved(a);
    // Replica A begins under the lease and dies before its first step.
    const crashed = `steps ${id}@replica-a`;
    await opened.store.acquireLease(KEY, crashed, 30_000, new Date(clock));
    await opened.store.transitionApproval(id, 'approved', 'executing', { executionOwner: crashed });
    const b = await replica('replica-b');
    const c = await replica('replica-c');
    clock += 30_000;
    const outcomes = (await Promise.all([b.resumeInterrupted(), c.resumeInterrupted()])).flat();
    const executed = outcomes.filter((o) => 'approval' in o);
    expect(executed).toHaveLength(1);
    expect(w.executed.map((e) => e.step)).toEqual(STEPS);
    expect(new Set(w.executed.map((e) => e.replica)).size).toBe(1);
    expect((await a.get(id))?.state).toBe('succeeded');
  });
});
