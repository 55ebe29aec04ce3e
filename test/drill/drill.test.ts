/**
 * The fire drill through the one approval workflow, as the composition root builds it, with the real SDK
 * against the sandbox over loopback: a compliant chain is proven (the alarm fired, its action ran, SNS
 * delivered to the probe queue, the other subscribers were notified too) and everything the drill made
 * is removed and the alarm reset; each fault that breaks delivery (a topic policy denying CloudWatch, a
 * KMS key CloudWatch cannot use) is reported at its link with the fix; the cleanup runs after a failed
 * step, and what it cannot remove is named with the command that removes it; refusals change nothing.
 */
import { SetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Card } from '../../src/core/cards';
import { auditReadActions } from '../../src/core/controls/iam';
import { getControl } from '../../src/core/controls/registry';
import { DrillRefused } from '../../src/core/drill/drill-kind';
import { drillActions } from '../../src/core/drill/iam';
import type { DrillOutcome } from '../../src/core/drill/types';
import { drillRequestCard, drillResultCard } from '../../src/core/present/drill-cards';
import {
  ACCOUNT,
  ALARM,
  ALICE,
  brokenScenario,
  compliantRegion,
  configDoc,
  type Harness,
  QUEUE,
  REGION,
  scenarioWith,
  startHarness,
  TOPIC,
  TOPIC_ARN,
} from '../remediation/helpers';

const DOC = configDoc({ drill: { wait_seconds: 1 } });

/** A card's words, element by element (what every renderer shows). */
function renderCard(card: Card): string {
  return card.elements
    .map((e) =>
      'text' in e
        ? e.text
        : e.type === 'fields'
          ? e.fields.map((f) => `${f.label}: ${f.value}`).join('; ')
          : '',
    )
    .join('\n');
}

function drillOf(executed: { kind: string }): DrillOutcome & { approval: { state: string } } {
  if (executed.kind !== 'drill') throw new Error(`expected a drill, got ${executed.kind}`);
  return executed as unknown as DrillOutcome & { approval: { state: string } };
}

function probeQueues(h: Harness): string[] {
  return [...h.sandbox.state.region(ACCOUNT, REGION).queues.values()]
    .filter((q) => !q.deleted && q.arn.includes(':cis-bot-drill-'))
    .map((q) => q.arn);
}

function topicSubscriptions(h: Harness): string[] {
  return (h.sandbox.state.region(ACCOUNT, REGION).topics.get(TOPIC)?.subscriptions ?? []).map(
    (s) => s.endpoint,
  );
}

function alarmState(h: Harness): string | undefined {
  return h.sandbox.state.region(ACCOUNT, REGION).alarms.get(ALARM)?.StateValue;
}

async function setTopicAttribute(h: Harness, name: string, value: string): Promise<void> {
  const sns = new SNSClient({
    region: REGION,
    endpoint: h.sandbox.endpoint,
    credentials: h.sandbox.credentialsFor(ACCOUNT),
  });
  try {
    await sns.send(
      new SetTopicAttributesCommand({ TopicArn: TOPIC_ARN, AttributeName: name, AttributeValue: value }),
    );
  } finally {
    sns.destroy();
  }
}

async function proposeDrill(h: Harness) {
  return h.workflow.propose(
    'drill',
    { control: '4.1', accountId: ACCOUNT },
    { ...ALICE, displayName: 'Alice' },
  );
}

const accountReads = () => auditReadActions([getControl('4.1')]);

let h: Harness;
afterEach(async () => {
  await h?.close();
});

