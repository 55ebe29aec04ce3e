/**
 * The pure digest with `default_action`: `skip` leaves a control's failing accounts out of the cards
 * (one line says how many) while the stored summary keeps them; `remediate` outcomes are reported per
 * account with the re-audit's verdict, within platform limits, and at level error only what still needs
 * a person.
 */
import { toSlackMessages } from '../../adapters/slack/render';
import { MAX_CARD_BYTES, splitCard } from '../../adapters/teams/render';
import type { Card, CardElement } from '../../src/core/cards';
import { buildDigest, type DigestRemediation, remediationLine } from '../../src/core/digest';
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

describe('skip', () => {
  const outcomes = [
    {
      control: '4.1',
      report: report([
        finding('111111111111', 'COMPLIANT', 'prod'),
        finding('222222222222', 'NON_COMPLIANT', 'staging'),
        finding('666666666666', 'ERROR', 'payments'),
      ]),
    },
    {
      control: '4.2',
      report: report(
        [
          finding('111111111111', 'NON_COMPLIANT', 'prod', '4.2'),
          finding('222222222222', 'COMPLIANT', 'staging', '4.2'),
        ],
        '4.2',
      ),
    },
  ];

  test("a skipped control's failing accounts are not listed; one line says how many", () => {
    const digest = buildDigest({ schedule: SCHEDULE, outcomes, at: DAY1, skipControls: ['4.1'] });
    const all = texts(digest.cards).join('\n');
    expect(digest.cards[0]?.summary).toBe('CIS digest "daily": 1 of 3 account checks needs attention');
    expect(all).toContain(
      'Not listed by configuration (default_action: skip): 2 failing accounts of CIS 4.1.',
    );
    expect(all).not.toContain('222222222222 (staging) | 4.1');
    expect(all).not.toContain('666666666666');
    expect(all).toContain('111111111111 (prod) | 4.2 | NON-COMPLIANT');
    // The summary keeps every account: the baseline stays whole.
    expect(digest.summary.entries).toHaveLength(5);
    expect(digest.summary.skippedByConfig).toEqual([{ control: '4.1', count: 2 }]);
  });

  test('never "all compliant" while failing accounts are only hidden; level error says nothing', () => {
    const only41 = [outcomes[0] as (typeof outcomes)[number]];
    const info = buildDigest({ schedule: SCHEDULE, outcomes: only41, at: DAY1, skipControls: ['4.1'] });
    expect(info.cards[0]?.summary).toBe(
      'CIS digest "daily": 1 account compliant, 2 failing are not listed by configuration',
    );
    const quiet = buildDigest({
      schedule: { ...SCHEDULE, level: 'error' },
      outcomes: only41,
      at: DAY1,
      skipControls: ['4.1'],
    });
    expect(quiet.cards).toEqual([]);
  });

  test('the next digest does not call a skipped account "newly failing" or "no longer audited"', () => {
    const day1 = buildDigest({ schedule: SCHEDULE, outcomes, at: DAY1, skipControls: ['4.1'] });
    const day2 = buildDigest({
      schedule: SCHEDULE,
      outcomes,
      previous: day1.summary,
      at: DAY2,
      skipControls: ['4.1'],
    });
    const all = texts(day2.cards).join('\n');
    expect(all).not.toContain('No longer audited');
    expect(all).not.toMatch(/Newly failing: .*222222222222/);
    // Switched back to notify, the streak is dated from the first sighting.
    const notify = buildDigest({ schedule: SCHEDULE, outcomes, previous: day1.summary, at: DAY2 });
    expect(texts(notify.cards).join('\n')).toMatch(
      /Still failing: [^\n]*222222222222 \(staging\) \(CIS 4\.1\) for 1 day/,
    );
  });
});

