import { ApprovalLedger } from '../../src/core/approvals/ledger';
import type { Actor } from '../../src/core/ports/chat';
import { openStore, type SqliteStore } from '../../src/store';
import { tempDir } from '../store/helpers';
import {
  ACCOUNT,
  approvalsSettings,
  approver,
  PLAN_HASH,
  refusal,
  requester,
  savePlan,
} from './fixtures/setup';

const tmp = tempDir('cis-bot-approvals-');
afterAll(() => tmp.remove());

const T0 = Date.parse('2025-03-01T09:00:00.000Z');
let clock = T0;
const minutes = (m: number) => {
  clock += m * 60_000;
};
let store: SqliteStore;
let ids = 0;
let service: ApprovalLedger;

function makeService(owner = 'replica-a', settings = approvalsSettings()): ApprovalLedger {
  return new ApprovalLedger({
    store,
    settings,
    now: () => new Date(clock),
    newId: () => `ap-${++ids}`,
    owner,
  });
}

beforeEach(async () => {
  clock = T0;
  store = openStore(tmp.file(`approvals-${ids}-${Date.now()}.db`));
  service = makeService();
  await savePlan(store, PLAN_HASH, new Date(T0));
});
afterEach(() => store.close());

const request = () =>
  service.request({
    kind: 'remediation',
    planHash: PLAN_HASH,
    control: '4.1',
    accountId: ACCOUNT,
    requestedBy: requester,
    conversation: { platform: 'slack', id: 'C_SEC', messageRef: '1700000000.000100' },
  });

async function kinds(approvalId: string): Promise<string[]> {
  return (await store.listAuditLog({ approvalId, limit: 100 })).map((e) => e.kind).reverse();
}

