/**
 * Replacing an existing alarm of the bot's name: PutMetricAlarm replaces the whole alarm, so the plan
 * passes again everything the CIS alarm does not need changed (description, TreatMissingData, OK and
 * INSUFFICIENT_DATA actions, other alarm actions), drops what would stop the alarm from seeing the
 * filter's metric (dimensions and a unit the filter does not emit), and says every change in its
 * "replaces ..." summary. A change to a carried-over setting after planning is a Conflict.
 */

import { DescribeAlarmsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { createAwsRemediationRuntime } from '../../src/aws/executor';
import type { Plan } from '../../src/core/remediation';
import { remediationExecution } from '../../src/core/remediation';
import {
  ACCOUNT,
  ALARM,
  ALICE,
  compliantRegion,
  type Harness,
  METRIC,
  REGION,
  scenarioWith,
  startHarness,
  TOPIC_ARN,
} from './helpers';

const OK_TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:ok-notices`;

/** The bot's alarm, as someone left it: disabled, with settings of their own. */
async function putExistingAlarm(h: Harness, extra: Record<string, unknown>): Promise<void> {
  await h.session.callerIdentity(); // the session serves its own account's clients once it knows it
  const { cloudwatch } = h.session.clientsFor(ACCOUNT, REGION);
  await cloudwatch.send(
    new PutMetricAlarmCommand({
      AlarmName: ALARM,
      MetricName: METRIC,
      Namespace: 'CISBenchmark',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      ActionsEnabled: false,
      AlarmActions: [TOPIC_ARN],
      OKActions: [OK_TOPIC],
      AlarmDescription: 'Pages the on-call security engineer (runbook SEC-12)',
      TreatMissingData: 'notBreaching',
      ...extra,
    }),
  );
}

async function readAlarm(h: Harness) {
  const { cloudwatch } = h.session.clientsFor(ACCOUNT, REGION);
  const out = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [ALARM] }));
  return out.MetricAlarms?.[0];
}

function withoutAlarms() {
  const region = compliantRegion();
  region.alarms = [];
  return scenarioWith(region);
}

test('description, TreatMissingData and OK actions survive; only ActionsEnabled changes', async () => {
  const h = await startHarness(withoutAlarms());
  try {
    await putExistingAlarm(h, {});
    const p = await h.approvals.propose('remediation', { control: '4.1', accountId: ACCOUNT }, ALICE);
    if (p.kind !== 'plan') throw new Error(`expected a plan, got ${p.kind}`);
    const step = p.plan.steps.find((s) => s.id === 'alarm');
    expect(step?.call.input).toMatchObject({
      AlarmDescription: 'Pages the on-call security engineer (runbook SEC-12)',
      TreatMissingData: 'notBreaching',
      OKActions: [OK_TOPIC],
    });
    expect(step?.replaces?.summary).toBe(`replaces existing alarm '${ALARM}' (actionsEnabled false -> true)`);
    expect(step?.cli).toContain("--alarm-description 'Pages the on-call security engineer (runbook SEC-12)'");
    expect(step?.cli).toContain('--treat-missing-data notBreaching');

    const o = remediationExecution(await h.approvals.approveAndExecute(p.approval.id, ALICE));
    expect(o.result.status).toBe('compliant');
    expect(await readAlarm(h)).toMatchObject({
      ActionsEnabled: true,
      AlarmDescription: 'Pages the on-call security engineer (runbook SEC-12)',
      TreatMissingData: 'notBreaching',
      OKActions: [OK_TOPIC],
    });
  } finally {
    await h.close();
  }
});

test('dimensions, a unit and M-of-N datapoints the CIS alarm cannot keep are dropped, and the summary says so', async () => {
  const h = await startHarness(withoutAlarms());
  try {
    await putExistingAlarm(h, {
      Dimensions: [{ Name: 'Source', Value: 'iam' }],
      Unit: 'Count',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
    });
    const { plan } = await h.assessor.assess('4.1', ACCOUNT);
    const step = plan.steps.find((s) => s.id === 'alarm');
    const input = step?.call.input as Record<string, unknown>;
    expect(input.Dimensions).toBeUndefined();
    expect(input.Unit).toBeUndefined();
    expect(input.DatapointsToAlarm).toBeUndefined();
    expect(input.AlarmDescription).toBe('Pages the on-call security engineer (runbook SEC-12)');
    const summary = step?.replaces?.summary ?? '';
    for (const change of [
      'actionsEnabled false -> true',
      'dimensions [Source=iam] -> []',
      'unit Count -> (none)',
      'evaluationPeriods 3 -> 1',
      'datapointsToAlarm 2 -> (none)',
    ])
      expect(summary).toContain(change);
    expect(summary).not.toContain('description');
  } finally {
    await h.close();
  }
});

test('a carried-over setting changed after planning is a Conflict: the alarm is not overwritten', async () => {
  const h = await startHarness(withoutAlarms());
  try {
    await putExistingAlarm(h, {});
    const { plan } = await h.assessor.assess('4.1', ACCOUNT);
    expect(plan.steps.map((s) => s.id)).toEqual(['alarm']);
    await putExistingAlarm(h, { AlarmDescription: 'Someone else now relies on this alarm' });
    const result = await createAwsRemediationRuntime(h.session).execute(plan as Plan, {
      reaudit: async () => (await h.assessor.assess('4.1', ACCOUNT)).finding,
    });
    expect(result.failedStep).toMatchObject({ id: 'alarm', errorCode: 'Conflict' });
    expect((await readAlarm(h))?.AlarmDescription).toBe('Someone else now relies on this alarm');
  } finally {
    await h.close();
  }
});
