/**
 * The remediation cards render through every adapter's real renderer (Block Kit within Slack's limits,
 * Adaptive Cards, text), and the plan card's buttons carry the approval id to approve or reject.
 */

import { renderCard } from '../../adapters/cli/render-text';
import { toBlockKit } from '../../adapters/slack/render';
import { toAdaptiveCard } from '../../adapters/teams/render';
import { ACTION_APPROVE, ACTION_REJECT } from '../../src/core/ports/chat';
import { planCard, progressCard, resultCard } from '../../src/core/present';
import { remediationExecution } from '../../src/core/remediation';
import { ACCOUNT, ALICE, brokenScenario, configDoc, startHarness } from './helpers';

test('plan, progress and result cards for a 4-step remediation', async () => {
  const doc = configDoc({
    remediation: { subscription: { protocol: 'email', endpoint: 'sec@example.com' } },
  });
  const h = await startHarness(brokenScenario(['filter', 'alarm', 'topic']), doc);
  try {
    const p = await h.approvals.propose('remediation', { control: '4.1', accountId: ACCOUNT }, ALICE);
    if (p.kind !== 'plan') throw new Error(`expected a plan, got ${p.kind}`);
    const card = planCard(p.plan, p.approval);
    const actions = card.elements.find((e) => e.type === 'actions');
    expect(actions?.type === 'actions' && actions.buttons.map((b) => [b.id, b.value])).toEqual([
      [ACTION_APPROVE, p.approval.id],
      [ACTION_REJECT, p.approval.id],
    ]);
    const slack = toBlockKit(card);
    expect(slack.blocks.length).toBeLessThanOrEqual(50);
    expect(JSON.stringify(toAdaptiveCard(card))).toContain(p.plan.hash);
    expect(renderCard(card)).toContain('aws cloudwatch put-metric-alarm');

    const progress: string[] = [];
    const o = await h.approvals.approveAndExecute(p.approval.id, ALICE, ({ event }) => {
      const c = progressCard(event);
      if (c) progress.push(c.summary);
    });
    expect(progress).toHaveLength(4);
    const { result: executed } = remediationExecution(o);
    const result = resultCard(executed);
    expect(executed.status).toBe('awaiting-confirmation');
    expect(result.summary).toContain('awaiting confirmation');
    expect(renderCard(result)).toContain('sec@example.com must confirm');
    expect(toBlockKit(result).blocks.length).toBeGreaterThan(0);
  } finally {
    await h.close();
  }
});
