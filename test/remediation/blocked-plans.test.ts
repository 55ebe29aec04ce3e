/**
 * A plan whose steps cannot reach COMPLIANT is not offered for approval: with an unresolved blocker
 * (here: nobody confirmed receives the alarm and no remediation.subscription is configured) the proposal
 * is guidance-only, no approval is requested, the text and the card say why, and the CLI exits 1 without
 * executing. An approved plan whose re-derivation gained such a blocker becomes stale instead of running.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ListSubscriptionsByTopicCommand, UnsubscribeCommand } from '@aws-sdk/client-sns';
import { stringify } from 'yaml';
import { runCli } from '../../adapters/cli/main';
import { planCard } from '../../src/core/present';
import { planKind, renderPlanText } from '../../src/core/remediation';
import {
  ACCOUNT,
  ALICE,
  brokenScenario,
  configDoc,
  REGION,
  startHarness,
  TOPIC_ARN,
  tempDir,
} from './helpers';

test('steps with an unresolved blocker are guidance-only: shown, never approvable', async () => {
  const h = await startHarness(brokenScenario(['alarm', 'subscription']), configDoc({ remediation: {} }));
  try {
    const p = await h.approvals.propose('remediation', { control: '4.1', accountId: ACCOUNT }, ALICE);
    expect(p.kind).toBe('guidance-only');
    expect(planKind(p.plan)).toBe('guidance-only');
    expect(p.plan.steps.map((s) => s.id)).toEqual(['alarm']);
    expect(p.plan.guidance.find((g) => g.severity === 'blocker')?.title).toContain(
      'remediation.subscription',
    );
    expect(await h.store.listApprovals({ limit: 10 })).toEqual([]);

    const text = renderPlanText(p.plan);
    expect(text).toContain('Not offered for approval');
    const card = planCard(p.plan);
    expect(card.summary).toContain('needs action first');
    expect(card.elements.some((e) => e.type === 'actions')).toBe(false);
    const [entry] = await h.store.listAuditLog({ limit: 1 });
    expect(entry?.detail).toMatchObject({ kind: 'guidance-only' });
  } finally {
    await h.close();
  }
});

test('an approved plan whose re-derivation has a blocker becomes stale and runs nothing', async () => {
  // The topic has a confirmed subscriber when the plan is made, so the plan is approvable.
  const h = await startHarness(brokenScenario(['alarm']), configDoc({ remediation: {} }));
  try {
    const p = await h.approvals.propose('remediation', { control: '4.1', accountId: ACCOUNT }, ALICE);
    if (p.kind !== 'plan') throw new Error(`expected a plan, got ${p.kind}`);
    expect(p.plan.steps.map((s) => s.id)).toEqual(['alarm']);
    await h.approvals.decide(p.approval.id, ALICE, 'approve');

    // The only subscriber goes away before execution: the same steps can no longer reach COMPLIANT.
    const { sns } = h.session.clientsFor(ACCOUNT, REGION);
    const subs = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: TOPIC_ARN }));
    for (const s of subs.Subscriptions ?? [])
      await sns.send(new UnsubscribeCommand({ SubscriptionArn: s.SubscriptionArn }));
    const fresh = await h.assessor.assess('4.1', ACCOUNT);
    expect(fresh.plan.hash).toBe(p.plan.hash); // same steps, same hash: only the blocker tells

    await expect(h.approvals.execute(p.approval.id)).rejects.toMatchObject({ reason: 'stale' });
    expect((await h.approvals.get(p.approval.id))?.state).toBe('stale');
    expect(h.calls('PutMetricAlarm')).toBe(0);
  } finally {
    await h.close();
  }
});

test('the CLI neither asks for approval nor executes a blocked plan, even with --approve (exit 1)', async () => {
  const tmp = tempDir();
  try {
    const scenarioFile = join(tmp.dir, 'scenario.yaml');
    const configFile = join(tmp.dir, 'cis-bot.yaml');
    writeFileSync(scenarioFile, stringify(brokenScenario(['alarm', 'subscription'])));
    writeFileSync(configFile, stringify(configDoc({ remediation: {} })));
    let out = '';
    const code = await runCli(
      ['remediate', '4.1', '--sandbox', scenarioFile, '--approve', '--operator', 'alice'],
      {
        stdout: (s) => {
          out += s;
        },
        stderr: () => undefined,
        env: { CIS_BOT_CONFIG: configFile, CIS_BOT_DB: join(tmp.dir, 'cli.db') },
      },
    );
    expect(code).toBe(1);
    expect(out).toContain('Not offered for approval');
    expect(out).not.toContain('Approval ');
    expect(out).not.toContain('Approving as');
  } finally {
    tmp.remove();
  }
});
