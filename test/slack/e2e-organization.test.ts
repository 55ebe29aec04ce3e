/**
 * End to end through signed Slack requests with accounts discovered from AWS Organizations
 * (aws.organization, no aws.accounts): the bot server over the real core, the real Organizations SDK
 * client against the sandbox's organization. `/cis 4.1 audit --account <discovered>` is audited; an id
 * that is not discovered (a suspended member, an account outside the organization) is refused before
 * any audit call; `/cis 4.1 audit` audits every discovered account, named as in Organizations.
 */
import { auditableScenarioFile, MGMT, OUTSIDER, PROD, SUSPENDED } from '../accounts/org-fixtures';
import { type E2E, startE2E, textOf, withThread } from './e2e-harness';

let e: E2E;

beforeAll(async () => {
  e = await startE2E({
    scenario: auditableScenarioFile(), // the management account's credentials are the bot's own
    document: { aws: { region: 'eu-west-2', organization: { enabled: true } } },
  });
});

afterAll(async () => {
  await e.close();
});

/** Calls the sandbox answered other than Organizations' (the audit's own). */
function auditCalls(): number {
  return e.run.sandbox.calls.filter((c) => c.service !== 'organizations').length;
}

describe('/cis with accounts discovered from AWS Organizations', () => {
  it('audits a discovered account named with --account', async () => {
    expect(e.services.accounts.source).toBe('organization');
    const result = await e.command(`4.1 audit --account ${PROD}`);
    expect(result.status).toBe(200);
    const first = result.message;
    if (!first) throw new Error('no message posted');
    expect(first.text).toMatch(/^CIS 4\.1 audit: 0 of 1 account compliant \(1 non-compliant/);
    expect(withThread(e.fake, first).map(textOf).join('\n')).toContain(`account ${PROD} (prod)`);
    expect((await e.services.store.latestFindings('4.1', [PROD])).map((f) => f.accountId)).toEqual([PROD]);
  });

  it.each([
    ['a suspended member', SUSPENDED],
    ['an account outside the organization', OUTSIDER],
  ])('refuses %s before any audit call', async (_what, accountId) => {
    const before = auditCalls();
    const result = await e.command(`4.1 audit --account ${accountId}`);
    expect(result.message?.text).toBe(
      `:warning: Not an account cis-bot audits: ${accountId}. The accounts are the ACTIVE accounts discovered from AWS Organizations (aws.organization, less exclude_accounts); \`cis-bot accounts\` lists them.`,
    );
    expect(auditCalls()).toBe(before);
    expect(await e.services.store.latestFindings('4.1', [accountId])).toEqual([]);
  });

  it('audits every discovered account when none is named', async () => {
    const result = await e.command('4.1 audit');
    const first = result.message;
    if (!first) throw new Error('no message posted');
    expect(first.text).toMatch(/^CIS 4\.1 audit: 0 of 6 accounts compliant/);
    const audited = (await e.services.store.latestFindings('4.1')).map((f) => f.accountId);
    expect(audited).toContain(MGMT);
    expect(audited).not.toContain(SUSPENDED);
    expect(audited).toHaveLength(6);
  });
});
