/**
 * Every subset of the repairable links (filter, alarm, topic, subscription), broken programmatically in
 * one compliant base scenario, plus content breakages (a narrower filter, a disabled alarm, an alarm on
 * the wrong namespace, an alarm with no topic), goes plan -> approve -> execute -> re-audit to COMPLIANT
 * through the real workflow, and leaves exactly one of each resource.
 */

import { remediationExecution } from '../../src/core/remediation';
import type { Scenario } from '../../src/sandbox';
import {
  ACCOUNT,
  ALARM,
  ALICE,
  allSubsets,
  type BreakName,
  brokenScenario,
  compliantRegion,
  FILTER,
  scenarioWith,
  startHarness,
  TOPIC_ARN,
} from './helpers';

async function repairs(scenario: Scenario, expectSteps: string[]) {
  const h = await startHarness(scenario);
  try {
    const proposal = await h.approvals.propose('remediation', { control: '4.1', accountId: ACCOUNT }, ALICE);
    expect(proposal.finding.status).toBe('NON_COMPLIANT');
    expect(proposal.kind).toBe('plan');
    if (proposal.kind !== 'plan') return;
    expect(proposal.plan.steps.map((s) => s.id)).toEqual(expectSteps);
    const outcome = remediationExecution(await h.approvals.approveAndExecute(proposal.approval.id, ALICE));
    expect(outcome.result.status).toBe('compliant');
    expect(outcome.result.reaudit).toMatchObject({ status: 'COMPLIANT' });
    expect(outcome.approval.state).toBe('succeeded');
    expect(h.counts()).toEqual({ filters: 1, alarms: 1, topics: 1, subscriptions: 1 });
    const again = await h.approvals.propose('remediation', { control: '4.1', accountId: ACCOUNT }, ALICE);
    expect(again.kind).toBe('nothing-to-do');
  } finally {
    await h.close();
  }
}

const ORDER = ['filter', 'topic', 'subscription', 'alarm'] as const;
const STEP: Record<BreakName, string> = {
  filter: 'metric-filter',
  topic: 'topic',
  subscription: 'subscription',
  alarm: 'alarm',
};

/** The steps a subset needs: a removed topic takes its subscriptions with it. */
function expectedSteps(breaks: readonly BreakName[]): string[] {
  const set = new Set<BreakName>(breaks);
  if (set.has('topic')) set.add('subscription');
  return ORDER.filter((b) => set.has(b)).map((b) => STEP[b]);
}

describe('every subset of broken links is repaired to COMPLIANT', () => {
  for (const subset of allSubsets()) {
    test(`broken: ${subset.join(' + ')}`, async () => {
      await repairs(brokenScenario(subset), expectedSteps(subset));
    });
  }
});

describe('content breakages are repaired by explicit replacement steps', () => {
  test('a narrower filter of the same name is replaced, and the step says so', async () => {
    const region = compliantRegion();
    const lg = region.log_groups?.[0];
    if (lg?.metric_filters?.[0]) lg.metric_filters[0].pattern = '{ $.errorCode = "AccessDenied*" }';
    const h = await startHarness(scenarioWith(region));
    try {
      const p = await h.approvals.propose('remediation', { control: '4.1', accountId: ACCOUNT }, ALICE);
      if (p.kind !== 'plan') throw new Error(`expected a plan, got ${p.kind}`);
      expect(p.plan.steps.map((s) => s.id)).toEqual(['metric-filter']);
      expect(p.plan.steps[0]?.title).toContain(`replaces existing filter '${FILTER}'`);
      expect(p.plan.steps[0]?.replaces?.kind).toBe('metric-filter');
      const o = remediationExecution(await h.approvals.approveAndExecute(p.approval.id, ALICE));
      expect(o.result.status).toBe('compliant');
      expect(h.counts().filters).toBe(1);
    } finally {
      await h.close();
    }
  });

  test('a wrong filter under another name is left alone and the bot adds its own', async () => {
    const region = compliantRegion();
    const lg = region.log_groups?.[0];
    if (lg?.metric_filters?.[0]) {
      lg.metric_filters[0].name = 'cis-4.1';
      lg.metric_filters[0].pattern = '{ $.errorCode = "AccessDenied*" }';
      lg.metric_filters[0].metric_name = 'other_metric';
    }
    const h = await startHarness(scenarioWith(region));
    try {
      const p = await h.approvals.propose('remediation', { control: '4.1', accountId: ACCOUNT }, ALICE);
      if (p.kind !== 'plan') throw new Error(`expected a plan, got ${p.kind}`);
      expect(p.plan.steps.map((s) => s.id)).toEqual(['metric-filter']);
      expect(p.plan.steps[0]?.replaces).toBeUndefined();
      const o = remediationExecution(await h.approvals.approveAndExecute(p.approval.id, ALICE));
      expect(o.result.status).toBe('compliant');
      expect(h.counts().filters).toBe(2);
    } finally {
      await h.close();
    }
  });

  const alarmCases: Array<
    [string, (a: NonNullable<ReturnType<typeof compliantRegion>['alarms']>[number]) => void, string]
  > = [
    [
      'ActionsEnabled false',
      (a) => {
        a.actions_enabled = false;
      },
      'actionsEnabled false -> true',
    ],
    [
      'the wrong namespace',
      (a) => {
        a.namespace = 'LogMetrics';
      },
      'namespace LogMetrics -> CISBenchmark',
    ],
    [
      'no topic among its actions',
      (a) => {
        a.alarm_actions = [];
      },
      `alarmActions [] -> [${TOPIC_ARN}]`,
    ],
  ];
  for (const [label, breakIt, change] of alarmCases) {
    test(`an alarm with ${label} is replaced explicitly`, async () => {
      const region = compliantRegion();
      const alarm = region.alarms?.[0];
      if (alarm) breakIt(alarm);
      const h = await startHarness(scenarioWith(region));
      try {
        const p = await h.approvals.propose('remediation', { control: '4.1', accountId: ACCOUNT }, ALICE);
        if (p.kind !== 'plan') throw new Error(`expected a plan, got ${p.kind}`);
        expect(p.plan.steps.map((s) => s.id)).toEqual(['alarm']);
        expect(p.plan.steps[0]?.title).toContain(`replaces existing alarm '${ALARM}'`);
        expect(p.plan.steps[0]?.title).toContain(change);
        const o = remediationExecution(await h.approvals.approveAndExecute(p.approval.id, ALICE));
        expect(o.result.status).toBe('compliant');
        expect(h.counts().alarms).toBe(1);
      } finally {
        await h.close();
      }
    });
  }
});
