/**
 * The one approval workflow with a kind it has never seen: an "exception" (accept a failing control until
 * a date), registered next to the remediation kind the way src/runtime.ts registers kinds. Everything the
 * workflow owns applies to it unchanged (authorization, distinct approver, platform binding, TTL, the
 * audit log, stale subjects, one execution, resumption after a crash), and the kind decides only what is
 * approved, how it runs and how it shows. Real SQLite store; the handler is the extension point itself.
 */
import { approvalSettings } from '../../src/config/core-settings';
import { loadConfig } from '../../src/config/load';
import {
  type ApprovalKindHandler,
  type ApprovalSubject,
  ApprovalWorkflow,
  type Progress,
} from '../../src/core/approvals';
import type { Card } from '../../src/core/cards';
import { CisBotError } from '../../src/core/errors';
import type { Actor } from '../../src/core/ports/chat';
import { canonicalJson, sha256Hex } from '../../src/core/remediation';
import { openStore, type SqliteStore } from '../../src/store';
import { tempDir } from '../store/helpers';
import { refusal } from './fixtures/setup';

interface ExceptionTerms {
  control: string;
  accountId: string;
  until: string;
  reason: string;
}

type ExceptionTypes = {
  input: ExceptionTerms;
  subject: ExceptionTerms;
  proposal: { terms: ExceptionTerms; approvalId: string };
  event: { accepted: string };
  outcome: { acceptedUntil: string };
};

const ACCOUNT = '123456789012';
const REQUESTER: Actor = { platform: 'slack', userId: 'U_RITA', displayName: 'Rita' };
const APPROVER: Actor = { platform: 'slack', userId: 'U_BO', displayName: 'Bo' };
const TERMS: ExceptionTerms = {
  control: '4.1',
  accountId: ACCOUNT,
  until: '2027-03-31',
  reason: 'migration',
};

/** A toy exception kind: what it is told, it records, so the test can see how often it ran and with what. */
function exceptionKind() {
  const runs: ExceptionTerms[] = [];
  const state = { termsNow: (t: ExceptionTerms): ExceptionTerms => t };
  const subjectOf = (terms: ExceptionTerms): ApprovalSubject<ExceptionTerms> => ({
    hash: sha256Hex(canonicalJson(terms)),
    control: terms.control,
    accountId: terms.accountId,
    body: terms,
  });
  const handler: ApprovalKindHandler<ExceptionTypes> = {
    kind: 'exception',
    async propose(input, ctx) {
      const approval = await ctx.request(subjectOf(input));
      return { terms: input, approvalId: approval.id };
    },
    async recheck(stored) {
      return { subject: subjectOf(state.termsNow(stored.body)) };
    },
    async run(subject, ctx) {
      await ctx.heartbeat();
      await ctx.progress({ accepted: subject.body.until });
      await ctx.logStep({ accepted: subject.body.until });
      runs.push(subject.body);
      return { outcome: { acceptedUntil: subject.body.until }, state: 'succeeded', result: { ok: true } };
    },
    present: {
      decided: (terms, approval): Card => ({
        summary: `Exception for ${terms.control}: ${approval.state} by ${approval.decidedBy?.userId}`,
        elements: [],
      }),
      progress: (event): Card => ({ summary: `accepted until ${event.accepted}`, elements: [] }),
      outcome: (outcome): Card => ({ summary: `ACCEPTED until ${outcome.acceptedUntil}`, elements: [] }),
    },
  };
  return { handler, runs, state };
}

const tmp = tempDir('cis-bot-workflow-');
afterAll(() => tmp.remove());

let store: SqliteStore;
let n = 0;
let clock: number;
beforeEach(() => {
  store = openStore(tmp.file(`workflow-${n++}.db`));
  clock = Date.parse('2026-12-04T09:00:00.000Z');
});
afterEach(() => store.close());

function workflow(kind = exceptionKind(), owner = 'replica-a') {
  const settings = approvalSettings(
    loadConfig({ document: { approvals: { slack: { users: ['U_RITA', 'U_BO'] } } }, env: {} }),
  );
  const approvals = new ApprovalWorkflow({
    store,
    settings,
    kinds: { exception: kind.handler },
    now: () => new Date(clock),
    owner,
  });
  return { approvals, ...kind };
}

