/**
 * "Show as Terraform" / "Show as CloudFormation" on a plan card, through signed Slack requests: the click
 * is read-only (a user who may not approve gets the template too), and the template arrives in the
 * plan's thread as code blocks within Block Kit's limits that read back, once Slack's escaping is undone,
 * as HCL (hcl2json) and YAML whose filter pattern is EQUIVALENT to the CIS pattern.
 */
import { getMetricFilterControl } from '../../src/core/controls';
import { comparePatterns } from '../../src/core/filter-pattern';
import { block, literal, parseCfnYaml, parseHcl } from '../iac/read-back';
import { ALICE, awsWrites, buttonsOf, CHANNEL, type E2E, MALLORY, startE2E } from './e2e-harness';

const DEV = '333333333333';
const CIS = getMetricFilterControl('4.1').pattern;

let e: E2E;
beforeEach(async () => {
  e = await startE2E();
});
afterEach(async () => {
  await e.close();
});

/** The code blocks of a posted message, as the text they show. */
function codeOf(message: { blocks?: unknown[] }): string {
  const unescapeSlack = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  return (message.blocks ?? [])
    .map((b) => (b as { text?: { text?: string } }).text?.text ?? '')
    .filter((t) => t.startsWith('```'))
    .map((t) => unescapeSlack(t.replace(/^```\n/, '').replace(/\n```$/, '')))
    .join('\n');
}

it('the plan card offers both templates; any user in the channel gets them in the thread, parseable', async () => {
  const result = await e.command(`4.1 remediate --account ${DEV}`, { user: ALICE });
  const plan = result.message;
  if (!plan) throw new Error('no plan posted');
  const labels = buttonsOf(plan).map((b) => b.text?.text ?? '');
  expect(labels).toEqual(expect.arrayContaining(['Show as Terraform', 'Show as CloudFormation']));
  const writes = awsWrites(e.run).length;

  await e.click(structuredClone(plan), 'cis:show-iac', MALLORY, { nth: 0 });
  const [tfMessage] = e.fake.thread(CHANNEL, plan.ts);
  if (!tfMessage) throw new Error('no template in the thread');
  expect(tfMessage.blocks?.length ?? 0).toBeLessThanOrEqual(50);
  const tf = await parseHcl(codeOf(tfMessage));
  const filter = block(tf, 'resource', 'aws_cloudwatch_log_metric_filter', 'cis_4_1_metric_filter');
  expect(comparePatterns(literal(filter.pattern), CIS).verdict).toBe('EQUIVALENT');

  await e.click(structuredClone(plan), 'cis:show-iac', MALLORY, { nth: 1 });
  const cfnMessage = e.fake.thread(CHANNEL, plan.ts)[1];
  if (!cfnMessage) throw new Error('no CloudFormation template in the thread');
  const cfn = parseCfnYaml(codeOf(cfnMessage)) as {
    Resources: Record<string, { Type: string; Properties: { FilterPattern?: string } }>;
  };
  const mf = Object.values(cfn.Resources).find((r) => r.Type === 'AWS::Logs::MetricFilter');
  expect(comparePatterns(mf?.Properties.FilterPattern ?? '', CIS).verdict).toBe('EQUIVALENT');
  // Read-only: nothing was changed, and the plan still awaits its approval.
  expect(awsWrites(e.run)).toHaveLength(writes);
  expect((await e.services.store.listApprovals()).map((a) => a.state)).toEqual(['requested']);
});
