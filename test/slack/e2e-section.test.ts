/**
 * `/cis 4 audit` end to end through signed Slack requests: the whole section over the seven demo
 * accounts in one pass, a progress message updated as accounts complete (the bot shows progress at
 * once here, and the audit is slowed by AWS latency and one account at a time), then replaced by the
 * summary (counts per status and per broken link), with the worst accounts and every account's row of
 * 16 statuses in the thread, all within Block Kit's limits; each control recorded on its own.
 */
import { type E2E, expectAllAccepted, startE2E, textOf, withThread } from './e2e-harness';

let e: E2E;

beforeAll(async () => {
  const accounts = ['1', '2', '3', '4', '5', '6', '7'].map((d) => d.repeat(12));
  e = await startE2E({
    latencyMs: 40,
    progressAfterMs: 0,
    document: { aws: { accounts, region: 'eu-west-2', concurrency: 1 } },
  });
});

afterAll(async () => {
  await e.close();
});

describe('/cis 4 audit', () => {
  it('updates one message with the progress, then replaces it with the summary and threads the rows', async () => {
    const result = await e.command('4 audit');
    const first = result.message;
    if (!first) throw new Error('no message posted');
    const updates = e.fake
      .callsTo('chat.update')
      .filter((c) => c.args.ts === first.ts)
      .map((c) => String(c.args.text));
    const progress = updates.filter((t) => t.startsWith('Auditing 7 accounts'));
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.length).toBeLessThan(8); // 8 progress events (start + 7 accounts), paced
    for (const t of progress)
      expect(t).toMatch(/^Auditing 7 accounts(…|: \d done, (\d non-compliant, )?\d errors? so far)$/);
    // The result comes last and stays.
    expect(updates.at(-1)).toMatch(
      /^CIS 4 \(16 controls\) audit: 0 of 7 accounts compliant on every control/,
    );
    expect(textOf(first)).toMatch(/Broken links \(account x control\): metric-filter \d+/);
    const thread = withThread(e.fake, first).map(textOf).join('\n');
    expect(thread).toContain('666666666666 (payments)');
    expect(thread).toMatch(/Account\s+4\.1\s+4\.2/);
    expectAllAccepted(e.fake);
    // Recorded per control: status and digests read one control at a time.
    expect((await e.services.store.latestFindings('4.16')).map((f) => f.status)).toHaveLength(7);
    expect(
      (await e.services.store.latestFindings('4.1')).filter((f) => f.status === 'COMPLIANT'),
    ).toHaveLength(1);
  });

  it('names the known controls for an unknown one in a list', async () => {
    const result = await e.command('4.1,4.42 audit');
    expect(result.message?.text).toMatch(
      /Unknown control "4\.42"\. Known controls: 4\.1, .*4\.16, 4 \(every control/,
    );
  });
});
