/**
 * The audit's back-off (src/aws/audit-retry.ts): one strategy per client (one account, service and
 * region), whose ceiling grows with the throttles its own scope meets and shrinks with its successes;
 * with real SDK clients against the sandbox, throttled calls are retried up to AUDIT_MAX_ATTEMPTS
 * attempts, and another account's clients are not slowed by them.
 */
import { DescribeTrailsCommand } from '@aws-sdk/client-cloudtrail';
import {
  AuditRetryStrategy,
  MAX_DELAY_MS,
  THROTTLE_BASE_MS,
  ThrottleBackoff,
  TRANSIENT_BASE_MS,
} from '../../src/aws/audit-retry';
import { AUDIT_MAX_ATTEMPTS, AwsSession } from '../../src/aws/session';
import { type Sandbox, startSandbox } from '../../src/sandbox';

describe('ThrottleBackoff', () => {
  it('a throttle after successes waits below the base; throttles in a row double the ceiling; successes undo it', () => {
    const b = new ThrottleBackoff();
    b.observe('THROTTLING');
    expect(b.ceiling(0)).toBe(THROTTLE_BASE_MS);
    b.observe('THROTTLING');
    expect(b.ceiling(1)).toBe(2 * THROTTLE_BASE_MS);
    b.observe('THROTTLING');
    expect(b.ceiling(2)).toBe(4 * THROTTLE_BASE_MS);
    b.succeeded();
    b.observe('THROTTLING'); // the next call of the same scope starts where the scope is
    expect(b.ceiling(0)).toBe(4 * THROTTLE_BASE_MS);
    b.succeeded();
    b.succeeded();
    b.succeeded();
    b.succeeded();
    expect(b.pressure).toBe(0);
    for (let i = 0; i < 50; i++) b.observe('THROTTLING');
    expect(b.ceiling(0)).toBe(MAX_DELAY_MS);
    for (let i = 0; i < 100; i++) expect(b.computeNextBackoffDelay(0)).toBeLessThan(MAX_DELAY_MS);
  });

  it('other retryable errors back off by their own retry count', () => {
    const b = new ThrottleBackoff();
    b.observe('TRANSIENT');
    expect(b.pressure).toBe(0);
    expect(b.ceiling(0)).toBe(TRANSIENT_BASE_MS);
    expect(b.ceiling(3)).toBe(8 * TRANSIENT_BASE_MS);
  });
});

describe("a session's clients against a throttling sandbox", () => {
  const MGMT = '999988887777';
  const A = '200000000000';
  const B = '200000000001';
  let sandbox: Sandbox;
  let session: AwsSession;
  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: {
        organization: { management_account: MGMT, generate: { accounts: 2, regions: ['eu-west-2'] } },
        accounts: [{ id: MGMT, label: 'management' }],
      },
    });
  });
  beforeEach(() => {
    session = new AwsSession({
      region: 'eu-west-2',
      credentials: sandbox.credentialsFor(MGMT),
      clientConfig: { endpoint: sandbox.endpoint },
      roleAccounts: [A, B],
    });
  });
  afterEach(() => session.destroy());
  afterAll(async () => {
    await sandbox.close();
  });

  const strategyOf = async (accountId: string) =>
    (await session
      .roleClients(accountId, 'eu-west-2')
      .cloudtrail.config.retryStrategy()) as AuditRetryStrategy;

  it("retries throttled calls (the session's own strategy per client); only that scope's back-off rises", async () => {
    await session.assume(A);
    await session.assume(B);
    sandbox.resetCalls();
    sandbox.failNext('cloudtrail:DescribeTrails', 'ThrottlingException', 4);
    const out = await session.roleClients(A, 'eu-west-2').cloudtrail.send(new DescribeTrailsCommand({}));
    expect(out.trailList?.length).toBeGreaterThan(0);
    expect(sandbox.calls.filter((c) => c.operation === 'DescribeTrails')).toHaveLength(5);
    const a = await strategyOf(A);
    expect(a).toBeInstanceOf(AuditRetryStrategy);
    expect(await a.maxAttempts()).toBe(AUDIT_MAX_ATTEMPTS);
    expect(a.backoff.pressure).toBe(3); // 4 throttles, then one success
    await session.roleClients(B, 'eu-west-2').cloudtrail.send(new DescribeTrailsCommand({}));
    expect((await strategyOf(B)).backoff.pressure).toBe(0);
    expect(await strategyOf(B)).not.toBe(a);
  });

  it('fails a call throttled as many times in a row as it has attempts (the configured maxAttempts)', async () => {
    const three = new AwsSession({
      region: 'eu-west-2',
      credentials: sandbox.credentialsFor(MGMT),
      clientConfig: { endpoint: sandbox.endpoint, maxAttempts: 3 },
      roleAccounts: [A],
    });
    try {
      await three.assume(A);
      sandbox.resetCalls();
      sandbox.failNext('cloudtrail:DescribeTrails', 'ThrottlingException', 3);
      await expect(
        three.roleClients(A, 'eu-west-2').cloudtrail.send(new DescribeTrailsCommand({})),
      ).rejects.toMatchObject({ name: 'ThrottlingException' });
      expect(sandbox.calls.filter((c) => c.operation === 'DescribeTrails')).toHaveLength(3);
    } finally {
      three.destroy();
    }
  });
});
