/** The pure digest: content by level, changes across two digests, splitting within platform limits. */
import { toSlackMessages } from '../../adapters/slack/render';
import { MAX_CARD_BYTES, splitCard } from '../../adapters/teams/render';
import { loadConfig } from '../../src/config/load';
import { platformCatalog } from '../../src/config/platform-settings';
import type { Button, Card, CardElement } from '../../src/core/cards';
import {
  buildDigest,
  type DigestSummary,
  failingFor,
  parseDigestSummary,
  streakStart,
} from '../../src/core/digest';
import type { NotificationLevel } from '../../src/core/levels';
import { platformLabel } from '../../src/core/platforms';
import { ACTION_REMEDIATE } from '../../src/core/ports/chat';
import { scheduleListCard } from '../../src/core/present/schedule-cards';
import { validateBlockKit } from '../support/fake-slack-api';
import { finding, report, SCHEDULE } from './fixtures';

const DAY1 = new Date('2025-03-01T07:00:00.000Z');
const DAY2 = new Date('2025-03-02T07:00:00.000Z');

function texts(cards: readonly Card[]): string[] {
  return cards.flatMap((c) =>
    c.elements.flatMap((e: CardElement) => {
      if (e.type === 'heading' || e.type === 'text' || e.type === 'context') return [e.text];
      if (e.type === 'table') return e.rows.map((r) => r.join(' | '));
      return [];
    }),
  );
}

function buttons(cards: readonly Card[]): Button[] {
  return cards.flatMap((c) => c.elements.flatMap((e) => (e.type === 'actions' ? [...e.buttons] : [])));
}

function tables(cards: readonly Card[]) {
  return cards.flatMap((c) => c.elements.filter((e) => e.type === 'table'));
}

const first = () =>
  buildDigest({
    schedule: SCHEDULE,
    outcomes: [
      {
        control: '4.1',
        report: report([
          finding('111111111111', 'COMPLIANT', 'prod'),
          finding('222222222222', 'NON_COMPLIANT', 'staging'),
          finding('333333333333', 'NON_COMPLIANT', 'dev'),
          finding('666666666666', 'ERROR', 'payments'),
        ]),
      },
    ],
    at: DAY1,
  });

describe('a first digest', () => {
  const digest = first();

  test('headline, counts, the compact table with problems first, and no changes yet', () => {
    const [header] = digest.cards;
    expect(header?.summary).toBe('CIS digest "daily": 3 of 4 accounts need attention');
    expect(header?.elements[0]).toEqual({
      type: 'heading',
      text: 'CIS digest "daily": 3 of 4 accounts need attention',
    });
    expect(header?.elements).toContainEqual({
      type: 'fields',
      fields: [
        { label: 'Compliant', value: '1' },
        { label: 'Non-compliant', value: '2' },
        { label: 'Error', value: '1' },
        { label: 'Control', value: 'CIS 4.1' },
      ],
    });
    expect(texts([header as Card])).toContain(
      'First digest of this schedule: changes are reported from the next one.',
    );
    expect(tables([header as Card])).toEqual([
      {
        type: 'table',
        columns: ['Account', 'Status', 'Note'],
        rows: [
          ['222222222222 (staging)', 'NON-COMPLIANT', ''],
          ['333333333333 (dev)', 'NON-COMPLIANT', ''],
          ['666666666666 (payments)', 'ERROR', ''],
          ['111111111111 (prod)', 'compliant', ''],
        ],
      },
    ]);
    expect(header?.elements.at(-1)).toEqual({
      type: 'context',
      text: 'Scheduled digest · 2025-03-01 07:00 Europe/London · CIS AWS Foundations v4.0.0',
    });
  });

  test('failing items carry Remediate buttons that enter the approval flow; an ERROR has none', () => {
    expect(buttons(digest.cards)).toEqual([
      {
        id: ACTION_REMEDIATE,
        label: 'Remediate 222222222222',
        style: 'primary',
        value: JSON.stringify({ control: '4.1', accountId: '222222222222' }),
      },
      {
        id: ACTION_REMEDIATE,
        label: 'Remediate 333333333333',
        style: 'primary',
        value: '{"control":"4.1","accountId":"333333333333"}',
      },
    ]);
    const attention = digest.cards[1];
    expect(attention?.elements[0]).toEqual({ type: 'heading', text: 'Needs attention (3)' });
    expect(texts([attention as Card])).toContain(
      '! 666666666666 (payments) · CIS 4.1 ERROR\nAccess denied to logs:DescribeMetricFilters on log group ct: grant logs:DescribeMetricFilters to the audit role.',
    );
  });

  test('the summary to store records each account and since when it fails', () => {
    expect(digest.summary).toMatchObject({
      v: 1,
      schedule: 'daily',
      at: DAY1.toISOString(),
      status: 'ok',
      controls: ['4.1'],
      counts: { total: 4, compliant: 1, nonCompliant: 2, error: 1 },
      baselineAt: DAY1.toISOString(),
    });
    expect(digest.summary.entries.map((e) => [e.accountId, e.status, e.failingSince])).toEqual([
      ['111111111111', 'COMPLIANT', undefined],
      ['222222222222', 'NON_COMPLIANT', DAY1.toISOString()],
      ['333333333333', 'NON_COMPLIANT', DAY1.toISOString()],
      ['666666666666', 'ERROR', DAY1.toISOString()],
    ]);
  });
});

