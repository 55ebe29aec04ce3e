/** Findings to cards: what each notification level shows, monotonic from error to verbose. */

import { renderCards } from '../../adapters/cli/render-text';
import type { Card } from '../../src/core/cards';
import type { AccountFinding, AuditReport } from '../../src/core/evaluate';
import { LEVELS } from '../../src/core/levels';
import { presentAudit } from '../../src/core/present';

const finding = (accountId: string, status: AccountFinding['status'], label?: string): AccountFinding => ({
  control: '4.1',
  accountId,
  ...(label ? { label } : {}),
  status,
  reason:
    status === 'COMPLIANT'
      ? 'Chain holds.'
      : status === 'ERROR'
        ? 'Access denied to logs:DescribeMetricFilters.'
        : "Trail 'main' is not logging.",
  ...(status === 'NON_COMPLIANT'
    ? { brokenLink: 'logging' as const }
    : status === 'ERROR'
      ? { brokenLink: 'log-group' as const }
      : {}),
  links: [
    {
      link: 'trail',
      status: 'pass',
      detail: "Multi-region trail 'main'.",
      evidence: { trailArn: `arn:aws:cloudtrail:eu-west-2:${accountId}:trail/main` },
    },
    status === 'NON_COMPLIANT'
      ? {
          link: 'logging',
          status: 'fail',
          detail: "Trail 'main' is not logging.",
          evidence: { isLogging: false },
        }
      : { link: 'logging', status: 'pass', detail: 'Logging.', evidence: { isLogging: true } },
  ],
  chain: {},
  candidates: 1,
});

const report: AuditReport = {
  control: '4.1',
  controlTitle: 'Ensure unauthorized API calls are monitored',
  startedAt: '2030-01-01T00:00:00.000Z',
  finishedAt: '2030-01-01T00:00:01.000Z',
  region: 'eu-west-2',
  accounts: [
    finding('111111111111', 'COMPLIANT', 'prod'),
    finding('222222222222', 'NON_COMPLIANT', 'staging'),
    finding('333333333333', 'ERROR'),
    finding('444444444444', 'COMPLIANT'),
  ],
  summary: { total: 4, compliant: 2, nonCompliant: 1, accepted: 0, error: 1 },
  stats: { apiCalls: 30, durationMs: 1000 },
};

/** Every piece of text a card set shows. */
function texts(cards: Card[]): Set<string> {
  const out = new Set<string>();
  for (const card of cards) {
    out.add(card.summary);
    for (const e of card.elements) {
      if (e.type === 'heading' || e.type === 'text' || e.type === 'context') out.add(e.text);
      if (e.type === 'fields') for (const f of e.fields) out.add(`${f.label}=${f.value}`);
      if (e.type === 'table') for (const r of e.rows) out.add(r.join('|'));
    }
  }
  return out;
}

describe('presentAudit', () => {
  it('error shows only what needs a human: problem accounts, errors first', () => {
    const cards = presentAudit(report, 'error');
    expect(cards.map((c) => c.summary)).toEqual([
      'CIS 4.1 ERROR in 333333333333: Access denied to logs:DescribeMetricFilters.',
      "CIS 4.1 NON-COMPLIANT in 222222222222 (staging): Trail 'main' is not logging.",
    ]);
  });

  it('info adds the summary with compliant accounts in one line', () => {
    const cards = presentAudit(report, 'info');
    expect(cards[0]?.summary).toBe('CIS 4.1 audit: 2 of 4 accounts compliant (1 non-compliant, 1 error)');
    expect(texts(cards)).toContain('Compliant: 111111111111 (prod), 444444444444');
    expect(cards).toHaveLength(3);
  });

  it('verbose adds evidence of every link, compliant accounts, timings and API calls', () => {
    const cards = presentAudit(report, 'verbose');
    expect(cards).toHaveLength(5);
    const all = [...texts(cards)].join('\n');
    expect(all).toContain('trail: {"trailArn":"arn:aws:cloudtrail:eu-west-2:111111111111:trail/main"}');
    expect(all).toMatch(/1000 ms, 30 API calls/);
  });

  it('is monotonic: each level shows everything the level below shows', () => {
    for (let i = 1; i < LEVELS.length; i++) {
      const lower = texts(presentAudit(report, LEVELS[i - 1] as (typeof LEVELS)[number]));
      const higher = texts(presentAudit(report, LEVELS[i] as (typeof LEVELS)[number]));
      for (const t of lower) expect(higher).toContain(t);
    }
  });

  it('returns nothing at error level when every account is compliant', () => {
    const ok: AuditReport = {
      ...report,
      accounts: [finding('111111111111', 'COMPLIANT')],
      summary: { total: 1, compliant: 1, nonCompliant: 0, accepted: 0, error: 0 },
    };
    expect(presentAudit(ok, 'error')).toEqual([]);
  });

  it('offers a remediate button on non-compliant accounts and folds the overflow into one table', () => {
    const cards = presentAudit(report, 'error', { remediateButton: true, maxAccountCards: 1 });
    expect(cards).toHaveLength(2);
    const overflow = cards[1];
    expect(overflow?.elements[1]).toMatchObject({
      type: 'table',
      rows: [['222222222222 (staging)', 'NON-COMPLIANT', "Trail 'main' is not logging."]],
    });
    const nonCompliant = presentAudit(report, 'error', { remediateButton: true })[1];
    expect(nonCompliant?.elements.find((e) => e.type === 'actions')).toEqual({
      type: 'actions',
      buttons: [
        {
          id: 'cis:remediate',
          label: 'Propose a fix',
          style: 'primary',
          value: '{"control":"4.1","accountId":"222222222222"}',
        },
      ],
    });
  });

  it('renders to plain text for the terminal', () => {
    const text = renderCards(presentAudit(report, 'info'));
    expect(text).toContain(
      'CIS 4.1 audit: 2 of 4 accounts compliant\n========================================\n',
    );
    expect(text).toContain("logging  ✗ FAIL  Trail 'main' is not logging.");
  });
});
