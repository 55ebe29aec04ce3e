/**
 * A section report keeps equal links of an account's controls once (src/core/evaluate/shared-links.ts):
 * the printed report is unchanged, links that differ in any value (or in the order of their fields) stay
 * apart, and a real section audit's rows share the trail's links across the 15 chain controls.
 */
import { runControlsAudit } from '../../src/aws/auditor';
import { AwsSession } from '../../src/aws/session';
import { selectControls } from '../../src/core/controls';
import type { AccountFinding, LinkResult } from '../../src/core/evaluate/findings';
import { shareEqualLinks } from '../../src/core/evaluate/shared-links';
import { startSandbox } from '../../src/sandbox';

const link = (detail: string, evidence: Record<string, unknown>): LinkResult => ({
  link: 'trail',
  status: 'pass',
  detail,
  evidence,
});

function finding(control: string, links: LinkResult[]): AccountFinding {
  return {
    control,
    accountId: '111111111111',
    status: 'COMPLIANT',
    reason: 'ok',
    links,
    chain: {},
    candidates: 1,
  } as AccountFinding;
}

test('equal links become one object; the findings print exactly as before', () => {
  const findings = [
    finding('4.1', [link('Trail t.', { arn: 'a', selectors: [{ all: true }] })]),
    finding('4.2', [link('Trail t.', { arn: 'a', selectors: [{ all: true }] })]),
  ];
  const before = JSON.stringify(findings);
  const shared = shareEqualLinks(findings);
  expect(JSON.stringify(shared)).toBe(before);
  expect(shared[1]?.links[0]).toBe(shared[0]?.links[0]);
});

test('links with the same detail but another value, or fields in another order, stay apart', () => {
  const findings = [
    finding('4.1', [link('Trail t.', { arn: 'a', selectors: [{ all: true }] })]),
    finding('4.2', [link('Trail t.', { arn: 'a', selectors: [{ all: false }] })]),
    finding('4.3', [link('Trail t.', { selectors: [{ all: true }], arn: 'a' })]),
  ];
  const before = JSON.stringify(findings);
  const shared = shareEqualLinks(findings);
  expect(JSON.stringify(shared)).toBe(before);
  expect(new Set(shared.map((f) => f.links[0])).size).toBe(3);
});

test("a section audit's rows share the trail links of an account's chain controls, and only within the account", async () => {
  const mgmt = '999988887777';
  const sandbox = await startSandbox({
    scenario: {
      organization: { management_account: mgmt, generate: { accounts: 2, regions: ['eu-west-2'] } },
      accounts: [{ id: mgmt, label: 'management' }],
    },
  });
  const session = new AwsSession({
    region: 'eu-west-2',
    credentials: sandbox.credentialsFor(mgmt),
    clientConfig: { endpoint: sandbox.endpoint, maxAttempts: 1 },
  });
  try {
    const { report } = await runControlsAudit({
      controls: selectControls(['4']),
      session,
      region: 'eu-west-2',
      accounts: ['200000000000', '200000000001'],
    });
    const [a, b] = report.accounts;
    const trailLinks = a?.controls.slice(0, 15).map((c) => c.links[0]);
    expect(trailLinks?.[0]?.link).toBe('trail');
    expect(new Set(trailLinks).size).toBe(1);
    expect(b?.controls[0]?.links[0]).not.toBe(a?.controls[0]?.links[0]);
    // The metric-filter links differ per control, so they stay apart.
    const filters = a?.controls.slice(0, 15).map((c) => c.links.find((l) => l.link === 'metric-filter'));
    expect(new Set(filters).size).toBe(15);
  } finally {
    session.destroy();
    await sandbox.close();
  }
});