describe('the next digest, after a fix', () => {
  const previous = parseDigestSummary(JSON.parse(JSON.stringify(first().summary))) as DigestSummary;
  const second = buildDigest({
    schedule: SCHEDULE,
    outcomes: [
      {
        control: '4.1',
        report: report([
          finding('111111111111', 'NON_COMPLIANT', 'prod'),
          finding('222222222222', 'COMPLIANT', 'staging'),
          finding('333333333333', 'NON_COMPLIANT', 'dev'),
          finding('666666666666', 'ERROR', 'payments'),
        ]),
      },
    ],
    previous,
    at: DAY2,
  });

  test('names the fixed account, the newly failing one, and how long the others have failed', () => {
    expect(second.cards[0]?.summary).toBe(
      'CIS digest "daily": 3 of 4 accounts need attention (1 newly failing, 1 fixed)',
    );
    expect(texts(second.cards)).toContain(
      [
        'Since the previous digest (2025-03-01 07:00 Europe/London):',
        '• Fixed: 222222222222 (staging)',
        '• Newly failing: 111111111111 (prod)',
        '• Still failing: 333333333333 (dev) for 1 day, 666666666666 (payments) for 1 day',
      ].join('\n'),
    );
    expect(second.changes.fixed.map((i) => i.accountId)).toEqual(['222222222222']);
    expect(tables([second.cards[0] as Card])[0]?.rows).toEqual([
      ['111111111111 (prod)', 'NON-COMPLIANT', 'new'],
      ['333333333333 (dev)', 'NON-COMPLIANT', 'failing for 1 day'],
      ['666666666666 (payments)', 'ERROR', 'failing for 1 day'],
      ['222222222222 (staging)', 'compliant', 'fixed'],
    ]);
  });

  test('a failing streak keeps its start; a fixed account drops it', () => {
    const since = Object.fromEntries(second.summary.entries.map((e) => [e.accountId, e.failingSince]));
    expect(since).toEqual({
      '111111111111': DAY2.toISOString(),
      '222222222222': undefined,
      '333333333333': DAY1.toISOString(),
      '666666666666': DAY1.toISOString(),
    });
  });

  test('the new failure is listed first among the items to fix', () => {
    const attention = texts([second.cards[1] as Card]);
    expect(attention[1]).toMatch(
      /^✗ 111111111111 \(prod\) · CIS 4.1 NON-COMPLIANT · new since the previous digest\n/,
    );
  });
});

describe('levels', () => {
  const allCompliant = (level: NotificationLevel) =>
    buildDigest({
      schedule: { ...SCHEDULE, level },
      outcomes: [
        {
          control: '4.1',
          report: report([
            finding('111111111111', 'COMPLIANT', 'prod'),
            finding('222222222222', 'COMPLIANT'),
          ]),
        },
      ],
      at: DAY1,
    });

  test('short when all is well: one card, the compliant accounts in one line, no table', () => {
    const { cards } = allCompliant('info');
    expect(cards).toHaveLength(1);
    expect(cards[0]?.summary).toBe('CIS digest "daily": all 2 accounts compliant');
    expect(texts(cards)).toContain('Compliant: 111111111111 (prod), 222222222222');
    expect(tables(cards)).toEqual([]);
    expect(buttons(cards)).toEqual([]);
  });

  test('level error says nothing when nothing needs a human', () => {
    expect(allCompliant('error').cards).toEqual([]);
  });

  test('monotonic: what error shows, info shows; what info shows, verbose shows', () => {
    const at = (level: NotificationLevel) =>
      buildDigest({ schedule: { ...SCHEDULE, level }, outcomes: firstOutcomes(), at: DAY1 });
    const [error, info, verbose] = (['error', 'info', 'verbose'] as const).map((l) => at(l).cards);
    const failingText = (cards: Card[] | undefined) => texts(cards ?? []).filter((t) => /^[✗!] /.test(t));
    expect(buttons(error ?? [])).toEqual(buttons(info ?? []));
    expect(buttons(info ?? [])).toEqual(buttons(verbose ?? []));
    expect(failingText(error)).toEqual(failingText(info));
    expect(failingText(info)).toEqual(failingText(verbose));
    // Only verbose shows the chain link by link and the audit's cost.
    expect(tables(verbose ?? []).some((t) => t.type === 'table' && t.columns[0] === 'Link')).toBe(true);
    expect(tables(info ?? []).some((t) => t.type === 'table' && t.columns[0] === 'Link')).toBe(false);
    expect(texts(verbose ?? [])).toContain(
      'CIS 4.1: 4 account(s) audited from eu-west-2 in 1234 ms, 42 API calls.',
    );
    // Error level: no counts table, no change list.
    expect(tables(error ?? [])).toEqual([]);
    expect(texts(error ?? [])).toContain('2 non-compliant, 1 could not be audited.');
  });
});

