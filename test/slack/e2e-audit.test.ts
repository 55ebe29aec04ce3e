/**
 * End to end through signed Slack requests: the bot server (startBot) over the real core audits the
 * bundled audit-demo sandbox (a security account and seven members, each broken at a different link)
 * and shows every verdict and its reason in Block Kit the fake Slack API accepts; long results continue
 * in the thread; status, history and help; an unknown command gets a usage message only its author sees;
 * forged and replayed requests change nothing.
 */
import { escapeMrkdwn } from '../../adapters/slack/render';
import type { StoredFinding } from '../../src/core/ports/store';
import { FAKE_TEAM_ID, validateBlockKit } from '../support/fake-slack-api';
import {
  ALICE,
  type E2E,
  expectAllAccepted,
  startE2E,
  storeSnapshot,
  textOf,
  withThread,
} from './e2e-harness';
import { blockActionsBody, nowSeconds, postSigned, sign, slashCommandBody } from './helpers';

/** What the audit-demo scenario's comments say about each member account. */
const EXPECTED: Record<
  string,
  { label: string; status: 'COMPLIANT' | 'NON_COMPLIANT' | 'ERROR'; why: RegExp }
> = {
  '111111111111': { label: 'prod', status: 'COMPLIANT', why: /Chain holds/ },
  '222222222222': { label: 'staging', status: 'NON_COMPLIANT', why: /not logging/ },
  '333333333333': { label: 'dev', status: 'NON_COMPLIANT', why: /misses .*UnauthorizedOperation/ },
  '444444444444': { label: 'marketing', status: 'NON_COMPLIANT', why: /pending confirmation/ },
  '555555555555': { label: 'analytics', status: 'NON_COMPLIANT', why: /No CloudWatch alarm/ },
  '666666666666': { label: 'payments', status: 'ERROR', why: /logs:DescribeMetricFilters/ },
  '777777777777': { label: 'legacy', status: 'NON_COMPLIANT', why: /not multi-region/ },
};
const STATUS_WORD = { COMPLIANT: 'compliant', NON_COMPLIANT: 'NON-COMPLIANT', ERROR: 'ERROR' } as const;

let e: E2E;

beforeAll(async () => {
  e = await startE2E();
});

afterAll(async () => {
  await e.close();
});

async function findings(): Promise<Map<string, StoredFinding>> {
  return new Map((await e.services.store.latestFindings('4.1')).map((f) => [f.accountId, f]));
}

