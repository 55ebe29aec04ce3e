/**
 * Remediation plans exported as Terraform and CloudFormation, checked by parsing the output as the tools
 * would: the plans are real (sandbox accounts broken in every way the bot repairs, and the demo
 * scenario, audited over loopback through the SDK and planned by the planner), and every step must come
 * out as one resource of the right type with the same names and settings as its API call, referring to
 * the other resources and inputs (log group by name, existing topic by ARN) instead of repeating them.
 * The filter pattern must read back string-equal to the plan's, and EQUIVALENT to the CIS pattern.
 */
import { getMetricFilterControl } from '../../src/core/controls';
import { comparePatterns } from '../../src/core/filter-pattern';
import { IacExportRefused, planToIac, toCloudFormation, toTerraform } from '../../src/core/iac';
import { type Plan, type PlanStep, planKind } from '../../src/core/remediation';
import { block, literal, parseCfnYaml, parseHcl, reference, type TfJson } from './read-back';
import { demoScenario, plansForScenario } from './real-plans';
import {
  accountFor,
  breakCases,
  brokenAccountsScenario,
  MANAGEMENT,
  MEMBER,
  organizationScenario,
} from './scenarios';

const CIS = getMetricFilterControl('4.1').pattern;

let broken: Map<string, Plan>;
let demo: Map<string, Plan>;
let organization: Map<string, Plan>;
/** The same broken accounts, planned without remediation.subscription: steps, but blocked. */
let unsubscribed: Map<string, Plan>;

beforeAll(async () => {
  broken = await plansForScenario(brokenAccountsScenario(), {
    remediation: { subscription: { protocol: 'email', endpoint: 'secops@example.com' } },
  });
  demo = await plansForScenario(demoScenario());
  unsubscribed = await plansForScenario(brokenAccountsScenario(), { remediation: {} });
  organization = await plansForScenario(organizationScenario(), {
    remediation: { subscription: { protocol: 'email', endpoint: 'secops@example.com' } },
  });
}, 120_000);

function planOf(plans: Map<string, Plan>, accountId: string): Plan {
  const plan = plans.get(accountId);
  if (!plan) throw new Error(`no plan for ${accountId}`);
  return plan;
}

const TF_TYPE: Record<PlanStep['id'], string> = {
  'metric-filter': 'aws_cloudwatch_log_metric_filter',
  topic: 'aws_sns_topic',
  subscription: 'aws_sns_topic_subscription',
  alarm: 'aws_cloudwatch_metric_alarm',
};
const CFN_TYPE: Record<PlanStep['id'], string> = {
  'metric-filter': 'AWS::Logs::MetricFilter',
  topic: 'AWS::SNS::Topic',
  subscription: 'AWS::SNS::Subscription',
  alarm: 'AWS::CloudWatch::Alarm',
};

/** Read back string-equal to the plan's pattern, and (the bot writes the control's) EQUIVALENT to CIS. */
function expectPatternSurvived(written: string, pattern: string): void {
  expect(written).toBe(pattern);
  expect(comparePatterns(written, CIS).verdict).toBe('EQUIVALENT');
}

