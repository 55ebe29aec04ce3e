/**
 * The least-privilege policy printed by `cis-bot iam-policy` must cover every AWS call cis-bot really
 * makes: an audit (audit-only policy), then a plan + approve + execute + re-audit against the sandbox, with every link broken,
 * records its calls, and each call's IAM action must be in the policy (and nothing write-like may appear
 * in the audit-only policy). This is what keeps the README's IAM section honest.
 */

import { accountPolicy } from '../../adapters/cli/iam-policy';
import { createAwsAuditor } from '../../src/aws/auditor';
import { remediationExecution } from '../../src/core/remediation';
import { ALICE, allSubsets, brokenScenario, startHarness } from './helpers';

const SERVICE_PREFIX: Record<string, string> = {
  cloudtrail: 'cloudtrail',
  logs: 'logs',
  monitoring: 'cloudwatch',
  sns: 'sns',
  sts: 'sts',
};

function actionsOf(policy: object): Set<string> {
  const statements = (policy as { Statement: Array<{ Action: string[] }> }).Statement;
  return new Set(statements.flatMap((s) => s.Action));
}

describe('IAM policy coverage', () => {
  it('covers every call of an audit and a full remediation, and the audit policy holds no write', async () => {
    const everything = allSubsets().reduce((a, b) => (b.length > a.length ? b : a));
    const h = await startHarness(brokenScenario(everything));
    try {
      const auditPolicy = actionsOf(accountPolicy(['4.1'], false));
      await createAwsAuditor(h.config.aws, { session: h.session }).audit({ control: '4.1' });
      const auditCalls = h.sandbox.calls.filter((c) => c.service !== 'sts');
      expect(auditCalls.length).toBeGreaterThan(0);
      for (const call of auditCalls) {
        expect(auditPolicy).toContain(`${SERVICE_PREFIX[call.service]}:${call.operation}`);
      }
      expect([...auditPolicy].filter((a) => /:(Put|Create|Delete|Subscribe|Set)/.test(a))).toEqual([]);

      h.sandbox.resetCalls();
      const proposal = await h.approvals.propose(
        'remediation',
        { control: '4.1', accountId: undefined },
        ALICE,
      );
      expect(proposal.kind).toBe('plan');
      if (proposal.kind !== 'plan') return;
      const outcome = remediationExecution(await h.approvals.approveAndExecute(proposal.approval.id, ALICE));
      expect(outcome.result.status).toBe('compliant');
      const fullPolicy = actionsOf(accountPolicy(['4.1'], true));
      const used = new Set(
        h.sandbox.calls
          .filter((c) => c.service !== 'sts')
          .map((c) => `${SERVICE_PREFIX[c.service]}:${c.operation}`),
      );
      expect([...used].filter((a) => !fullPolicy.has(a))).toEqual([]);
      // Every write the plan made is one the policy grants, and the policy grants no write it never needs.
      expect([...fullPolicy].filter((a) => /:(Put|Create|Subscribe)/.test(a)).sort()).toEqual(
        [...used].filter((a) => /:(Put|Create|Subscribe)/.test(a)).sort(),
      );
    } finally {
      await h.close();
    }
  });
});
