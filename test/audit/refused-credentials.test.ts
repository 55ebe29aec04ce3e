/**
 * Refused credentials are not access denials, through the real SDK v3 clients against the sandbox: AWS's
 * invalid-key, expired-token and bad-signature codes become the `credentials` kind naming the identity
 * (cis-bot's own credentials by their ARN, or the role whose session was refused) and what to renew, in
 * link evidence, in the account-level finding (`accessError`) and in the JSON report, never "grant ...";
 * the audit exits 2 like any account that could not be audited. A real AccessDenied stays access-denied.
 */
import { DescribeMetricFiltersCommand } from '@aws-sdk/client-cloudwatch-logs';
import { ListSubscriptionsByTopicCommand } from '@aws-sdk/client-sns';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { runAudit } from '../../src/aws/auditor';
import { CredentialsRefusedError, classifyError } from '../../src/aws/errors';
import { AwsSession } from '../../src/aws/session';
import { getControl } from '../../src/core/controls/registry';
import { exitCodeFor } from '../../src/core/evaluate/findings';
import { type Sandbox, startSandbox } from '../../src/sandbox';
import { baseScenario, caught, clients, MEMBER, MGMT } from '../sandbox/helpers';

const REGION = 'eu-west-2';
const CONTROL = getControl('4.1');
let sandbox: Sandbox;
const sessions: AwsSession[] = [];

function session(account: string, roleAccounts: string[] = []): AwsSession {
  const s = new AwsSession({
    region: REGION,
    credentials: sandbox.credentialsFor(account),
    roleAccounts,
    ...(roleAccounts.length ? { externalId: 'ext-mgmt' } : {}),
    clientConfig: { endpoint: sandbox.endpoint, maxAttempts: 1 },
  });
  sessions.push(s);
  return s;
}

beforeEach(async () => {
  sandbox = await startSandbox({ scenario: baseScenario() });
});
afterEach(async () => {
  for (const s of sessions.splice(0)) s.destroy();
  await sandbox.close();
});

describe('refused credentials are their own kind', () => {
  test.each([
    ['logs', 'UnrecognizedClientException'],
    ['logs', 'ExpiredTokenException'],
    ['logs', 'InvalidSignatureException'],
    ['sns', 'InvalidClientTokenId'],
    ['sns', 'SignatureDoesNotMatch'],
    ['sns', 'ExpiredToken'],
  ])("%s %s: credentials, naming cis-bot's own credentials by ARN", async (service, code) => {
    const s = session(MEMBER);
    const me = await s.callerIdentity();
    const aws = s.baseClients(REGION);
    const call =
      service === 'logs'
        ? () => aws.logs.send(new DescribeMetricFiltersCommand({ logGroupName: 'ct-logs' }))
        : () =>
            aws.sns.send(
              new ListSubscriptionsByTopicCommand({ TopicArn: `arn:aws:sns:${REGION}:${MEMBER}:cis-alarms` }),
            );
    sandbox.failNext(
      `${service}:${service === 'logs' ? 'DescribeMetricFilters' : 'ListSubscriptionsByTopic'}`,
      code,
    );
    const error = await caught(call);
    expect(error).toBeInstanceOf(CredentialsRefusedError);
    const probe = classifyError(error, 'logs:DescribeMetricFilters');
    expect(probe).toMatchObject({ kind: 'credentials', code });
    expect(probe.message).toContain(`AWS refused cis-bot's own AWS credentials (${me.arn}) (${code})`);
    expect(probe.message).toMatch(/invalid, expired or revoked\. Renew or replace them/);
    expect(probe.message).not.toMatch(/grant|access denied/i);
  });

  test('a raw SDK error of a client outside the session is classified by its code too', async () => {
    const raw = clients(sandbox, MEMBER, {
      credentials: { accessKeyId: 'AKIANOSUCHKEY0000000', secretAccessKey: 'x' },
    });
    const error = await caught(() => raw.sts.send(new GetCallerIdentityCommand({})));
    for (const c of Object.values(raw)) c.destroy();
    expect(classifyError(error, 'sts:GetCallerIdentity')).toMatchObject({
      kind: 'credentials',
      code: 'InvalidClientTokenId',
    });
  });

  test('AccessDenied stays access-denied', async () => {
    sandbox.failNext('logs:DescribeMetricFilters', 'AccessDeniedException');
    const logs = session(MEMBER).baseClients(REGION).logs;
    const error = await caught(() =>
      logs.send(new DescribeMetricFiltersCommand({ logGroupName: 'ct-logs' })),
    );
    expect(classifyError(error, 'logs:DescribeMetricFilters').kind).toBe('access-denied');
  });
});

describe('in the audit report', () => {
  test("cis-bot's own key revoked: the account finding says credentials (JSON accessError), exit code 2", async () => {
    const s = session(MEMBER);
    sandbox.revokeCredentials(sandbox.credentialsFor(MEMBER).accessKeyId);
    const { report } = await runAudit({ control: CONTROL, session: s, region: REGION });
    const [finding] = report.accounts;
    expect(finding?.status).toBe('ERROR');
    expect(finding?.accessError).toEqual({
      kind: 'credentials',
      action: 'sts:GetCallerIdentity',
      code: 'InvalidClientTokenId',
    });
    expect(finding?.reason).toContain("AWS refused cis-bot's own AWS credentials (InvalidClientTokenId)");
    expect(finding?.reason).not.toMatch(/grant/i);
    expect(JSON.parse(JSON.stringify(report)).accounts[0].accessError.kind).toBe('credentials');
    expect(exitCodeFor(report)).toBe(2);
  });

  test('a link whose read was refused twice carries kind credentials and names the role', async () => {
    const s = session(MGMT, [MEMBER]);
    // The role session is refused, then refused again after one new AssumeRole.
    sandbox.failNext('logs:DescribeMetricFilters', 'ExpiredTokenException', 2);
    const { report } = await runAudit({ control: CONTROL, session: s, region: REGION, accounts: [MEMBER] });
    const [finding] = report.accounts;
    expect(finding?.status).toBe('ERROR');
    const link = finding?.links.find((l) => l.status === 'error');
    expect(link?.evidence.error).toMatchObject({ kind: 'credentials', code: 'ExpiredTokenException' });
    expect(link?.detail).toContain(
      `the session cis-bot assumed in role arn:aws:iam::${MEMBER}:role/CisBotAudit (ExpiredTokenException)`,
    );
    expect(finding?.reason).not.toMatch(/grant/i);
    expect(sandbox.calls.filter((c) => c.operation === 'AssumeRole').length).toBe(2);
    expect(exitCodeFor(report)).toBe(2);
  });
});
