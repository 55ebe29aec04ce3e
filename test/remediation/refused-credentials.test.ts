/**
 * Credentials AWS refuses, through the real SDK against the sandbox's STS (cis-bot signs in to a hub
 * account and assumes CisBotAudit in the target): a role session revoked or expired between proposal and
 * approval is dropped and the role assumed again ONCE, so the approved plan runs instead of going stale;
 * a session refused again is named as a credentials problem (never "grant ..."), is not retried in a loop,
 * and leaves the approval standing, audit-logged, to run once AWS accepts the credentials.
 */
import { remediationExecution } from '../../src/core/remediation';
import type { Sandbox } from '../../src/sandbox';
import {
  ACCOUNT,
  ALICE,
  brokenScenario,
  configDoc,
  type Harness,
  HUB,
  REGION,
  startHarness,
  viaRole,
} from './helpers';

const DOC = configDoc({ aws: { region: REGION, accounts: [ACCOUNT] } });
const ROLE = `arn:aws:iam::${ACCOUNT}:role/CisBotAudit`;
const WRITES = ['PutMetricFilter', 'CreateTopic', 'Subscribe', 'PutMetricAlarm'];

const assumeRoles = (h: Harness) => h.sandbox.calls.filter((c) => c.operation === 'AssumeRole').length;
const writes = (h: Harness) => WRITES.reduce((n, op) => n + h.calls(op), 0);

async function proposed(h: Harness) {
  const p = await h.approvals.propose('remediation', { control: '4.1', accountId: ACCOUNT }, ALICE);
  if (p.kind !== 'plan') throw new Error(`expected a plan, got ${p.kind}`);
  return p;
}

/** AWS revokes the sessions it handed out (cis-bot's cache still holds them). */
function revokeSessions(sandbox: Sandbox): void {
  for (const key of [...sandbox.state.sessions.keys()]) sandbox.revokeCredentials(key);
}

/** The sessions' tokens expire early (cis-bot's cache still believes they have an hour left). */
function expireSessions(sandbox: Sandbox): void {
  for (const s of sandbox.state.sessions.values()) s.expiration = new Date(Date.now() - 1000);
}

describe.each([
  ['revoked', revokeSessions],
  ['expired', expireSessions],
])('an assumed-role session %s between proposal and approval', (_what, spoil) => {
  test('is dropped and the role assumed again once; the approved plan runs, it is not stale', async () => {
    const h = await startHarness(viaRole(brokenScenario(['alarm'])), DOC, { hub: true });
    try {
      const p = await proposed(h);
      expect(assumeRoles(h)).toBe(1);
      spoil(h.sandbox);
      h.sandbox.resetCalls();

      const outcome = remediationExecution(await h.approvals.approveAndExecute(p.approval.id, ALICE));

      expect(outcome.approval.state).toBe('succeeded');
      expect(outcome.result.status).toBe('compliant');
      expect(h.calls('PutMetricAlarm')).toBe(1);
      // Exactly one new AssumeRole, however many calls the refused session had in flight.
      expect(assumeRoles(h)).toBe(1);
      const refused = h.sandbox.calls.filter((c) => c.status >= 400);
      expect(refused.length).toBeGreaterThan(0);
      for (const c of refused)
        expect(c.errorCode).toMatch(
          /^(UnrecognizedClientException|InvalidClientTokenId|ExpiredToken(Exception)?)$/,
        );
      const kinds = (await h.store.listAuditLog({ approvalId: p.approval.id })).map((e) => e.kind);
      expect(kinds).not.toContain('stale');
    } finally {
      await h.close();
    }
  });
});

describe('a session AWS refuses again after the role is assumed once more', () => {
  test('is named as refused credentials, retried once only, and the approval stands for later', async () => {
    const h = await startHarness(viaRole(brokenScenario(['alarm'])), DOC, { hub: true });
    try {
      const p = await proposed(h);
      h.sandbox.resetCalls();
      // The first DescribeTrails of the re-check and its one retry with a new session are both refused.
      h.sandbox.failNext('cloudtrail:DescribeTrails', 'UnrecognizedClientException', 2);

      let message = '';
      await h.approvals.approveAndExecute(p.approval.id, ALICE).then(
        () => {
          throw new Error('expected a refusal');
        },
        (error: Error & { reason?: string }) => {
          expect(error.reason).toBe('aws-credentials');
          message = error.message;
        },
      );
      expect(message).toContain(`the session cis-bot assumed in role ${ROLE} (UnrecognizedClientException)`);
      expect(message).toContain('invalid, expired or revoked');
      expect(message).not.toMatch(/grant|access denied/i);
      expect(h.sandbox.calls.filter((c) => c.operation === 'DescribeTrails').length).toBe(2);
      expect(assumeRoles(h)).toBe(1);
      expect(writes(h)).toBe(0);
      // Not stale, not used up: still approved, and the refusal is in the audit log.
      expect((await h.approvals.get(p.approval.id))?.state).toBe('approved');
      const log = await h.store.listAuditLog({ approvalId: p.approval.id });
      expect(log.map((e) => e.kind)).not.toContain('stale');
      expect(log.find((e) => e.kind === 'refused')?.detail).toMatchObject({ reason: 'aws-credentials' });

      // Once AWS accepts the credentials again, the same approval runs.
      const outcome = remediationExecution(await h.approvals.execute(p.approval.id));
      expect(outcome.approval.state).toBe('succeeded');
      expect(h.calls('PutMetricAlarm')).toBe(1);
    } finally {
      await h.close();
    }
  });

  test("cis-bot's own key revoked: AssumeRole names cis-bot's credentials, not the role's trust policy", async () => {
    const h = await startHarness(viaRole(brokenScenario(['alarm'])), DOC, { hub: true });
    try {
      const p = await proposed(h);
      revokeSessions(h.sandbox);
      h.sandbox.revokeCredentials(h.sandbox.credentialsFor(HUB).accessKeyId);

      const error = await h.approvals.approveAndExecute(p.approval.id, ALICE).then(
        () => undefined,
        (e: Error & { reason?: string }) => e,
      );
      expect(error?.reason).toBe('aws-credentials');
      expect(error?.message).toContain(`cannot assume ${ROLE}: AWS refused cis-bot's own AWS credentials`);
      expect(error?.message).toContain('(InvalidClientTokenId)');
      expect(error?.message).not.toMatch(/trust policy|grant/);
      expect((await h.approvals.get(p.approval.id))?.state).toBe('approved');
      expect(writes(h)).toBe(0);
    } finally {
      await h.close();
    }
  });
});
