/**
 * What the clients of one AwsSession share (src/aws/shared-sdk-config.ts), with real SDK clients against
 * the sandbox: one request handler, so destroying an audited account's clients (release, at the end of
 * each account of an organization-wide audit) never closes the sockets other accounts' calls are using;
 * and the SDK settings resolved once per session from the environment and the shared config files, so a
 * profile's settings and endpoint still reach every account's clients, not only the session's own.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTrailsCommand } from '@aws-sdk/client-cloudtrail';
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { runControlsAudit } from '../../src/aws/auditor';
import { AwsSession } from '../../src/aws/session';
import { selectControls } from '../../src/core/controls';
import { type Sandbox, startSandbox } from '../../src/sandbox';

const REGION = 'eu-west-2';
const MGMT = '999988887777';
const member = (i: number) => String(200000000000 + i);

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({
    scenario: {
      organization: { management_account: MGMT, generate: { accounts: 4, regions: [REGION] } },
      accounts: [{ id: MGMT, label: 'management' }],
    },
  });
});
afterAll(async () => {
  await sandbox.close();
});

describe('one request handler per session', () => {
  let session: AwsSession;
  beforeEach(() => {
    session = new AwsSession({
      region: REGION,
      credentials: sandbox.credentialsFor(MGMT),
      clientConfig: { endpoint: sandbox.endpoint, maxAttempts: 1 },
    });
    session.allowAccounts([member(0), member(1), member(2), member(3)]);
  });
  afterEach(() => {
    session.destroy();
    sandbox.setFaults({ latencyMs: 0 });
  });

  it("releasing (destroying) one account's clients does not break a call of another account in flight", async () => {
    // Account 0's clients are made and used (their sockets are the session's), then account 1's call
    // is sent and, while it waits for its answer, account 0 is released: its clients destroyed.
    await session.roleClients(member(0), REGION).cloudtrail.send(new DescribeTrailsCommand({}));
    sandbox.setFaults({ latencyMs: 300 });
    const inFlight = session.roleClients(member(1), REGION).cloudwatch.send(new DescribeAlarmsCommand({}));
    await new Promise((r) => setTimeout(r, 100));
    session.release(member(0));
    const out = await inFlight;
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.MetricAlarms?.length).toBeGreaterThan(0);
  });

  it('an audit over more accounts than its concurrency releases each account and every verdict holds', async () => {
    // Concurrency 1 with 4 accounts: each account is released (its clients destroyed) before the next starts.
    const { report } = await runControlsAudit({
      controls: selectControls(['4']),
      session,
      region: REGION,
      accounts: [member(0), member(1), member(2), member(3)],
      concurrency: 1,
    });
    expect(report.accounts.map((a) => [a.accountId, a.status])).toEqual([
      [member(0), 'COMPLIANT'],
      [member(1), 'COMPLIANT'],
      [member(2), 'COMPLIANT'],
      [member(3), 'COMPLIANT'],
    ]);
    // And the session still reaches a released account afterwards, with new clients.
    const again = await session.roleClients(member(0), REGION).cloudtrail.send(new DescribeTrailsCommand({}));
    expect(again.trailList?.length).toBeGreaterThan(0);
  });

  it("destroying an account's client object leaves the session's sockets usable by every other client", async () => {
    const a = session.roleClients(member(2), REGION).cloudwatch;
    await a.send(new DescribeAlarmsCommand({}));
    sandbox.setFaults({ latencyMs: 300 });
    const inFlight = session.roleClients(member(3), REGION).cloudwatch.send(new DescribeAlarmsCommand({}));
    await new Promise((r) => setTimeout(r, 100));
    a.destroy();
    await expect(inFlight).resolves.toMatchObject({ $metadata: { httpStatusCode: 200 } });
  });
});

describe("the environment's and the profile's SDK settings reach every client", () => {
  const dir = mkdtempSync(join(tmpdir(), 'cis-bot-session-'));
  const saved = { ...process.env };
  afterEach(() => {
    for (const key of ['AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_ENDPOINT_URL', 'AWS_PROFILE']) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function profiles(text: string): void {
    const file = join(dir, `config-${Math.random().toString(36).slice(2)}`);
    writeFileSync(file, text);
    process.env.AWS_CONFIG_FILE = file;
    process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, 'none');
  }

  function sessionWithProfile(profile: string): AwsSession {
    return new AwsSession({
      region: REGION,
      credentials: sandbox.credentialsFor(MGMT),
      clientConfig: { profile, maxAttempts: 1 },
    });
  }

  it('AWS_ENDPOINT_URL takes every client of every account to that endpoint (no endpoint in the code)', async () => {
    profiles('[profile plain]\nregion = eu-west-2\n');
    process.env.AWS_ENDPOINT_URL = sandbox.endpoint;
    sandbox.resetCalls();
    const session = sessionWithProfile('plain');
    try {
      const { report } = await runControlsAudit({
        controls: selectControls(['4']),
        session,
        region: REGION,
        accounts: [member(0)],
      });
      expect(report.accounts[0]?.status).toBe('COMPLIANT');
    } finally {
      session.destroy();
    }
    const services = new Set(sandbox.calls.filter((c) => c.accountId === member(0)).map((c) => c.service));
    expect([...services].sort()).toEqual(['cloudtrail', 'logs', 'monitoring', 'securityhub', 'sns']);
  });

  it("a profile's use_dualstack_endpoint reaches the clients the session makes (resolved once, shared)", async () => {
    // The SDK refuses dual-stack with a custom endpoint before sending anything: a client's call fails
    // with that refusal only if the named profile's setting reached it.
    profiles('[profile plain]\nregion = eu-west-2\n\n[profile dual]\nuse_dualstack_endpoint = true\n');
    process.env.AWS_ENDPOINT_URL = sandbox.endpoint;
    const dual = sessionWithProfile('dual');
    const plain = sessionWithProfile('plain');
    try {
      for (const s of [dual, plain]) {
        // A second client of the session too: the settings are shared, not only the first client's.
        await s
          .baseClients(REGION)
          .cloudwatch.send(new DescribeAlarmsCommand({}))
          .catch(() => undefined);
      }
      await expect(dual.baseClients(REGION).cloudtrail.send(new DescribeTrailsCommand({}))).rejects.toThrow(
        /Dualstack and custom endpoint are not supported/,
      );
      const ok = await plain.baseClients(REGION).cloudtrail.send(new DescribeTrailsCommand({}));
      expect(ok.$metadata.httpStatusCode).toBe(200);
    } finally {
      dual.destroy();
      plain.destroy();
    }
  });
});