/** Every step of the plan is in the Terraform file, and nothing else is. */
async function expectTerraformMatches(plan: Plan): Promise<void> {
  const tf: TfJson = await parseHcl(toTerraform(planToIac(plan)));
  const created = Object.entries(tf.resource ?? {}).flatMap(([type, byName]) =>
    Object.keys(byName as object).map((name) => `${type}.${name}`),
  );
  const wanted = plan.steps.map((s) => `${TF_TYPE[s.id]}.cis_4_1_${s.id.replace('-', '_')}`);
  expect(created.sort()).toEqual(wanted.sort());
  const region = plan.target.region;
  const alias = region.replaceAll('-', '_');
  expect(tf.provider.aws).toEqual([{ alias, region, allowed_account_ids: [plan.target.accountId] }]);
  const createsTopic = plan.steps.some((s) => s.id === 'topic');
  const topicRef = createsTopic ? 'aws_sns_topic.cis_4_1_topic.arn' : 'data.aws_sns_topic.cis_4_1_topic.arn';
  if (!createsTopic && plan.steps.some((s) => s.id !== 'metric-filter')) {
    const data = block(tf, 'data', 'aws_sns_topic', 'cis_4_1_topic');
    expect(literal(data.name)).toBe(plan.target.topicArn?.split(':')[5]);
  }
  const imports: unknown[] = tf.import ?? [];
  for (const step of plan.steps) {
    const r = block(tf, 'resource', TF_TYPE[step.id], `cis_4_1_${step.id.replace('-', '_')}`);
    expect(reference(r.provider)).toBe(`aws.${alias}`);
    const call = step.call;
    if (call.operation === 'PutMetricFilter') {
      expectPatternSurvived(literal(r.pattern), call.input.filterPattern);
      expect(literal(r.name)).toBe(call.input.filterName);
      expect(reference(r.log_group_name)).toBe('data.aws_cloudwatch_log_group.cis_4_1_log_group.name');
      expect(literal(block(tf, 'data', 'aws_cloudwatch_log_group', 'cis_4_1_log_group').name)).toBe(
        call.input.logGroupName,
      );
      expect(r.metric_transformation).toEqual(
        call.input.metricTransformations.map((m) => ({
          name: m.metricName,
          namespace: m.metricNamespace,
          value: m.metricValue,
        })),
      );
    } else if (call.operation === 'CreateTopic') {
      expect(literal(r.name)).toBe(call.input.Name);
    } else if (call.operation === 'Subscribe') {
      expect(reference(r.topic_arn)).toBe(topicRef);
      expect([literal(r.protocol), literal(r.endpoint)]).toEqual([call.input.Protocol, call.input.Endpoint]);
    } else {
      const i = call.input;
      expect(literal(r.alarm_name)).toBe(i.AlarmName);
      expect([r.metric_name, r.namespace, r.statistic, r.comparison_operator].map(literal)).toEqual([
        i.MetricName,
        i.Namespace,
        i.Statistic,
        i.ComparisonOperator,
      ]);
      expect([r.period, r.threshold, r.evaluation_periods, r.actions_enabled]).toEqual([
        i.Period,
        i.Threshold,
        i.EvaluationPeriods,
        true,
      ]);
      expect(r.alarm_actions).toHaveLength(i.AlarmActions.length);
      i.AlarmActions.forEach((arn, n) => {
        if (arn === plan.target.topicArn) expect(reference(r.alarm_actions[n])).toBe(topicRef);
        else expect(literal(r.alarm_actions[n])).toBe(arn);
      });
    }
    if (step.replaces) {
      const id =
        call.operation === 'PutMetricFilter'
          ? `${call.input.logGroupName}:${call.input.filterName}`
          : step.replaces.name;
      expect(imports).toContainEqual({
        provider: `\${aws.${alias}}`,
        to: `\${${TF_TYPE[step.id]}.cis_4_1_${step.id.replace('-', '_')}}`,
        id,
      });
    }
  }
  expect(imports).toHaveLength(plan.steps.filter((s) => s.replaces).length);
}

type CfnTemplate = {
  Parameters?: Record<string, { Default?: string }>;
  Resources: Record<string, { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string }>;
};

const CFN_ID: Record<PlanStep['id'], string> = {
  'metric-filter': 'Cis41MetricFilter',
  topic: 'Cis41Topic',
  subscription: 'Cis41Subscription',
  alarm: 'Cis41Alarm',
};

function expectCloudFormationMatches(plan: Plan): void {
  const doc = planToIac(plan);
  const [yaml, ...moreYaml] = toCloudFormation(doc, 'yaml');
  const [json, ...moreJson] = toCloudFormation(doc, 'json');
  // One region, one stack.
  expect([moreYaml, moreJson]).toEqual([[], []]);
  if (!yaml || !json) throw new Error('no template');
  expect([yaml.region, json.region]).toEqual([plan.target.region, plan.target.region]);
  const template = parseCfnYaml(yaml.body) as unknown as CfnTemplate;
  expect(JSON.parse(json.body)).toEqual(template);
  expect(Object.keys(template.Resources).sort()).toEqual(plan.steps.map((s) => CFN_ID[s.id]).sort());
  const topic = { Ref: 'Cis41Topic' };
  if (!plan.steps.some((s) => s.id === 'topic') && plan.steps.some((s) => s.id !== 'metric-filter')) {
    expect(template.Parameters?.Cis41Topic?.Default).toBe(plan.target.topicArn);
  }
  for (const step of plan.steps) {
    const r = template.Resources[CFN_ID[step.id]];
    expect(r?.Type).toBe(CFN_TYPE[step.id]);
    expect(r?.DeletionPolicy).toBe(step.replaces ? 'Retain' : undefined);
    const p = r?.Properties ?? {};
    const call = step.call;
    if (call.operation === 'PutMetricFilter') {
      expectPatternSurvived(p.FilterPattern as string, call.input.filterPattern);
      expect(p.FilterName).toBe(call.input.filterName);
      expect(p.LogGroupName).toEqual({ Ref: 'Cis41LogGroup' });
      expect(template.Parameters?.Cis41LogGroup?.Default).toBe(call.input.logGroupName);
      expect(p.MetricTransformations).toEqual(
        call.input.metricTransformations.map((m) => ({
          MetricName: m.metricName,
          MetricNamespace: m.metricNamespace,
          MetricValue: m.metricValue,
        })),
      );
    } else if (call.operation === 'CreateTopic') {
      expect(p).toEqual({ TopicName: call.input.Name });
    } else if (call.operation === 'Subscribe') {
      expect(p).toEqual({ TopicArn: topic, Protocol: call.input.Protocol, Endpoint: call.input.Endpoint });
    } else {
      const i = call.input;
      expect(p).toMatchObject({
        AlarmName: i.AlarmName,
        MetricName: i.MetricName,
        Namespace: i.Namespace,
        Statistic: i.Statistic,
        Period: i.Period,
        Threshold: i.Threshold,
        ComparisonOperator: i.ComparisonOperator,
        EvaluationPeriods: i.EvaluationPeriods,
        ActionsEnabled: true,
        AlarmActions: i.AlarmActions.map((arn) => (arn === plan.target.topicArn ? topic : arn)),
      });
    }
  }
}

