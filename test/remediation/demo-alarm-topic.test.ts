/**
 * The bot-named alarm's topic is reused even when the audit never read it. In the bundled demo's `dev`
 * account the filter is the broken link, so the collector (which reads alarms only of covering filters'
 * metrics) reads neither `unauthorized_api_calls_alarm` nor its topic `alerts`; the facts read that alarm
 * and, in a second round, its topic, and the plan reuses `alerts` (confirmed subscriber): the filter is
 * the only write and the re-audit is COMPLIANT at once. Variants of the same scenario show that the rule
 * is the snapshot's (`topicQualifiesForReuse`): a pending subscriber, another region or a policy that
 * keeps CloudWatch out are not reused. Real SDK clients against the sandbox, assuming the audit role
 * from the security account as the CLI does.
 */

import { join } from 'node:path';
import { createAwsAuditor } from '../../src/aws/auditor';
import { loadConfig } from '../../src/config/load';
import type { CoreApprovals } from '../../src/core/approval-kinds';
import type { RemediationAssessor } from '../../src/core/remediation';
import { remediationExecution } from '../../src/core/remediation';
import { createCoreServices } from '../../src/runtime';
import { loadScenario, type Sandbox, type Scenario, startSandbox } from '../../src/sandbox';
import { openStore, type SqliteStore } from '../../src/store';
import { ALICE, tempDir } from './helpers';

const SCENARIO_FILE = join(__dirname, '..', '..', 'src', 'sandbox', 'scenarios', 'audit-demo.yaml');
const SECURITY = '999900000001';
const DEV = '333333333333';
const REGION = 'eu-west-2';
const ALERTS_ARN = `arn:aws:sns:${REGION}:${DEV}:alerts`;
const BOT_TOPIC_ARN = `arn:aws:sns:${REGION}:${DEV}:cis-security-alarms`;

type Account = Scenario['accounts'][number];
type Region = NonNullable<Account['regions']>[string];

/** The demo scenario with only the security and dev accounts, dev's region changed by `edit`. */
function devScenario(edit: (region: Region, account: Account) => void = () => {}): Scenario {
  const all = loadScenario(SCENARIO_FILE) as Scenario;
  const accounts = all.accounts.filter((a) => a.id === SECURITY || a.id === DEV);
  const dev = accounts.find((a) => a.id === DEV);
  const region = dev?.regions?.[REGION];
  if (!dev || !region) throw new Error('audit-demo.yaml has no dev account in eu-west-2');
  edit(region, dev);
  return { ...all, accounts };
}

interface World {
  sandbox: Sandbox;
  store: SqliteStore;
  approvals: CoreApprovals;
  assessor: RemediationAssessor;
  writes(): string[];
  close(): Promise<void>;
}

async function start(scenario: Scenario): Promise<World> {
  const sandbox = await startSandbox({ scenario });
  const config = loadConfig({
    document: {
      aws: { region: REGION, accounts: [DEV] },
      remediation: { subscription: { protocol: 'email', endpoint: 'sec@example.com' } },
      approvals: { cli: { users: ['alice', 'bob'] } },
    },
    env: {},
  });
  const auditor = createAwsAuditor(config.aws, {
    credentials: sandbox.credentialsFor(SECURITY),
    clientConfig: { endpoint: sandbox.endpoint, maxAttempts: 1 },
    labels: { [DEV]: 'dev' },
  });
  const tmp = tempDir();
  const store = openStore(join(tmp.dir, 'cis-bot.db'));
  const { approvals, assessor } = createCoreServices({ config, session: auditor.session, store, auditor });
  const WRITES = ['PutMetricFilter', 'CreateTopic', 'Subscribe', 'PutMetricAlarm'];
  return {
    sandbox,
    store,
    approvals,
    assessor,
    writes: () =>
      sandbox.calls.filter((c) => WRITES.includes(c.operation) && c.status < 300).map((c) => c.operation),
    async close() {
      auditor.session.destroy();
      await store.close();
      await sandbox.close();
      tmp.remove();
    },
  };
}

test('dev: the bot-named alarm already notifies `alerts` (confirmed): only the filter is written, then COMPLIANT', async () => {
  const w = await start(devScenario());
  try {
    const p = await w.approvals.propose('remediation', { control: '4.1', accountId: DEV }, ALICE);
    if (p.kind !== 'plan') throw new Error(`expected a plan, got ${p.kind}`);
    expect(p.finding.brokenLink).toBe('metric-filter');
    expect(p.plan.target.topicArn).toBe(ALERTS_ARN);
    // The existing alarm already has the CIS settings and notifies `alerts`: the alarm step decides
    // there is nothing to change, so the filter is the whole plan.
    expect(p.plan.steps.map((s) => s.id)).toEqual(['metric-filter']);
    expect(p.plan.guidance.filter((g) => g.severity === 'blocker')).toEqual([]);
    // `alerts` was read by the facts' second round (the audit did not read it).
    const topicReads = w.sandbox.calls.filter(
      (c) => c.operation === 'GetTopicAttributes' && c.accountId === DEV && c.status < 300,
    );
    expect(topicReads.length).toBeGreaterThan(0);

    const o = remediationExecution(
      await w.approvals.approveAndExecute(p.approval.id, { platform: 'cli', userId: 'bob' }),
    );
    expect(o.result.status).toBe('compliant');
    expect(o.result.reaudit).toMatchObject({ status: 'COMPLIANT' });
    expect(o.result.awaitingConfirmation).toEqual([]);
    expect(w.writes()).toEqual(['PutMetricFilter']);
    const region = w.sandbox.state.region(DEV, REGION);
    expect([...region.topics.keys()].some((k) => k.includes('cis-security-alarms'))).toBe(false);
  } finally {
    await w.close();
  }
});

describe('a topic of the bot-named alarm that does not qualify is not reused', () => {
  const cases: Array<[string, (r: Region, a: Account) => void]> = [
    [
      'its only subscriber is pending',
      (r) => {
        for (const t of r.topics ?? []) for (const s of t.subscriptions ?? []) s.confirmed = false;
      },
    ],
    [
      'it is in another region',
      (r, a) => {
        const elsewhere = `arn:aws:sns:us-east-1:${DEV}:alerts`;
        for (const alarm of r.alarms ?? []) alarm.alarm_actions = [elsewhere];
        a.regions = { ...a.regions, 'us-east-1': { topics: r.topics ?? [] } };
        r.topics = [];
      },
    ],
    [
      'its policy does not let CloudWatch publish',
      (r) => {
        for (const t of r.topics ?? []) {
          t.policy = {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { AWS: `arn:aws:iam::${DEV}:root` },
                Action: 'sns:Subscribe',
                Resource: ALERTS_ARN,
              },
            ],
          };
        }
      },
    ],
  ];
  for (const [label, edit] of cases) {
    test(label, async () => {
      const w = await start(devScenario(edit));
      try {
        const { plan } = await w.assessor.assess('4.1', DEV);
        expect(plan.target.topicArn).toBe(BOT_TOPIC_ARN);
        expect(plan.steps.map((s) => s.id)).toEqual(['metric-filter', 'topic', 'subscription', 'alarm']);
        expect(w.writes()).toEqual([]);
      } finally {
        await w.close();
      }
    });
  }
});