function firstOutcomes() {
  return [
    {
      control: '4.1',
      report: report([
        finding('111111111111', 'COMPLIANT', 'prod'),
        finding('222222222222', 'NON_COMPLIANT', 'staging'),
        finding('333333333333', 'NON_COMPLIANT', 'dev'),
        finding('666666666666', 'ERROR', 'payments'),
      ]),
    },
  ];
}

describe('platform limits', () => {
  const many = Array.from({ length: 130 }, (_, i) =>
    finding(String(100000000000 + i), i % 5 === 0 ? 'COMPLIANT' : 'NON_COMPLIANT', `acct-${i}`),
  );
  const digest = buildDigest({
    schedule: { ...SCHEDULE, level: 'verbose' },
    outcomes: [{ control: '4.1', report: report(many) }],
    at: DAY1,
  });

  test('rows and items are capped per card and continue in further cards', () => {
    for (const t of tables(digest.cards)) {
      if (t.type === 'table' && t.columns[0] === 'Account') expect(t.rows.length).toBeLessThanOrEqual(20);
    }
    const accountRows = tables(digest.cards).flatMap((t) =>
      t.type === 'table' && t.columns[0] === 'Account' ? t.rows : [],
    );
    expect(accountRows).toHaveLength(130);
    expect(buttons(digest.cards)).toHaveLength(104);
    for (const card of digest.cards) {
      expect(card.elements.filter((e) => e.type === 'actions').length).toBeLessThanOrEqual(8);
    }
    expect(digest.cards.map((c) => c.elements[0])).toContainEqual({
      type: 'heading',
      text: 'Accounts (continued, 7 of 7)',
    });
    expect(digest.cards.map((c) => c.elements[0])).toContainEqual({
      type: 'heading',
      text: 'Needs attention (97–104 of 104)',
    });
  });

  test("every Slack message passes Block Kit's limits; every Teams card fits", () => {
    const messages = toSlackMessages(digest.cards);
    for (const m of messages) expect(validateBlockKit(m)).toEqual([]);
    for (const card of digest.cards) {
      expect(Buffer.byteLength(JSON.stringify(card))).toBeLessThanOrEqual(MAX_CARD_BYTES);
      expect(splitCard(card)).toEqual([card]);
    }
  });
});