describe('ApprovalLedger', () => {
  it('requests an approval that expires after the configured TTL, and logs it', async () => {
    const approval = await request();
    expect(approval).toMatchObject({
      id: expect.stringMatching(/^ap-/),
      state: 'requested',
      planHash: PLAN_HASH,
      requestedBy: { platform: 'slack', userId: 'U_REQUESTER', displayName: 'Rita' },
      createdAt: '2025-03-01T09:00:00.000Z',
      expiresAt: '2025-03-01T10:00:00.000Z',
      conversation: { platform: 'slack', id: 'C_SEC', messageRef: '1700000000.000100' },
    });
    const [entry] = await store.listAuditLog({ approvalId: approval.id });
    expect(entry).toMatchObject({
      kind: 'approval-requested',
      actor: { platform: 'slack', userId: 'U_REQUESTER' },
      platform: 'slack',
      planHash: PLAN_HASH,
      control: '4.1',
      accountId: ACCOUNT,
    });
  });

  it('records an approval with who, when, platform and plan hash', async () => {
    const { id } = await request();
    minutes(3);
    const approved = await service.decide({ approvalId: id, actor: approver(1), decision: 'approve' });
    expect(approved).toMatchObject({
      state: 'approved',
      decidedBy: { platform: 'slack', userId: 'U_APPROVER_1', displayName: 'Approver 1' },
      decidedAt: '2025-03-01T09:03:00.000Z',
    });
    const [entry] = await store.listAuditLog({ approvalId: id, limit: 1 });
    expect(entry).toMatchObject({
      kind: 'approved',
      at: '2025-03-01T09:03:00.000Z',
      actor: { platform: 'slack', userId: 'U_APPROVER_1' },
      platform: 'slack',
      planHash: PLAN_HASH,
      detail: { from: 'requested', to: 'approved', decision: 'approve' },
    });
    const again = await refusal(service.decide({ approvalId: id, actor: approver(2), decision: 'approve' }));
    expect(again.reason).toBe('already-decided');
    expect(again.message).toBe(
      `Approval ${id} was already approved by Approver 1 (U_APPROVER_1) at 2025-03-01T09:03:00.000Z.`,
    );
  });

  it('accepts a member of a configured user group', async () => {
    const { id } = await request();
    const member: Actor = { platform: 'slack', userId: 'U_GROUPIE', groups: ['S_SECOPS'] };
    expect((await service.decide({ approvalId: id, actor: member, decision: 'approve' })).state).toBe(
      'approved',
    );
  });

  it('records a rejection, after which nothing can be approved or executed', async () => {
    const { id } = await request();
    const rejected = await service.decide({ approvalId: id, actor: approver(4), decision: 'reject' });
    expect(rejected.state).toBe('rejected');
    expect(
      (await refusal(service.decide({ approvalId: id, actor: approver(5), decision: 'approve' }))).message,
    ).toMatch(/already rejected by Approver 4 \(U_APPROVER_4\) at 2025-03-01T09:00:00.000Z/);
    expect((await refusal(service.beginExecution(id, PLAN_HASH))).reason).toBe('already-decided');
    expect(await kinds(id)).toEqual(['approval-requested', 'rejected', 'refused']);
  });

  it('refuses an unauthorized approver, logs the refusal, and changes nothing else', async () => {
    const { id } = await request();
    const before = await store.getApproval(id);
    const stranger: Actor = { platform: 'slack', userId: 'U_STRANGER' };
    const error = await refusal(service.decide({ approvalId: id, actor: stranger, decision: 'approve' }));
    expect(error.reason).toBe('forbidden');
    expect(await store.getApproval(id)).toEqual(before);
    const [entry] = await store.listAuditLog({ approvalId: id, limit: 1 });
    expect(entry).toMatchObject({
      kind: 'refused',
      actor: { platform: 'slack', userId: 'U_STRANGER' },
      detail: { decision: 'approve', reason: 'forbidden', state: 'requested', message: error.message },
    });
  });

  it('refuses self-approval on Slack', async () => {
    const selfRequester: Actor = { platform: 'slack', userId: 'U_REQ_APPROVER' };
    const { id } = await service.request({
      kind: 'remediation',
      planHash: PLAN_HASH,
      control: '4.1',
      accountId: ACCOUNT,
      requestedBy: selfRequester,
    });
    const error = await refusal(
      service.decide({ approvalId: id, actor: selfRequester, decision: 'approve' }),
    );
    expect(error.reason).toBe('self-approval');
    expect((await store.getApproval(id))?.state).toBe('requested');
    expect(await kinds(id)).toEqual(['approval-requested', 'refused']);
  });

  it('expires a request past its TTL and refuses the late decision', async () => {
    const { id } = await request();
    minutes(60);
    const error = await refusal(service.decide({ approvalId: id, actor: approver(1), decision: 'approve' }));
    expect(error.reason).toBe('expired');
    expect(error.message).toBe(
      `Approval ${id} expired at 2025-03-01T10:00:00.000Z without a decision; ask for a new plan.`,
    );
    expect((await store.getApproval(id))?.state).toBe('expired');
    expect(
      (await refusal(service.decide({ approvalId: id, actor: approver(2), decision: 'approve' }))).reason,
    ).toBe('expired');
    expect(await kinds(id)).toEqual(['approval-requested', 'expired', 'refused', 'refused']);
  });

  it('expires overdue requests in a sweep', async () => {
    const first = await request();
    minutes(30);
    const second = await request();
    minutes(31);
    expect((await service.expireOverdue()).map((a) => a.id)).toEqual([first.id]);
    expect((await store.getApproval(second.id))?.state).toBe('requested');
    expect(await service.expireOverdue()).toEqual([]);
  });

  it('refuses an unknown approval', async () => {
    const error = await refusal(
      service.decide({ approvalId: 'nope', actor: approver(1), decision: 'approve' }),
    );
    expect(error.reason).toBe('not-found');
    expect((await store.listAuditLog({ approvalId: 'nope' }))[0]?.kind).toBe('refused');
  });

  it('marks the approval stale when the re-derived plan differs', async () => {
    const { id } = await request();
    await service.decide({ approvalId: id, actor: approver(1), decision: 'approve' });
    const error = await refusal(service.beginExecution(id, 'sha256:plan-b'));
    expect(error.reason).toBe('stale');
    expect(error.message).toBe(
      `The account changed since the plan was shown (approval ${id}); ask for a new plan.`,
    );
    expect(await store.getApproval(id)).toMatchObject({ state: 'stale' });
    expect((await refusal(service.beginExecution(id, PLAN_HASH))).reason).toBe('already-decided');
    expect((await store.listAuditLog({ approvalId: id, limit: 1 }))[0]).toMatchObject({
      kind: 'stale',
      detail: { approvedPlanHash: PLAN_HASH, currentPlanHash: 'sha256:plan-b' },
    });
  });

  it('does not execute what is not approved yet', async () => {
    const { id } = await request();
    expect((await refusal(service.beginExecution(id, PLAN_HASH))).message).toMatch(/must be approved first/);
  });

  it('executes once: begin, steps, finish (only the owner finishes)', async () => {
    const { id } = await request();
    await service.decide({ approvalId: id, actor: approver(1), decision: 'approve' });
    minutes(1);
    const executing = await service.beginExecution(id, PLAN_HASH);
    expect(executing).toMatchObject({
      state: 'executing',
      executionOwner: 'replica-a',
      executionStartedAt: '2025-03-01T09:01:00.000Z',
    });
    // Liveness is the account's lease (the workflow's), not an expiry on the row.
    expect(executing.executionLeaseUntil).toBeUndefined();
    expect((await refusal(service.beginExecution(id, PLAN_HASH))).message).toMatch(/is being executed since/);
    await service.logStep(executing, { step: 1, outcome: 'created' });
    minutes(4);
    const other = makeService('replica-b');
    expect((await refusal(other.finishExecution(id, 'succeeded', {}))).message).toMatch(/no longer owns/);
    const done = await service.finishExecution(id, 'succeeded', { reaudit: 'COMPLIANT' });
    expect(done).toMatchObject({ state: 'succeeded', result: { reaudit: 'COMPLIANT' } });
    expect(done.executionLeaseUntil).toBeUndefined();
    expect(await service.executionsToCheck()).toEqual([]);
    expect(await kinds(id)).toEqual([
      'approval-requested',
      'approved',
      'execution-started',
      'step',
      'execution-finished',
    ]);
  });

  it('lists executions to check and lets exactly one replica take one over (the lease decides when)', async () => {
    const { id } = await request();
    await service.decide({ approvalId: id, actor: approver(1), decision: 'approve' });
    await service.beginExecution(id, PLAN_HASH);
    const b = makeService('replica-b');
    const c = makeService('replica-c');
    expect((await b.executionsToCheck()).map((a) => a.id)).toEqual([id]);
    const results = await Promise.allSettled([b.resumeInterrupted(id), c.resumeInterrupted(id)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const winner = (await store.getApproval(id))?.executionOwner === 'replica-b' ? b : c;
    // The crashed owner cannot come back and finish over the new one.
    expect((await refusal(service.finishExecution(id, 'succeeded', {}))).reason).toBe('already-decided');
    const done = await winner.finishExecution(
      id,
      'failed',
      { failedStep: 2 },
      'PutMetricAlarm: AccessDenied',
    );
    expect(done).toMatchObject({ state: 'failed', error: 'PutMetricAlarm: AccessDenied' });
    expect(await kinds(id)).toEqual([
      'approval-requested',
      'approved',
      'execution-started',
      'execution-resumed',
      'execution-finished',
    ]);
  });

  it('leaves an execution alone while an expiry on its row (written before the lease port) runs', async () => {
    const { id } = await request();
    await service.decide({ approvalId: id, actor: approver(1), decision: 'approve' });
    await service.beginExecution(id, PLAN_HASH);
    const legacy = new Date(clock + 60_000).toISOString();
    await store.transitionApproval(id, 'executing', 'executing', { executionLeaseUntil: legacy });
    expect(await service.executionsToCheck()).toEqual([]);
    minutes(1);
    expect((await service.executionsToCheck()).map((a) => a.id)).toEqual([id]);
  });

  it('keeps the message and thread an approval was clicked on, in its own conversation', async () => {
    const { id } = await request();
    const approved = await service.decide({
      approvalId: id,
      actor: approver(1),
      decision: 'approve',
      conversation: { platform: 'slack', id: 'C_SEC' },
      message: { messageRef: '1700000000.000200', threadRef: '1700000000.000100' },
    });
    expect(approved.conversation).toEqual({
      platform: 'slack',
      id: 'C_SEC',
      messageRef: '1700000000.000200',
      threadRef: '1700000000.000100',
    });
    expect((await store.getApproval(id))?.conversation).toEqual(approved.conversation);
  });

  it('approves automatically for default_action remediate, as cis-bot itself', async () => {
    const approved = await service.approveAutomatically({
      kind: 'remediation',
      planHash: PLAN_HASH,
      control: '4.1',
      accountId: ACCOUNT,
      reason: 'controls.4.1.default_action is remediate',
    });
    expect(approved).toMatchObject({
      state: 'approved',
      decidedBy: { platform: 'system', userId: 'cis-bot' },
    });
    expect((await service.beginExecution(approved.id, PLAN_HASH)).state).toBe('executing');
    const log = await store.listAuditLog({ approvalId: approved.id, kinds: ['approved'] });
    expect(log[0]?.detail).toMatchObject({
      automatic: true,
      reason: 'controls.4.1.default_action is remediate',
    });
  });

  it('refuses to request approval of a plan that was never saved', async () => {
    await expect(
      service.request({
        kind: 'remediation',
        planHash: 'sha256:unknown',
        control: '4.1',
        accountId: ACCOUNT,
        requestedBy: requester,
      }),
    ).rejects.toThrow(/save the plan before asking for approval/);
  });
});