describe('plans of accounts broken in every repairable way', () => {
  const cases = breakCases().map((breaks, i) => [breaks.join(' + '), accountFor(i)] as const);

  test.each(cases)('%s: Terraform holds exactly the plan steps', async (_label, accountId) => {
    const plan = planOf(broken, accountId);
    expect(planKind(plan)).toBe('steps');
    await expectTerraformMatches(plan);
  });

  test.each(cases)('%s: CloudFormation YAML and JSON hold exactly the plan steps', (_label, accountId) => {
    const plan = planOf(broken, accountId);
    expectCloudFormationMatches(plan);
  });

  test('the cases cover every step kind, created and replaced', () => {
    const steps = [...broken.values()].flatMap((p) => p.steps);
    expect(new Set(steps.map((s) => s.id))).toEqual(
      new Set(['metric-filter', 'topic', 'subscription', 'alarm']),
    );
    expect(new Set(steps.filter((s) => s.replaces).map((s) => s.id))).toEqual(
      new Set(['metric-filter', 'alarm']),
    );
  });
});

describe('an organization trail', () => {
  test("a member's chain is exported for the management account that holds the log group", async () => {
    const plan = planOf(organization, MEMBER);
    expect([plan.accountId, plan.target.accountId]).toEqual([MEMBER, MANAGEMENT]);
    await expectTerraformMatches(plan);
    expectCloudFormationMatches(plan);
    const doc = planToIac(plan);
    expect(doc.accountId).toBe(MANAGEMENT);
    expect(doc.notes).toContain(
      `Account ${MEMBER}'s chain delivers to a log group of account ${MANAGEMENT}: apply this with credentials of ${MANAGEMENT}.`,
    );
  });
});

describe('the demo scenario', () => {
  test('accounts with an approvable plan export it in both languages', async () => {
    const approvable = [...demo.values()].filter((p) => planKind(p) === 'steps');
    // dev (filter), marketing (subscription), analytics (alarm replaced): at least those three.
    expect(approvable.map((p) => p.accountId)).toEqual(
      expect.arrayContaining(['333333333333', '444444444444', '555555555555']),
    );
    for (const plan of approvable) {
      await expectTerraformMatches(plan);
      expectCloudFormationMatches(plan);
    }
  });

  test('a guidance-only plan is refused with what a person must do first', () => {
    const staging = planOf(demo, '222222222222');
    expect(planKind(staging)).toBe('guidance-only');
    let refusal: unknown;
    try {
      planToIac(staging);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(IacExportRefused);
    const r = refusal as IacExportRefused;
    expect(r.reason).toBe('guidance-only');
    expect(r.code).toBe('USAGE');
    expect(r.blockers.map((b) => b.title)).toEqual(['Start logging on the trail']);
    expect(r.message).toContain(
      'not offered for approval, so cis-bot writes no template for it: cis-bot has no step',
    );
    expect(r.message).toContain('$ aws cloudtrail start-logging --name main --region eu-west-2');
  });

  test('a plan with steps but a blocker (nobody would receive the alarm) is refused too', () => {
    const blocked = [...unsubscribed.values()].filter(
      (p) => planKind(p) === 'guidance-only' && p.steps.length > 0,
    );
    expect(blocked.length).toBeGreaterThan(0);
    for (const plan of blocked) {
      expect(() => planToIac(plan)).toThrow(
        /its steps alone cannot make the chain hold[\s\S]*Nobody receives the alarm: configure remediation\.subscription/,
      );
    }
  });

  test('a compliant account has nothing to export', () => {
    const prod = planOf(demo, '111111111111');
    expect(() => planToIac(prod)).toThrow(/holds for account 111111111111: there is nothing to write/);
  });
});