test('a new kind is requested, decided and run once under the rules every approval follows', async () => {
  const { approvals, runs } = workflow();
  const proposal = await approvals.propose('exception', TERMS, REQUESTER, { platform: 'slack', id: 'C1' });
  const requested = await approvals.get(proposal.approvalId);
  expect(requested).toMatchObject({
    kind: 'exception',
    state: 'requested',
    control: '4.1',
    accountId: ACCOUNT,
  });

  // The same rules as a remediation: no self-approval, approvers only, on the platform it was asked on.
  expect((await refusal(approvals.decide(proposal.approvalId, REQUESTER, 'approve'))).reason).toBe(
    'self-approval',
  );
  const stranger: Actor = { platform: 'slack', userId: 'U_EVE' };
  expect((await refusal(approvals.decide(proposal.approvalId, stranger, 'approve'))).message).toMatch(
    /may not approve exceptions on slack/,
  );
  const elsewhere: Actor = { platform: 'teams', userId: 'U_BO' };
  expect((await refusal(approvals.decide(proposal.approvalId, elsewhere, 'approve'))).reason).toBe(
    'forbidden',
  );

  const approved = await approvals.decide(proposal.approvalId, APPROVER, 'approve');
  expect((await approvals.decidedCard(approved)).summary).toBe('Exception for 4.1: approved by U_BO');
  const progress: Array<Progress<{ exception: ReturnType<typeof exceptionKind>['handler'] }>> = [];
  const [first, ...others] = await Promise.allSettled([
    approvals.execute(proposal.approvalId, (update) => {
      progress.push(update);
    }),
    approvals.execute(proposal.approvalId),
    approvals.execute(proposal.approvalId),
  ]);
  expect(first.status).toBe('fulfilled');
  if (first.status !== 'fulfilled') return;
  expect(first.value).toMatchObject({
    kind: 'exception',
    acceptedUntil: '2027-03-31',
    approval: { state: 'succeeded', result: { ok: true } },
    card: { summary: 'ACCEPTED until 2027-03-31' },
  });
  expect(others.map((o) => o.status)).toEqual(['rejected', 'rejected']);
  expect(runs).toEqual([TERMS]);
  expect(progress).toEqual([
    {
      kind: 'exception',
      event: { accepted: '2027-03-31' },
      card: { summary: 'accepted until 2027-03-31', elements: [] },
    },
  ]);
  const log = (await store.listAuditLog({ approvalId: proposal.approvalId, limit: 50 })).reverse();
  expect(log.filter((e) => e.kind !== 'refused').map((e) => e.kind)).toEqual([
    'approval-requested',
    'approved',
    'execution-started',
    'step',
    'execution-finished',
  ]);
  expect(log.filter((e) => e.kind === 'refused')).toHaveLength(3);
});

test('a request past its TTL expires; a subject that changed before it ran goes stale and never runs', async () => {
  const { approvals, runs, state } = workflow();
  const late = await approvals.propose('exception', TERMS, REQUESTER);
  clock += 61 * 60_000; // the default TTL is 60 minutes
  expect((await refusal(approvals.decide(late.approvalId, APPROVER, 'approve'))).reason).toBe('expired');

  const changed = await approvals.propose('exception', { ...TERMS, until: '2027-06-30' }, REQUESTER);
  await approvals.decide(changed.approvalId, APPROVER, 'approve');
  state.termsNow = (t) => ({ ...t, reason: 'something else now' });
  expect((await refusal(approvals.execute(changed.approvalId))).reason).toBe('stale');
  expect((await approvals.get(changed.approvalId))?.state).toBe('stale');
  expect(runs).toEqual([]);
});

test('an execution a crash interrupted is resumed by another process once its lease lapsed', async () => {
  const crashing = workflow(exceptionKind(), 'crashed-replica');
  const proposal = await crashing.approvals.propose('exception', TERMS, REQUESTER);
  await crashing.approvals.decide(proposal.approvalId, APPROVER, 'approve');
  // The process begins the execution under the account's lease and dies: the approval stays `executing`.
  const ledgerView = () => store.getApproval(proposal.approvalId);
  const crashedOwner = `exception ${proposal.approvalId}@crashed-replica`;
  await store.acquireLease(`account:${ACCOUNT}`, crashedOwner, 30_000, new Date(clock));
  await store.transitionApproval(proposal.approvalId, 'approved', 'executing', {
    executionOwner: crashedOwner,
  });

  const survivor = workflow(exceptionKind(), 'survivor');
  expect(await survivor.approvals.resumeInterrupted()).toEqual([]); // the lease still holds
  clock += 31_000;
  const [resumed] = await survivor.approvals.resumeInterrupted();
  expect(resumed).toMatchObject({ kind: 'exception', acceptedUntil: '2027-03-31' });
  expect(survivor.runs).toEqual([TERMS]);
  expect(await ledgerView()).toMatchObject({
    state: 'succeeded',
    executionOwner: `exception ${proposal.approvalId}@survivor`,
  });
  // Released at the end: the account is free for the next piece of work.
  expect(await store.getLease(`account:${ACCOUNT}`)).toBeUndefined();
  expect(await survivor.approvals.resumeInterrupted()).toEqual([]);
});

test('kinds are never approved automatically unless they say when, and unknown kinds are refused', async () => {
  const { approvals } = workflow();
  expect((await refusal(approvals.runAutomatically('exception', TERMS))).message).toBe(
    'Approvals of kind "exception" are never granted automatically.',
  );
  const other = workflow();
  const proposal = await other.approvals.propose('exception', TERMS, REQUESTER);
  await other.approvals.decide(proposal.approvalId, APPROVER, 'approve');
  // A process that registered no exception kind (an older replica) refuses to run one, loudly.
  const settings = approvalSettings(loadConfig({ document: {}, env: {} }));
  const older = new ApprovalWorkflow({ store, settings, kinds: {} });
  await expect(older.execute(proposal.approvalId)).rejects.toThrow(
    /approvals of kind "exception" are not handled by this cis-bot/,
  );
  expect(() => new ApprovalWorkflow({ store, settings, kinds: { drill: exceptionKind().handler } })).toThrow(
    CisBotError,
  );
});
