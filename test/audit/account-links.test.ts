/**
 * The links a section audit shares between the controls of one account (account-links.ts): evaluating
 * every control of section 4 with one AccountLinks per snapshot gives findings identical, field for field
 * and in print, to evaluating each control alone, for every broken-link case of the chain (the snapshots
 * collected through the real SDK from the sandbox); and an AccountLinks made for another account's
 * snapshot is never used.
 */
import { runControlsAudit } from '../../src/aws/auditor';
import { AwsSession } from '../../src/aws/session';
import { selectControls } from '../../src/core/controls';
import { AccountLinks } from '../../src/core/evaluate/account-links';
import { evaluateControl } from '../../src/core/evaluate/evaluate-control';
import type { AccountSnapshot } from '../../src/core/snapshot';
import { type Sandbox, startSandbox } from '../../src/sandbox';
import { CASES, casesScenario, REGION, SECURITY } from './fixtures';

const SECTION = selectControls(['4']);
let sandbox: Sandbox;
let snapshots: AccountSnapshot[];

beforeAll(async () => {
  sandbox = await startSandbox({ scenario: casesScenario() });
  const session = new AwsSession({
    region: REGION,
    credentials: sandbox.credentialsFor(SECURITY),
    clientConfig: { endpoint: sandbox.endpoint, maxAttempts: 1 },
  });
  try {
    const out = await runControlsAudit({
      controls: SECTION,
      session,
      region: REGION,
      accounts: CASES.map((c) => c.id),
      concurrency: 8,
      keepSnapshots: true,
    });
    snapshots = out.snapshots ?? [];
  } finally {
    session.destroy();
  }
});
afterAll(async () => {
  await sandbox?.close();
});

const alone = (snap: AccountSnapshot) => SECTION.map((c) => evaluateControl(c, snap));

describe('links shared by the controls of one account', () => {
  it('gives every case the findings of the controls evaluated alone', () => {
    expect(snapshots).toHaveLength(CASES.length);
    const statuses = new Set<string>();
    for (const snap of snapshots) {
      const shared = new AccountLinks(snap);
      const together = SECTION.map((c) => evaluateControl(c, snap, [], shared));
      expect(together).toEqual(alone(snap));
      expect(JSON.stringify(together)).toBe(JSON.stringify(alone(snap)));
      for (const f of together) statuses.add(f.status);
    }
    // The cases reach both verdicts (and so both the shared start and the per-control rest).
    expect(statuses).toEqual(expect.objectContaining(new Set(['COMPLIANT', 'NON_COMPLIANT'])));
  });

  it('shares the start of the chain: the trail link of every chain control is one object', () => {
    const snap = snapshots[0] as AccountSnapshot;
    const shared = new AccountLinks(snap);
    const links = SECTION.filter((c) => c.kind === 'metric-filter-chain').map(
      (c) => evaluateControl(c, snap, [], shared).links[0],
    );
    expect(links[0]?.link).toBe('trail');
    for (const l of links) expect(l).toBe(links[0]);
  });

  it("ignores links built for another account's snapshot, even one holding the same trail objects", () => {
    const first = snapshots.find((s) => s.trails.ok && s.trails.value.length > 0) as AccountSnapshot;
    // Same trail snapshots, but no log group read: its chains must stop at the log group.
    const other: AccountSnapshot = { ...first, accountId: '123412341234', logGroups: {} };
    const links = new AccountLinks(first);
    const firsts = SECTION.map((c) => evaluateControl(c, first, [], links));
    const others = SECTION.map((c) => evaluateControl(c, other, [], links));
    expect(others).toEqual(alone(other));
    expect(JSON.stringify(others)).not.toBe(JSON.stringify(firsts));
    expect(others[0]?.links.some((l) => l.link === 'log-group' && l.status === 'error')).toBe(true);
  });
});
