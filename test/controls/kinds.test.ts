/**
 * What the registry derives for other engineers, and how each consumer treats each kind of control:
 * the CloudTrail events that can break which control and link (the drift alerts' rule and mapping), the
 * IAM actions per kind, and a service control (a fixture here, besides 4.16) audited by its check's
 * collector and evaluation, and answered with guidance by the remediation instead of being run as a chain.
 */
import { createAwsAuditor, runAudit } from '../../src/aws/auditor';
import { createAwsRemediationRuntime } from '../../src/aws/executor';
import { coreSettings } from '../../src/config/core-settings';
import { staticAccountDirectory } from '../../src/core/accounts';
import { ApprovalWorkflow } from '../../src/core/approvals';
import {
  breakingEvents,
  buildRegistry,
  CHAIN_BREAKING_CALLS,
  CIS_V4_SECTION_4,
  getMetricFilterControl,
  linksBrokenBy,
  metricFilterControls,
  readActionsFor,
  remediationActionsFor,
  type ServiceControl,
} from '../../src/core/controls';
import { LINKS } from '../../src/core/evaluate/findings';
import { createRemediationKind, RemediationAssessor } from '../../src/core/remediation';
import { ALICE, brokenScenario, startHarness } from '../remediation/helpers';

/** A service control shaped like issue 18's 4.16; only this test registers it. */
const SERVICE: ServiceControl = {
  kind: 'service',
  id: '9.1',
  cis: { 'v4.0.0': '9.1', 'v3.0.0': '9.1' },
  title: 'Ensure the example service is enabled',
  rationale: 'A fixture of the service kind: one setting of one service, no pattern and no chain.',
  severity: 'medium',
  check: 'security-hub',
  readActions: ['securityhub:DescribeHub'],
  remediationActions: [],
  breakingCalls: {
    'security-hub': [
      {
        eventSource: 'securityhub.amazonaws.com',
        eventName: 'DisableSecurityHub',
        why: 'turns the service off',
      },
    ],
  },
  guidance: { text: 'Enable it in every region in use.', cli: 'aws securityhub enable-security-hub' },
};

const CHAIN_IDS = metricFilterControls().map((c) => c.id);