describe('remediate', () => {
  const reaudit = (
    status: 'COMPLIANT' | 'NON_COMPLIANT',
    reason = 'Topic alerts has no confirmed subscriber.',
  ) => ({
    status,
    reason,
  });
  const remediations: DigestRemediation[] = [
    {
      control: '4.1',
      accountId: '333333333333',
      label: 'dev',
      outcome: 'fixed',
      steps: { done: 2, skipped: 1, total: 3 },
      reaudit: reaudit('COMPLIANT'),
    },
    {
      control: '4.1',
      accountId: '444444444444',
      label: 'marketing',
      outcome: 'awaiting-confirmation',
      steps: { done: 1, skipped: 0, total: 1 },
      awaiting: [{ protocol: 'email', endpoint: 'secops@example.com' }],
      reaudit: reaudit('NON_COMPLIANT'),
    },
    {
      control: '4.1',
      accountId: '555555555555',
      label: 'analytics',
      outcome: 'failed',
      steps: { done: 0, skipped: 0, total: 2 },
      failedStep: {
        id: 'alarm',
        title: 'Create the alarm',
        errorCode: 'AccessDenied',
        message: 'not allowed',
      },
      reaudit: reaudit('NON_COMPLIANT', 'Alarm watches namespace Security.'),
    },
    {
      control: '4.1',
      accountId: '222222222222',
      label: 'staging',
      outcome: 'guidance-only',
      guidance: ['Start logging on the trail'],
    },
    {
      control: '4.1',
      accountId: '777777777777',
      outcome: 'error',
      error: 'Account 777777777777 was not audited.',
    },
    { control: '4.1', accountId: '888888888888', outcome: 'deferred', error: 'time budget spent' },
    { control: '4.1', accountId: '999999999999', outcome: 'not-compliant', reaudit: { error: 'throttled' } },
  ];

  test('one line per account: the outcome, the failed step, who must confirm, the re-audit verdict', () => {
    expect(remediations.map((r) => remediationLine(r, 600))).toEqual([
      '✓ 333333333333 (dev) · CIS 4.1 · fixed automatically (2 steps done, 1 already in place) · re-audit: compliant',
      '~ 444444444444 (marketing) · CIS 4.1 · steps done (1 step done); awaiting confirmation of the subscription by email secops@example.com · re-audit: NON-COMPLIANT: Topic alerts has no confirmed subscriber.',
      '✗ 555555555555 (analytics) · CIS 4.1 · failed at step "Create the alarm" (AccessDenied): not allowed · re-audit: NON-COMPLIANT: Alarm watches namespace Security.',
      '! 222222222222 (staging) · CIS 4.1 · guidance only, nothing cis-bot can change: Start logging on the trail',
      '! 777777777777 · CIS 4.1 · automatic remediation could not run: Account 777777777777 was not audited.',
      '! 888888888888 · CIS 4.1 · not attempted in this run: time budget spent',
      '✗ 999999999999 · CIS 4.1 · steps done, but the account is still not compliant · re-audit failed: throttled',
    ]);
  });

  const outcomes = [
    {
      control: '4.1',
      report: report([
        finding('333333333333', 'COMPLIANT', 'dev'),
        finding('444444444444', 'NON_COMPLIANT', 'marketing'),
        finding('555555555555', 'NON_COMPLIANT', 'analytics'),
      ]),
    },
  ];

  test('the digest carries the outcomes; its headline counts what was fixed automatically', () => {
    const digest = buildDigest({ schedule: SCHEDULE, outcomes, at: DAY1, remediations });
    expect(digest.cards[0]?.summary).toBe(
      'CIS digest "daily": 2 of 3 accounts need attention (1 fixed automatically)',
    );
    const card = digest.cards.find((c) => c.summary.includes('Automatic remediation'));
    expect(card?.elements[0]).toEqual({
      type: 'heading',
      text: 'Automatic remediation (default_action: remediate): 1 fixed, 1 awaiting confirmation, 1 failed, 1 guidance only, 1 error, 1 deferred, 1 not compliant',
    });
    expect(digest.summary.remediations).toContainEqual({
      control: '4.1',
      accountId: '333333333333',
      outcome: 'fixed',
    });
  });

  test('level error leaves out what needs no person; all fixed and compliant says nothing', () => {
    const quiet = buildDigest({
      schedule: { ...SCHEDULE, level: 'error' },
      outcomes,
      at: DAY1,
      remediations,
    });
    const all = texts(quiet.cards).join('\n');
    expect(all).not.toContain('fixed automatically');
    expect(all).toContain('failed at step "Create the alarm"');
    const fixedOnly = buildDigest({
      schedule: { ...SCHEDULE, level: 'error' },
      outcomes: [{ control: '4.1', report: report([finding('333333333333', 'COMPLIANT', 'dev')]) }],
      at: DAY1,
      remediations: remediations.slice(0, 1),
    });
    expect(fixedOnly.cards).toEqual([]);
  });

  test("many outcomes are split within Block Kit's limits and Teams' card size", () => {
    const many: DigestRemediation[] = Array.from({ length: 60 }, (_, i) => ({
      control: '4.1',
      accountId: String(100000000000 + i),
      outcome: 'failed',
      failedStep: {
        id: 'alarm',
        title: 'Create the alarm',
        errorCode: 'AccessDenied',
        message: 'x'.repeat(2000),
      },
      reaudit: { status: 'NON_COMPLIANT', reason: 'y'.repeat(2000) },
    }));
    const digest = buildDigest({ schedule: SCHEDULE, outcomes, at: DAY1, remediations: many });
    const cards = digest.cards.filter((c) => c.summary.includes('Automatic remediation'));
    expect(cards.length).toBe(8);
    for (const m of toSlackMessages(digest.cards)) expect(validateBlockKit(m)).toEqual([]);
    for (const card of digest.cards) {
      expect(Buffer.byteLength(JSON.stringify(card))).toBeLessThanOrEqual(MAX_CARD_BYTES);
      expect(splitCard(card)).toEqual([card]);
    }
  });
});
