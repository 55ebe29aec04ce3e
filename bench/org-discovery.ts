/**
 * Account discovery benchmark: a generated organization of 1,000 member accounts in the sandbox with 50 ms
 * latency per call, discovered through the runtime's account directory. Prints wall time against the
 * sequential bound (round trips x latency), Organizations calls, and whether the list is identical: for
 * the whole organization (ListAccounts pages), for a walk from the root (include_ous), and with a fifth
 * of the Organizations calls throttled. For reference, the same pages with the SDK's `adaptive` retry
 * mode (why discovery uses `standard`; see src/aws/organization-client.ts).
 */
import { OrganizationsClient, paginateListAccounts } from '@aws-sdk/client-organizations';
import { accountDirectoryFor } from '../src/aws/account-directory';
import { AwsSession } from '../src/aws/session';
import { loadConfig } from '../src/config/load';
import type { DirectoryAccount } from '../src/core/ports/account-directory';
import { startSandbox } from '../src/sandbox';

const MGMT = '999988887777';
const REGION = 'eu-west-2';
const LATENCY_MS = 50;
const MEMBERS = 1000;

async function withOrganization<T>(
  throttle: Record<string, number>,
  run: (sandbox: Awaited<ReturnType<typeof startSandbox>>) => Promise<T>,
): Promise<T> {
  const sandbox = await startSandbox({
    scenario: {
      organization: { management_account: MGMT, generate: { accounts: MEMBERS, organizational_units: 10 } },
      accounts: [{ id: MGMT, label: 'management' }],
    },
    latencyMs: LATENCY_MS,
    throttle,
    seed: 7,
  });
  try {
    return await run(sandbox);
  } finally {
    await sandbox.close();
  }
}

interface Figures {
  accounts: readonly DirectoryAccount[];
  ms: number;
  calls: number;
  throttled: number;
}

async function discover(throttle: Record<string, number>, fromRoot: boolean): Promise<Figures> {
  return withOrganization(throttle, async (sandbox) => {
    const session = new AwsSession({
      region: REGION,
      credentials: sandbox.credentialsFor(MGMT),
      clientConfig: { endpoint: sandbox.endpoint },
    });
    try {
      const include = fromRoot ? [sandbox.state.organization?.rootId as string] : [];
      const config = loadConfig({
        document: { aws: { region: REGION, organization: { enabled: true, include_ous: include } } },
        env: {},
      });
      const t0 = performance.now();
      const accounts = await accountDirectoryFor(config.aws, session).list();
      const ms = performance.now() - t0;
      const org = sandbox.calls.filter((c) => c.service === 'organizations');
      const throttled = org.filter((c) => c.errorCode === 'TooManyRequestsException').length;
      return { accounts, ms, calls: org.length, throttled };
    } finally {
      session.destroy();
    }
  });
}

/** One result line; `sequentialCalls` gives the bound (round trips one after the other x latency). */
function line(name: string, f: Figures, sequentialCalls: number | undefined, same?: boolean): void {
  const bound = sequentialCalls === undefined ? undefined : sequentialCalls * LATENCY_MS;
  const vsBound =
    bound === undefined ? '' : `  bound ${(bound / 1000).toFixed(2)} s (x${(f.ms / bound).toFixed(2)})`;
  console.log(
    `${name.padEnd(34)} ${String(f.accounts.length).padStart(5)} accounts  ${(f.ms / 1000).toFixed(2).padStart(6)} s` +
      `${vsBound}  ${f.calls} calls (${f.throttled} throttled)` +
      (same === undefined ? '' : `  identical list: ${same}`),
  );
}

const ids = (a: readonly DirectoryAccount[]) => a.map((x) => x.accountId).join(',');

export async function benchOrganizationDiscovery(): Promise<void> {
  console.log(`${MEMBERS} member accounts + the management account, ${LATENCY_MS} ms per call`);
  const plain = await discover({}, false);
  const pages = plain.calls - 1; // DescribeOrganization, then the ListAccounts pages one after the other
  line('whole organization (ListAccounts)', plain, 1 + pages);
  const walked = await discover({}, true);
  // Four OUs at a time: no simple sequential bound.
  line('walk from the root (include_ous)', walked, undefined, ids(walked.accounts) === ids(plain.accounts));
  const throttled = await discover({ organizations: 0.2 }, false);
  line(
    '20% throttled (standard retries)',
    throttled,
    1 + pages,
    ids(throttled.accounts) === ids(plain.accounts),
  );

  const adaptive = await withOrganization({ organizations: 0.2 }, async (sandbox) => {
    const client = new OrganizationsClient({
      region: REGION,
      endpoint: sandbox.endpoint,
      credentials: sandbox.credentialsFor(MGMT),
      retryMode: 'adaptive',
      maxAttempts: 8,
    });
    const t0 = performance.now();
    let n = 0;
    for await (const page of paginateListAccounts({ client }, {})) n += page.Accounts?.length ?? 0;
    const ms = performance.now() - t0;
    client.destroy();
    return { n, ms, calls: sandbox.calls.length };
  });
  console.log(
    `${'reference: SDK adaptive mode'.padEnd(34)} ${String(adaptive.n).padStart(5)} accounts  ${(adaptive.ms / 1000).toFixed(2).padStart(6)} s  (ListAccounts pages only, ${adaptive.calls} calls)`,
  );
}