describe('/cis 4.1 audit of the sandbox scenario', () => {
  it('shows every account with its verdict and reason, the first message in place of the progress message and the rest in its thread', async () => {
    const result = await e.command('4.1 audit');
    expect(result.status).toBe(200);
    expect(result.text).toBe('');
    const first = result.message;
    if (!first) throw new Error('no message posted');
    expect(first.updates).toBe(1); // the progress message, replaced by the result
    expect(first.text).toMatch(/^CIS 4\.1 audit: 1 of 7 accounts compliant \(5 non-compliant, 1 error\)/);

    const messages = withThread(e.fake, first);
    // Each account with a problem gets its own message (it carries a button); they continue in the thread.
    expect(messages.length).toBeGreaterThan(1);
    expect(messages.slice(1).every((m) => m.threadTs === first.ts)).toBe(true);
    const all = messages.map(textOf).join('\n\n');

    const stored = await findings();
    expect([...stored.keys()].sort()).toEqual(Object.keys(EXPECTED).sort());
    for (const [accountId, expected] of Object.entries(EXPECTED)) {
      const finding = stored.get(accountId);
      expect(finding?.status).toBe(expected.status);
      expect(finding?.reason).toMatch(expected.why);
      if (expected.status === 'COMPLIANT') {
        // At the default level (info) compliant accounts are listed in the summary.
        expect(textOf(first)).toContain(`Compliant: ${accountId} (${expected.label})`);
        continue;
      }
      const card = messages.find((m) => textOf(m).includes(`: account ${accountId} (${expected.label})`));
      if (!card) throw new Error(`no card for ${accountId}`);
      const text = textOf(card);
      expect(text).toContain(`CIS 4.1 ${STATUS_WORD[expected.status]}: account ${accountId}`);
      expect(text).toContain(escapeMrkdwn(finding?.reason ?? '?'));
      // The chain's links and which one broke.
      expect(text).toMatch(expected.status === 'ERROR' ? /! ERROR/ : /✗ FAIL/);
    }
    // Non-compliant accounts offer a fix; the errored one (a permission to grant) does not.
    const fixButtons = messages.flatMap((m) =>
      (m.blocks as Array<{ type: string; elements?: Array<{ action_id: string; value: string }> }>)
        .filter((b) => b.type === 'actions')
        .flatMap((b) => b.elements ?? []),
    );
    expect(fixButtons.map((b) => (JSON.parse(b.value) as { accountId: string }).accountId).sort()).toEqual(
      Object.keys(EXPECTED)
        .filter((id) => EXPECTED[id]?.status === 'NON_COMPLIANT')
        .sort(),
    );
    expect(all).not.toContain('<@'); // nothing in the findings turned into a mention
    expectAllAccepted(e.fake);
  });

  it('shows the level the command asks for: verbose adds each link’s evidence and compliant accounts, error only the problems', async () => {
    const verbose = await e.command('4.1 audit --account 333333333333,111111111111 --level verbose');
    const verboseText = withThread(e.fake, verbose.message as never)
      .map(textOf)
      .join('\n');
    expect(verboseText).toContain('CIS 4.1 compliant: account 111111111111 (prod)');
    // The evidence names the narrower filter and its pattern (escaped for mrkdwn).
    expect(verboseText).toContain('access-denied');
    expect(verboseText).toMatch(/metric-filter: \{/);

    const errorOnly = await e.command('4.1 audit --account 333333333333,111111111111 --level error');
    const errorText = withThread(e.fake, errorOnly.message as never)
      .map(textOf)
      .join('\n');
    expect(errorText).toContain('CIS 4.1 NON-COMPLIANT: account 333333333333 (dev)');
    expect(errorText).not.toContain('111111111111');
    expect(errorText).not.toMatch(/metric-filter: \{/);
    expectAllAccepted(e.fake);
  });

  it('answers status and history from the store, and help only to its author', async () => {
    const status = await e.command('4.1 status');
    const statusText = textOf(status.message as never);
    for (const accountId of Object.keys(EXPECTED)) expect(statusText).toContain(accountId);

    const history = await e.command('history');
    expect(textOf(history.message as never)).toMatch(/audit/);

    const help = await e.command('help');
    expect(help.message).toBeUndefined();
    expect(help.responses).toHaveLength(1);
    expect(help.responses[0]?.response_type).toBe('ephemeral');
    expect(textOf(help.responses[0] as never)).toMatch(/4\.1 audit/);
    expectAllAccepted(e.fake);
  });
});

describe('requests that must change nothing', () => {
  it('an unknown command gets an ephemeral usage message, and no AWS call or store write happens', async () => {
    const awsCalls = e.run.sandbox.calls.length;
    const before = await storeSnapshot(e.services);
    const chatCalls = e.fake.callsTo('chat.postMessage').length;

    const result = await e.command('4.1 frobnicate');
    expect(result.status).toBe(200);
    expect(result.responses).toHaveLength(1);
    expect(result.responses[0]).toMatchObject({ response_type: 'ephemeral' });
    expect(textOf(result.responses[0] as never)).toMatch(/usage|unknown|frobnicate/i);
    expect(validateBlockKit(result.responses[0] as never)).toEqual([]);

    expect(e.fake.callsTo('chat.postMessage')).toHaveLength(chatCalls);
    expect(e.run.sandbox.calls).toHaveLength(awsCalls);
    expect(await storeSnapshot(e.services)).toEqual(before);
  });

  it('a forged signature, a replayed request and an old request get 401: no AWS call, no Slack call, store unchanged', async () => {
    const accepted = await e.command('4.1 audit --account 222222222222');
    expect(accepted.status).toBe(200);
    await e.idle();

    const awsCalls = e.run.sandbox.calls.length;
    const slackCalls = e.fake.calls.length;
    const before = await storeSnapshot(e.services);

    const body = slashCommandBody({
      text: '4.1 remediate --account 333333333333',
      response_url: e.fake.responseUrl(),
    });
    // Signed with another secret.
    expect((await postSigned(e.url, { body, secret: 'not-the-signing-secret' })).status).toBe(401);
    // A valid signature over a different body (the text was tampered with in transit).
    const timestamp = nowSeconds();
    const tampered = body.replace('remediate', 'audit');
    expect(
      (await postSigned(e.url, { body: tampered, timestamp, signature: sign(body, timestamp) })).status,
    ).toBe(401);
    // The exact request Slack sent before, replayed.
    expect((await postSigned(e.url, { body: accepted.body, timestamp: accepted.timestamp })).status).toBe(
      401,
    );
    // Correctly signed, but six minutes old.
    expect((await postSigned(e.url, { body, timestamp: nowSeconds() - 6 * 60 })).status).toBe(401);
    // A forged button click.
    const click = blockActionsBody({
      actionId: 'cis:remediate',
      value: JSON.stringify({ control: '4.1', accountId: '333333333333' }),
      response_url: e.fake.responseUrl(),
      messageTs: accepted.message?.ts ?? '1.1',
      userId: ALICE.id,
    });
    expect((await postSigned(e.url, { body: click, secret: 'forged' })).status).toBe(401);
    await e.idle();

    expect(e.run.sandbox.calls).toHaveLength(awsCalls);
    expect(e.fake.calls).toHaveLength(slackCalls);
    expect(await storeSnapshot(e.services)).toEqual(before);
  });
});

describe('requests from another workspace', () => {
  it('are refused, run nothing, and are written to the audit log', async () => {
    const awsCalls = e.run.sandbox.calls.length;
    const command = await postSigned(e.url, {
      body: slashCommandBody({
        text: '4.1 remediate --account 333333333333',
        response_url: e.fake.responseUrl(),
        user_id: 'U0GUEST001',
        team_id: 'T0OTHER001',
      }),
    });
    const click = await postSigned(e.url, {
      body: blockActionsBody({
        actionId: 'cis:remediate',
        value: JSON.stringify({ control: '4.1', accountId: '333333333333' }),
        response_url: e.fake.responseUrl(),
        messageTs: '1.1',
        userId: 'U0GUEST001',
        userTeamId: 'T0OTHER001',
      }),
    });
    expect([command.status, click.status]).toEqual([200, 200]);
    await e.idle();
    expect(e.run.sandbox.calls).toHaveLength(awsCalls);
    const refused = await e.services.store.listAuditLog({ kinds: ['refused'], limit: 10 });
    // In either order: the command's refusal is recorded when its queued work runs, the click's before its ack.
    expect(refused).toHaveLength(2);
    expect(refused.map((r) => [r.actor?.userId, r.platform, r.detail])).toEqual(
      expect.arrayContaining([
        [
          'U0GUEST001',
          'slack',
          {
            reason: 'other-workspace',
            by: 'adapter',
            request: 'cis:remediate',
            conversation: { platform: 'slack', id: 'C0SECOPS01' },
            team: FAKE_TEAM_ID,
            userTeam: 'T0OTHER001',
            enterprise: null,
          },
        ],
        [
          'U0GUEST001',
          'slack',
          {
            reason: 'other-workspace',
            by: 'adapter',
            request: '/cis',
            conversation: { platform: 'slack', id: 'C0SECOPS01' },
            team: 'T0OTHER001',
            enterprise: null,
          },
        ],
      ]),
    );
  });
});

describe('a result too large for one message', () => {
  let big: E2E;
  const MEMBERS = 32;

  beforeAll(async () => {
    // A security account and 32 members whose audit role is missing: 32 ERROR findings, no buttons.
    const lines = ['accounts:', '  - { id: "999900000001", label: security }'];
    for (let i = 1; i <= MEMBERS; i++) {
      const id = String(100000000000 + i * 1111);
      lines.push(`  - id: "${id}"`, `    label: member-${i}`, '    regions: { eu-west-2: {} }');
    }
    big = await startE2E({ scenario: `${lines.join('\n')}\n` });
  });

  afterAll(async () => {
    await big.close();
  });

  it('continues in the thread, every message within Slack’s limits, with every account shown', async () => {
    const result = await big.command('4.1 audit --level verbose');
    const first = result.message;
    if (!first) throw new Error('no message posted');
    const messages = withThread(big.fake, first);
    expect(messages.length).toBeGreaterThan(1);
    for (const m of messages) {
      expect(m.blocks.length).toBeLessThanOrEqual(50);
      expect(validateBlockKit(m)).toEqual([]);
    }
    expect(messages.slice(1).every((m) => m.threadTs === first.ts && /continued|CIS 4\.1/.test(m.text))).toBe(
      true,
    );
    const all = messages.map(textOf).join('\n');
    for (let i = 1; i <= MEMBERS; i++) expect(all).toContain(String(100000000000 + i * 1111));
    expect(all).toContain('sts:AssumeRole');
    expectAllAccepted(big.fake);
  });
});
