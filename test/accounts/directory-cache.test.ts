/**
 * The discovered list's cache, through the real discovery against the sandbox with a clock the test
 * moves: callers that arrive together share one discovery; the list is used for cache_ttl_seconds, then
 * discovered again (a new account shows up); a failed refresh keeps answering the last list, says so in
 * the log, and waits before trying again, up to max_stale_seconds; with no list to fall back on the
 * error is the answer. And aws.accounts wins over aws.organization, which the log says.
 */
import type { AwsSession } from '../../src/aws/session';
import { type Sandbox, startSandbox } from '../../src/sandbox';
import {
  directoryFor,
  MGMT,
  OUTSIDER,
  organizationsCalls,
  orgScenario,
  PROD,
  recordingLogger,
  sessionAs,
} from './org-fixtures';

const TTL = 300;
const MAX_STALE = 3600;

let sandbox: Sandbox;
let session: AwsSession;
let clock: number;

beforeAll(async () => {
  sandbox = await startSandbox({ scenario: orgScenario() });
  session = sessionAs(sandbox, MGMT);
});

afterAll(async () => {
  session.destroy();
  await sandbox.close();
});

beforeEach(() => {
  sandbox.resetCalls();
  clock = Date.UTC(2026, 11, 4, 17, 0, 0);
});

function build(log = recordingLogger(), organization: Record<string, unknown> = {}) {
  const directory = directoryFor(
    session,
    {
      organization: { enabled: true, cache_ttl_seconds: TTL, max_stale_seconds: MAX_STALE, ...organization },
    },
    { log, now: () => clock },
  );
  return { directory, log };
}

const seconds = (n: number) => {
  clock += n * 1000;
};
const describes = () =>
  organizationsCalls(sandbox).filter((c) => c.startsWith('DescribeOrganization')).length;

describe('the discovered list is cached', () => {
  it('callers arriving together share one discovery', async () => {
    const { directory } = build();
    const [listed, hasProd, again, hasOther] = await Promise.all([
      directory.list(),
      directory.has(PROD),
      directory.list(),
      directory.has('000000000000'),
    ]);
    expect(listed).toHaveLength(6);
    expect(again).toBe(listed);
    expect([hasProd, hasOther]).toEqual([true, false]);
    expect(organizationsCalls(sandbox)).toEqual(['DescribeOrganization 200', 'ListAccounts 200']);
  });

  it('is used for cache_ttl_seconds, then discovered again', async () => {
    const { directory } = build();
    await directory.list();
    seconds(TTL - 1);
    expect(await directory.has(OUTSIDER)).toBe(false);
    expect(describes()).toBe(1);

    const org = sandbox.state.organization;
    if (!org) throw new Error('no organization');
    org.members.push(OUTSIDER);
    org.parentOf.set(OUTSIDER, org.rootId);
    try {
      seconds(2);
      expect(await directory.has(OUTSIDER)).toBe(true);
      expect(describes()).toBe(2);
    } finally {
      org.members.pop();
      org.parentOf.delete(OUTSIDER);
    }
  });
});

describe('a failed refresh', () => {
  it('keeps answering the last list, says so in the log, and waits before trying again', async () => {
    const { directory, log } = build();
    const first = await directory.list();
    seconds(TTL + 1);
    sandbox.failNext('organizations:ListAccounts', 'AccessDeniedException');
    expect(await directory.list()).toBe(first);
    const warning = log.lines.find((l) => l.level === 'warn');
    expect(warning?.msg).toBe(
      'AWS Organizations account discovery failed: still using the list discovered earlier',
    );
    expect(warning?.fields).toMatchObject({
      accounts: 6,
      ageSeconds: TTL + 1,
      maxStaleSeconds: MAX_STALE,
      discoveredAt: new Date(clock - (TTL + 1) * 1000).toISOString(),
    });
    expect(String(warning?.fields?.error)).toMatch(/^Access denied to organizations:ListAccounts/);

    seconds(10); // within the pause after a failure: no new attempt
    await directory.list();
    expect(describes()).toBe(2);
    seconds(30); // then the next caller tries again, and succeeds
    await directory.list();
    expect(describes()).toBe(3);
    expect(organizationsCalls(sandbox).at(-1)).toBe('ListAccounts 200');
  });

  it('past max_stale_seconds, the error is the answer', async () => {
    const { directory, log } = build(recordingLogger(), { max_stale_seconds: 600 });
    await directory.list();
    seconds(700);
    sandbox.failNext('organizations:ListAccounts', 'AccessDeniedException');
    await expect(directory.list()).rejects.toThrow(/^Access denied to organizations:ListAccounts/);
    expect(log.lines.at(-1)).toMatchObject({
      level: 'error',
      msg: 'AWS Organizations account discovery failed, and the list discovered earlier is too old to use',
    });
  });

  it('with no list yet, the error is the answer, and the next caller tries again', async () => {
    const { directory, log } = build();
    sandbox.failNext('organizations:DescribeOrganization', 'AccessDeniedException');
    await expect(directory.has(PROD)).rejects.toThrow(
      /^Access denied to organizations:DescribeOrganization \(AccessDeniedException\) for cis-bot's identity/,
    );
    expect(log.lines.at(-1)?.msg).toBe(
      'AWS Organizations account discovery failed, and there is no earlier list to use',
    );
    expect(await directory.has(PROD)).toBe(true);
  });
});

describe('aws.accounts and aws.organization', () => {
  it('the explicit list wins, and the log says so', async () => {
    const log = recordingLogger();
    const directory = directoryFor(session, { accounts: [PROD], organization: { enabled: true } }, { log });
    expect(directory.source).toBe('configured');
    expect(await directory.list()).toEqual([{ accountId: PROD }]);
    expect(await directory.has(OUTSIDER)).toBe(false);
    expect(log.lines).toEqual([
      {
        level: 'warn',
        msg: 'aws.accounts and aws.organization are both set: the 1 account(s) of aws.accounts are audited, and AWS Organizations discovery is off (empty aws.accounts to discover accounts)',
        fields: { accounts: 1 },
      },
    ]);
    expect(organizationsCalls(sandbox)).toEqual([]);
  });

  it('with neither, only the account of its own credentials', async () => {
    const directory = directoryFor(session, {});
    expect(directory.source).toBe('own');
    expect(await directory.list()).toEqual([]);
  });
});