describe('a control that could not be audited', () => {
  const previous = first().summary;

  test('is said in the digest, and its accounts keep the previous baseline', () => {
    const d = buildDigest({
      schedule: SCHEDULE,
      outcomes: [{ control: '4.1', error: 'No AWS credentials found.' }],
      previous,
      at: DAY2,
    });
    expect(d.cards[0]?.elements[0]).toEqual({
      type: 'heading',
      text: 'CIS digest "daily": the audit could not run',
    });
    expect(texts(d.cards)).toContain('CIS 4.1 could not be audited: No AWS credentials found.');
    expect(d.summary.status).toBe('carried');
    expect(d.summary.entries).toEqual(previous.entries);
    expect(d.summary.baselineAt).toBe(DAY1.toISOString());
    // Even at level error: an audit that could not run needs a human.
    const quiet = buildDigest({
      schedule: { ...SCHEDULE, level: 'error' },
      outcomes: [{ control: '4.1', error: 'No AWS credentials found.' }],
      at: DAY2,
    });
    expect(quiet.cards).toHaveLength(1);
  });

  test('the digest after it still compares with the last real audit', () => {
    const carried = buildDigest({
      schedule: SCHEDULE,
      outcomes: [{ control: '4.1', error: 'No AWS credentials found.' }],
      previous,
      at: DAY2,
    }).summary;
    const third = buildDigest({
      schedule: SCHEDULE,
      outcomes: [
        {
          control: '4.1',
          report: report([
            finding('222222222222', 'COMPLIANT', 'staging'),
            finding('333333333333', 'NON_COMPLIANT', 'dev'),
          ]),
        },
      ],
      previous: parseDigestSummary(carried),
      at: new Date('2025-03-04T07:00:00.000Z'),
    });
    expect(third.changes.previousAt).toBe(DAY1.toISOString());
    expect(third.changes.fixed.map((i) => i.accountId)).toEqual(['222222222222']);
    expect(third.changes.stillFailing.map((i) => [i.accountId, i.failingSince])).toEqual([
      ['333333333333', DAY1.toISOString()],
    ]);
    expect(third.changes.removed.map((e) => e.accountId)).toEqual(['111111111111', '666666666666']);
  });
});

describe('small parts', () => {
  test('parseDigestSummary reads what was stored and rejects what is not a summary', () => {
    const s = first().summary;
    expect(parseDigestSummary(JSON.parse(JSON.stringify(s)))?.entries).toEqual(s.entries);
    expect(parseDigestSummary(undefined)).toBeUndefined();
    expect(parseDigestSummary({ by: 'p1' })).toBeUndefined();
    expect(parseDigestSummary({ at: 'x', entries: [] })).toBeUndefined();
    expect(
      parseDigestSummary({
        at: DAY1.toISOString(),
        entries: [{ control: '4.1', accountId: '1', status: 'BOGUS' }],
      })?.entries,
    ).toEqual([]);
  });

  test('failingFor and streakStart', () => {
    expect(failingFor('2025-03-01T07:00:00Z', new Date('2025-03-01T20:00:00Z'))).toBe('for less than a day');
    expect(failingFor('2025-03-01T07:00:00Z', new Date('2025-03-02T07:00:00Z'))).toBe('for 1 day');
    expect(failingFor('2025-03-01T07:00:00Z', new Date('2025-03-11T06:59:00Z'))).toBe('for 9 days');
    const h = (status: string, at: string) => ({ status, at });
    expect(
      streakStart([h('NON_COMPLIANT', 'a'), h('COMPLIANT', 'b'), h('NON_COMPLIANT', 'c'), h('ERROR', 'd')]),
    ).toBe('c');
    expect(streakStart([h('NON_COMPLIANT', 'a'), h('COMPLIANT', 'b')])).toBeUndefined();
    expect(streakStart([])).toBeUndefined();
  });

  test("history dates a first digest's failing streak", () => {
    const d = buildDigest({
      schedule: SCHEDULE,
      outcomes: [{ control: '4.1', report: report([finding('222222222222', 'NON_COMPLIANT', 'staging')]) }],
      at: DAY2,
      historySince: new Map([['4.1|222222222222', '2025-02-20T10:00:00.000Z']]),
    });
    expect(d.summary.entries[0]?.failingSince).toBe('2025-02-20T10:00:00.000Z');
    expect(texts(d.cards)).toContain('222222222222 (staging) | NON-COMPLIANT | failing for 9 days');
  });

  test('the schedule list card', () => {
    const platforms = platformCatalog(loadConfig({ document: {}, env: {} }));
    const labelOf = (platform: string) => platformLabel(platforms, platform);
    const card = scheduleListCard(
      [
        {
          name: 'daily',
          cron: '0 7 * * 1-5',
          timezone: 'Europe/London',
          level: 'info',
          controls: ['4.1'],
          targets: { slack: ['C0123'], teams: ['19:abc@thread.tacv2'] },
          nextRun: '2025-03-03T07:00:00.000Z',
          nextRunLocal: '2025-03-03 07:00 Europe/London',
        },
      ],
      labelOf,
    );
    expect(card.elements[1]).toEqual({
      type: 'table',
      columns: ['Schedule', 'Cron', 'Next run', 'Controls', 'Level', 'Targets'],
      rows: [
        [
          'daily',
          '0 7 * * 1-5',
          '2025-03-03 07:00 Europe/London',
          '4.1',
          'info',
          'Slack C0123, Teams 19:abc@thread.tacv2',
        ],
      ],
    });
    expect(scheduleListCard([], labelOf).summary).toBe('No digest schedules');
  });
});