test('a drill of a compliant chain proves it and leaves nothing behind', async () => {
  h = await startHarness(scenarioWith(compliantRegion()), DOC);
  const p = await proposeDrill(h);
  expect(p.drill).toMatchObject({
    alarmName: ALARM,
    topicArn: TOPIC_ARN,
    region: REGION,
    waitSeconds: 1,
    subscribers: [{ protocol: 'sqs', endpoint: QUEUE }],
  });
  expect(p.approval).toMatchObject({ kind: 'drill', state: 'requested', accountId: ACCOUNT });
  const request = renderCard(drillRequestCard(p.drill, p.approval));
  expect(request).toContain(`The topic's 1 confirmed subscriber will really be notified (sqs ${QUEUE}`);
  h.sandbox.resetCalls();
  const lines: string[] = [];
  const executed = drillOf(
    await h.workflow.approveAndExecute(p.approval.id, ALICE, (u) => {
      if (u.kind === 'drill') lines.push(`${u.event.outcome.step}:${u.event.outcome.status}`);
    }),
  );
  expect(lines).toEqual([
    'probe-queue:done',
    'probe-subscription:done',
    'fire:done',
    'alarm-action:done',
    'delivery:done',
    'unsubscribe:done',
    'delete-queue:done',
    'reset-alarm:done',
  ]);
  expect(executed.verdict).toBe('proven');
  expect(executed.approval.state).toBe('succeeded');
  expect(executed.notified).toBe(1);
  expect(executed.action?.status).toBe('Succeeded');
  expect(executed.delivery?.latencyMs).toBeGreaterThanOrEqual(0);
  expect(executed.cleanup).toEqual({ complete: true, leftovers: [] });
  const card = renderCard(drillResultCard(executed));
  expect(card).toMatch(
    /Proven: The alarm unauthorized_api_calls_alarm fired at .+ UTC, SNS delivered to the probe queue \d+\.\d s later; 1 confirmed subscriber was notified too\./,
  );

  // The transition names the drill and who asked; the real subscriber got the notification too.
  const history = h.sandbox.state
    .region(ACCOUNT, REGION)
    .alarmHistory.filter((i) => i.HistoryItemType === 'StateUpdate');
  expect(history.map((i) => i.HistorySummary)).toEqual([
    'Alarm updated from OK to ALARM',
    'Alarm updated from ALARM to OK',
  ]);
  expect(history[0]?.HistoryData).toContain(
    `cis-bot fire drill ${p.approval.id}: requested by Alice (cli alice)`,
  );
  expect(h.sandbox.deliveries.some((d) => d.source === TOPIC_ARN && d.endpoint === QUEUE)).toBe(true);
  // Nothing left: no probe queue, the topic's subscriptions as before, the alarm OK.
  expect(probeQueues(h)).toEqual([]);
  expect(topicSubscriptions(h)).toEqual([QUEUE]);
  expect(alarmState(h)).toBe('OK');
  const writes = h.sandbox.calls.filter((c) =>
    ['CreateQueue', 'Subscribe', 'SetAlarmState', 'Unsubscribe', 'DeleteQueue'].includes(c.operation),
  );
  expect(writes.map((c) => c.operation)).toEqual([
    'CreateQueue',
    'Subscribe',
    'SetAlarmState',
    'Unsubscribe',
    'DeleteQueue',
    'SetAlarmState',
  ]);
  // Every call the drill made is in iam-policy --drill (or the audit's reads).
  const prefix: Record<string, string> = { monitoring: 'cloudwatch' };
  const called = new Set(h.sandbox.calls.map((c) => `${prefix[c.service] ?? c.service}:${c.operation}`));
  const allowed = new Set([...drillActions(), ...accountReads()]);
  expect([...called].filter((a) => !allowed.has(a) && !a.startsWith('sts:'))).toEqual([]);
  const log = await h.store.listAuditLog({ approvalId: p.approval.id, limit: 50 });
  expect(log.filter((e) => e.kind === 'step')).toHaveLength(8);
});

test('a topic policy that denies CloudWatch is found at its link, with the statement to add', async () => {
  h = await startHarness(scenarioWith(compliantRegion()), DOC);
  const p = await proposeDrill(h);
  await setTopicAttribute(
    h,
    'Policy',
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: 'SNS:Publish',
          Resource: TOPIC_ARN,
          Condition: { StringEquals: { 'AWS:SourceOwner': ACCOUNT } },
        },
        {
          Effect: 'Deny',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: 'SNS:Publish',
          Resource: TOPIC_ARN,
        },
      ],
    }),
  );
  const executed = drillOf(await h.workflow.approveAndExecute(p.approval.id, ALICE));
  expect(executed.verdict).toBe('broken');
  expect(executed.approval.state).toBe('failed');
  expect(executed.action?.status).toBe('Failed');
  expect(executed.broke?.link).toBe('topic-policy');
  expect(executed.broke?.detail).toContain('does not let CloudWatch (cloudwatch.amazonaws.com) publish');
  expect(executed.broke?.fix[0]).toContain('"Principal":{"Service":"cloudwatch.amazonaws.com"}');
  expect(executed.broke?.fix.join('\n')).toContain(`aws sns set-topic-attributes --topic-arn ${TOPIC_ARN}`);
  expect(executed.steps.map((s) => `${s.step}:${s.status}`)).toEqual([
    'probe-queue:done',
    'probe-subscription:done',
    'fire:done',
    'alarm-action:failed',
    'unsubscribe:done',
    'delete-queue:done',
    'reset-alarm:done',
  ]);
  expect(renderCard(drillResultCard(executed))).toContain('Broken at topic-policy');
  expect(probeQueues(h)).toEqual([]);
  expect(topicSubscriptions(h)).toEqual([QUEUE]);
  expect(alarmState(h)).toBe('OK');
});

test('a KMS key CloudWatch cannot use is found at its link', async () => {
  h = await startHarness(scenarioWith(compliantRegion()), DOC);
  const p = await proposeDrill(h);
  await setTopicAttribute(h, 'KmsMasterKeyId', 'alias/aws/sns');
  const executed = drillOf(await h.workflow.approveAndExecute(p.approval.id, ALICE));
  expect(executed.verdict).toBe('broken');
  expect(executed.broke?.link).toBe('kms');
  expect(executed.broke?.detail).toContain('CloudWatch cannot use the KMS key');
  expect(executed.broke?.fix.join('\n')).toContain('kms:GenerateDataKey*');
  expect(executed.cleanup.complete).toBe(true);
  expect(probeQueues(h)).toEqual([]);
  expect(alarmState(h)).toBe('OK');
});

