/**
 * What chat may be told about a failed AWS call, through the real SDK v3 clients against the sandbox:
 * the role ARN and AWS error code when AssumeRole fails, the IAM action when a call is denied, never the
 * raw SDK text; and a store failure never reaches a remediation step's message.
 */
import { DescribeMetricFiltersCommand } from '@aws-sdk/client-cloudwatch-logs';
import { AssumeRoleError, classifyError } from '../../src/aws/errors';
import { safeMessage } from '../../src/aws/executor';
import { AwsSession } from '../../src/aws/session';
import { StoreError } from '../../src/core/ports/store';
import { type Sandbox, startSandbox } from '../../src/sandbox';
import { baseScenario, MEMBER, MGMT } from '../sandbox/helpers';

const REGION = 'eu-west-2';
let sandbox: Sandbox;
const sessions: AwsSession[] = [];

function session(roleAccounts: string[] = []): AwsSession {
  const s = new AwsSession({
    region: REGION,
    credentials: sandbox.credentialsFor(roleAccounts.length ? MGMT : MEMBER),
    roleAccounts,
    clientConfig: { endpoint: sandbox.endpoint, maxAttempts: 1 },
  });
  sessions.push(s);
  return s;
}

async function failure(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  throw new Error('the call succeeded');
}

beforeAll(async () => {
  sandbox = await startSandbox({ scenario: baseScenario() });
});
afterAll(async () => {
  for (const s of sessions) s.destroy();
  await sandbox.close();
});

describe('chat-safe AWS error messages', () => {
  it('names the role ARN and the AWS error code when AssumeRole fails, not the SDK message', async () => {
    sandbox.failNext('sts:AssumeRole', 'RegionDisabledException');
    const logs = session([MEMBER]).clientsFor(MEMBER, REGION).logs;
    const error = await failure(() =>
      logs.send(new DescribeMetricFiltersCommand({ logGroupName: 'ct-logs' })),
    );
    expect(error).toBeInstanceOf(AssumeRoleError);
    const assume = error as AssumeRoleError;
    const raw = (assume.cause as Error).message;
    expect(raw.length).toBeGreaterThan(0);
    expect(assume.message).toMatch(
      new RegExp(
        `^cannot assume arn:aws:iam::${MEMBER}:role/CisBotAudit: AWS returned RegionDisabledException`,
      ),
    );
    expect(assume.message).not.toContain(raw);
    const probe = classifyError(assume, 'logs:DescribeMetricFilters');
    expect(probe).toMatchObject({ kind: 'failed', action: 'sts:AssumeRole', message: assume.message });
  });

  it('describes an unexpected SDK error by its code, and a denial by the IAM action', async () => {
    const logs = session().baseClients(REGION).logs;
    const describe = () => logs.send(new DescribeMetricFiltersCommand({ logGroupName: 'ct-logs' }));

    sandbox.failNext('logs:DescribeMetricFilters', 'ServiceUnavailableException');
    const unavailable = (await failure(describe)) as Error;
    const failed = classifyError(unavailable, 'logs:DescribeMetricFilters');
    expect(failed).toMatchObject({ kind: 'failed', code: 'ServiceUnavailableException' });
    expect(failed.message).toMatch(/^AWS returned ServiceUnavailableException \(HTTP \d{3}\)$/);
    expect(failed.message).not.toContain(unavailable.message);

    sandbox.failNext('logs:DescribeMetricFilters', 'AccessDeniedException');
    const denied = (await failure(describe)) as Error;
    const probe = classifyError(denied, 'logs:DescribeMetricFilters');
    expect(probe.kind).toBe('access-denied');
    expect(probe.message).toContain('grant logs:DescribeMetricFilters');
    expect(probe.message).not.toContain(denied.message);
    expect(safeMessage(denied, 'logs:PutMetricFilter')).toBe(
      'access denied: grant logs:PutMetricFilter to the role cis-bot uses in this account',
    );
    expect(safeMessage(unavailable)).not.toContain(unavailable.message);
  });

  it('keeps a store failure out of a step message, and our own messages in', () => {
    const store = new StoreError('could not record the run: SQLITE_FULL /var/lib/cis-bot/cis-bot.db');
    expect(safeMessage(store)).not.toContain('/var/lib');
    expect(safeMessage(store)).toContain("cis-bot's database failed");
    const ours = new AssumeRoleError(
      MEMBER,
      'arn:aws:iam::1:role/R',
      'access-denied',
      'cannot assume R: access denied',
    );
    expect(safeMessage(ours)).toBe('cannot assume R: access denied');
  });
});