describe('breaking events (what the drift alerts listen for)', () => {
  it('lists each (eventSource, eventName) once, sorted, with every control and link it affects', () => {
    const events = breakingEvents(metricFilterControls());
    const keys = events.map((e) => `${e.eventSource} ${e.eventName}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toEqual([...keys].sort());
    const calls = Object.values(CHAIN_BREAKING_CALLS).flat();
    expect(new Set(keys)).toEqual(new Set(calls.map((c) => `${c.eventSource} ${c.eventName}`)));
    for (const e of events) expect(new Set(e.affects.map((a) => a.control))).toEqual(new Set(CHAIN_IDS));
    // The whole registry adds 4.16's check, affecting 4.16 alone.
    const all = breakingEvents().filter((e) => !keys.includes(`${e.eventSource} ${e.eventName}`));
    expect(all.map((e) => [e.eventName, e.affects.map((a) => `${a.control} ${a.link}`)])).toEqual([
      ['DisableSecurityHub', ['4.16 security-hub']],
    ]);
  });

  it('names the calls that break each link, by the CloudTrail names AWS records', () => {
    const pairs = (link: string) =>
      breakingEvents([getMetricFilterControl('4.1')])
        .filter((e) => e.affects.some((a) => a.link === link))
        .map((e) => `${e.eventSource.replace('.amazonaws.com', '')}:${e.eventName}`);
    expect(pairs('logging')).toEqual(['cloudtrail:StopLogging']);
    expect(pairs('management-events')).toEqual(['cloudtrail:PutEventSelectors']);
    expect(pairs('log-group')).toEqual(['cloudtrail:UpdateTrail', 'logs:DeleteLogGroup']);
    expect(pairs('metric-filter')).toEqual(['logs:DeleteMetricFilter', 'logs:PutMetricFilter']);
    expect(pairs('alarm')).toEqual([
      'monitoring:DeleteAlarms',
      'monitoring:DisableAlarmActions',
      'monitoring:PutMetricAlarm',
    ]);
    // The topic's KMS key is read too (issue 18): the calls that change a key break the topic link.
    expect(pairs('topic')).toEqual([
      'kms:DisableKey',
      'kms:PutKeyPolicy',
      'kms:ScheduleKeyDeletion',
      'sns:DeleteTopic',
      'sns:RemovePermission',
      'sns:SetTopicAttributes',
    ]);
    expect(pairs('subscription')).toEqual(['sns:Unsubscribe']);
    expect(pairs('trail')).toEqual(
      expect.arrayContaining([
        'cloudtrail:DeleteTrail',
        'cloudtrail:UpdateTrail',
        'organizations:LeaveOrganization',
      ]),
    );
    // Researched and left out: they cannot make a link fail (CHAIN_BREAKING_CALLS says why).
    const all = breakingEvents().map((e) => e.eventName);
    expect(all).not.toContain('PutInsightSelectors');
    expect(all).not.toContain('Subscribe');
  });

  it('maps one event to the controls and links it can break, and an unrelated one to nothing', () => {
    const alarm = linksBrokenBy({ eventSource: 'monitoring.amazonaws.com', eventName: 'DeleteAlarms' });
    expect(alarm.map((a) => [a.control, a.link])).toEqual(CHAIN_IDS.map((id) => [id, 'alarm']));
    const update = linksBrokenBy({ eventSource: 'cloudtrail.amazonaws.com', eventName: 'UpdateTrail' }, [
      getMetricFilterControl('4.3'),
    ]);
    expect(update.map((a) => a.link)).toEqual(['trail', 'log-group']);
    expect(linksBrokenBy({ eventSource: 'ec2.amazonaws.com', eventName: 'DescribeInstances' })).toEqual([]);
    // The same eventName from another service is another call.
    expect(linksBrokenBy({ eventSource: 'logs.amazonaws.com', eventName: 'DeleteAlarms' })).toEqual([]);
  });

  it('flags calls made in the management account that reach every member account', () => {
    const orgWide = breakingEvents()
      .filter((e) => e.organizationWide)
      .map((e) => e.eventName);
    expect(orgWide).toEqual(['DisableAWSServiceAccess', 'RemoveAccountFromOrganization']);
  });

  it('takes the links of every kind: a service control adds its own checks', () => {
    const events = breakingEvents([SERVICE, getMetricFilterControl('4.1')]);
    expect(events.find((e) => e.eventName === 'DisableSecurityHub')?.affects).toEqual([
      { control: '9.1', link: 'security-hub', why: 'turns the service off' },
    ]);
    const chainLinks = new Set(
      events.flatMap((e) => e.affects.filter((a) => a.control === '4.1').map((a) => a.link)),
    );
    expect(chainLinks).toEqual(new Set(LINKS));
  });
});

describe('consumers per kind', () => {
  it('IAM: a pattern control adds TestMetricFilter when confirming; a service control has nothing to confirm', () => {
    const c41 = getMetricFilterControl('4.1');
    expect(readActionsFor(c41, { confirmPatterns: true })).toEqual([
      ...c41.readActions,
      'logs:TestMetricFilter',
    ]);
    expect(readActionsFor(SERVICE, { confirmPatterns: true })).toEqual(['securityhub:DescribeHub']);
    expect(remediationActionsFor(SERVICE)).toEqual([]);
  });

  it("the audit runs a service control through its check's collector and evaluation", async () => {
    const h = await startHarness(brokenScenario(['alarm']));
    try {
      const { report } = await runAudit({ control: SERVICE, session: h.session, region: 'eu-west-2' });
      const [finding] = report.accounts;
      expect(finding).toMatchObject({ control: '9.1', status: 'NON_COMPLIANT', brokenLink: 'security-hub' });
      expect(finding?.reason).toMatch(/^Security Hub is not enabled in eu-west-2 \(audit region; /);
      expect(finding?.reason).toContain('aws securityhub enable-security-hub');
      expect(new Set(h.sandbox.calls.map((c) => c.service))).toContain('securityhub');
    } finally {
      await h.close();
    }
  });

  it('the remediation answers a service control with its guidance, and plans nothing', async () => {
    const h = await startHarness(brokenScenario(['alarm']));
    try {
      // The remediation kind over a registry with a service control, wired as the runtime wires it.
      const settings = coreSettings(h.config);
      const assessor = new RemediationAssessor({
        auditor: createAwsAuditor(h.config.aws, { session: h.session }),
        store: h.store,
        runtime: createAwsRemediationRuntime(h.session),
        settings,
        accounts: staticAccountDirectory(h.config.aws.accounts),
        controls: buildRegistry(CIS_V4_SECTION_4, [SERVICE]),
      });
      const approvals = new ApprovalWorkflow({
        store: h.store,
        settings: settings.approvals,
        kinds: {
          remediation: createRemediationKind({
            assessor,
            runtime: createAwsRemediationRuntime(h.session),
            store: h.store,
            controls: settings.controls,
          }),
        },
      });
      await expect(
        approvals.propose('remediation', { control: '9.1', accountId: undefined }, ALICE),
      ).rejects.toThrow(
        /CIS 9\.1 .* is not changed by cis-bot: Enable it in every region in use\. aws securityhub enable-security-hub/,
      );
      expect(h.sandbox.calls).toEqual([]);
      // The chain controls of the same registry are planned as before.
      expect(
        (await approvals.propose('remediation', { control: '4.1', accountId: undefined }, ALICE)).kind,
      ).toBe('plan');
    } finally {
      await h.close();
    }
  });
});