test('a step that fails still cleans up; what cannot be removed is named with its command', async () => {
  h = await startHarness(scenarioWith(compliantRegion()), DOC);
  const p = await proposeDrill(h);
  h.sandbox.failNext('monitoring:SetAlarmState', 'InternalServiceError');
  h.sandbox.failNext('sqs:DeleteQueue', 'AccessDenied');
  const executed = drillOf(await h.workflow.approveAndExecute(p.approval.id, ALICE));
  expect(executed.verdict).toBe('not-run');
  expect(executed.approval.state).toBe('failed');
  expect(executed.broke?.link).toBe('drill');
  expect(executed.steps.map((s) => `${s.step}:${s.status}`)).toEqual([
    'probe-queue:done',
    'probe-subscription:done',
    'fire:failed',
    'unsubscribe:done',
    'delete-queue:failed',
    'reset-alarm:skipped',
  ]);
  expect(executed.cleanup.complete).toBe(false);
  const [left] = executed.cleanup.leftovers;
  expect(left?.what).toBe(`the probe queue arn:aws:sqs:${REGION}:${ACCOUNT}:cis-bot-drill-${p.approval.id}`);
  expect(left?.command).toContain(`aws sqs delete-queue --region ${REGION}`);
  expect(left?.command).toContain(`--queue-name cis-bot-drill-${p.approval.id}`);
  const card = renderCard(drillResultCard(executed));
  expect(card).toContain('Left behind, and how to remove it');
  expect(card).toContain('aws sqs delete-queue');
  // Exactly that is left: the queue; the subscription is gone and the alarm never left OK.
  expect(probeQueues(h)).toHaveLength(1);
  expect(topicSubscriptions(h)).toEqual([QUEUE]);
  expect(alarmState(h)).toBe('OK');
});

test('a broken chain is refused with its broken link (remediate first), and nothing changes', async () => {
  h = await startHarness(brokenScenario(['subscription']), DOC);
  h.sandbox.resetCalls();
  const refused = proposeDrill(h);
  await expect(refused).rejects.toThrow(DrillRefused);
  await expect(proposeDrill(h)).rejects.toThrow(
    /No drill: the CIS 4\.1 chain of account 111122223333 is broken at the subscription link: .* Remediate first: cis-bot remediate 4\.1 --account 111122223333/,
  );
  expect(await h.store.listApprovals()).toEqual([]);
  expect(
    h.sandbox.calls.filter((c) => !/^(Describe|List|Get)/.test(c.operation)).map((c) => c.operation),
  ).toEqual([]);
  const log = await h.store.listAuditLog({ limit: 10 });
  expect(log.find((e) => e.kind === 'refused')?.detail).toMatchObject({ reason: 'drill-chain-broken' });
});

test('a drill while other work holds the account is refused; one approved meanwhile does not run', async () => {
  h = await startHarness(scenarioWith(compliantRegion()), DOC);
  const now = new Date();
  await h.store.acquireLease(`account:${ACCOUNT}`, 'remediation r1@replica-2', 60_000, now);
  await expect(proposeDrill(h)).rejects.toThrow(
    /No drill now: remediation r1@replica-2 holds account 111122223333 .*ask again when it has ended/,
  );
  await h.store.releaseLease(`account:${ACCOUNT}`, 'remediation r1@replica-2');
  const p = await proposeDrill(h);
  await h.store.acquireLease(`account:${ACCOUNT}`, 'drill other@replica-2', 60_000, new Date());
  h.sandbox.resetCalls();
  // The workflow holds the account's lease for every run: while other work holds it, the drill does not
  // start, and stays approved for the resume scan to run once the account is free.
  await expect(h.workflow.approveAndExecute(p.approval.id, ALICE)).rejects.toThrow(
    /account:111122223333 is busy: drill other@replica-2 .*It stays approved/,
  );
  expect((await h.workflow.get(p.approval.id))?.state).toBe('approved');
  expect(h.sandbox.calls.filter((c) => !/^(Describe|List|Get)/.test(c.operation))).toEqual([]);
});

test('an alarm already in ALARM is refused: the drill would not run its actions', async () => {
  const region = compliantRegion();
  h = await startHarness(scenarioWith(region), DOC);
  const alarm = h.sandbox.state.region(ACCOUNT, REGION).alarms.get(ALARM);
  if (!alarm) throw new Error('no alarm');
  alarm.StateValue = 'ALARM';
  alarm.StateReason = 'Threshold Crossed: 1 datapoint [3.0] was >= the threshold (1.0).';
  await expect(proposeDrill(h)).rejects.toThrow(
    /unauthorized_api_calls_alarm is in ALARM now \(Threshold Crossed/,
  );
});
