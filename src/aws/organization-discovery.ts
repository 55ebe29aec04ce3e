/**
 * Lists the ACTIVE accounts of an AWS organization, names as labels: ListAccounts for the whole
 * organization, or, for aws.organization.include_ous, ListAccountsForParent and ListChildren (OU type)
 * from each included OU or root down, several OUs at once. Every page is read (NextToken, through the
 * SDK's paginators); nothing is called per account, so 1,000 accounts cost about 50 ListAccounts pages.
 * DescribeOrganization comes first: it names the organization and its management account in errors.
 */
import {
  DescribeOrganizationCommand,
  type Account as OrganizationsAccount,
  paginateListAccounts,
  paginateListAccountsForParent,
  paginateListChildren,
} from '@aws-sdk/client-organizations';
import { ORGANIZATIONS_ACTIONS } from '../core/accounts';
import type { DirectoryAccount } from '../core/ports/account-directory';
import type { OrganizationsAccess } from './organization-client';
import { type DiscoveryFacts, explainOrganizationsError, type ParentInQuestion } from './organization-errors';
import { mapPool } from './pool';

export interface DiscoveryScope {
  /** OU or root ids walked recursively; empty: the whole organization. */
  includeOus: readonly string[];
  excludeAccounts: readonly string[];
  /** OUs listed at once while walking include_ous (default 4). */
  concurrency?: number;
}

function isActive(a: OrganizationsAccount): boolean {
  // `Status` is being retired in favour of `State`; both say ACTIVE for an account in use.
  return (a.State ?? a.Status) === 'ACTIVE';
}

function entry(a: OrganizationsAccount, ou?: string): DirectoryAccount | undefined {
  if (!a.Id || !isActive(a)) return undefined;
  return { accountId: a.Id, ...(a.Name ? { label: a.Name } : {}), ...(ou !== undefined ? { ou } : {}) };
}

export async function discoverOrganizationAccounts(
  access: OrganizationsAccess,
  scope: DiscoveryScope,
): Promise<DirectoryAccount[]> {
  const me = await access.identity();
  const facts: DiscoveryFacts = {
    identity: me.arn,
    ...(me.accountId ? { callerAccount: me.accountId } : {}),
  };
  await access.ready();
  const { client } = access;
  /** Runs one call (or one paginated listing), turning its failure into a discovery error. */
  const call = async <T>(action: string, work: () => Promise<T>, parent?: ParentInQuestion): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw explainOrganizationsError(error, action, facts, parent);
    }
  };

  const { Organization: org } = await call(ORGANIZATIONS_ACTIONS.describeOrganization, () =>
    client.send(new DescribeOrganizationCommand({})),
  );
  if (org?.Id) facts.organizationId = org.Id;
  if (org?.MasterAccountId) facts.managementAccount = org.MasterAccountId;

  const found = new Map<string, DirectoryAccount>();
  const add = (a: OrganizationsAccount, ou?: string) => {
    const e = entry(a, ou);
    if (e) found.set(e.accountId, e);
  };
  if (scope.includeOus.length === 0) {
    await call(ORGANIZATIONS_ACTIONS.listAccounts, async () => {
      for await (const page of paginateListAccounts({ client }, {}))
        for (const a of page.Accounts ?? []) add(a);
    });
  } else {
    await walkParents(access, scope, call, add);
  }
  const excluded = new Set(scope.excludeAccounts);
  return [...found.values()]
    .filter((a) => !excluded.has(a.accountId))
    .sort((a, b) => (a.accountId < b.accountId ? -1 : 1));
}

type Call = <T>(action: string, work: () => Promise<T>, parent?: ParentInQuestion) => Promise<T>;

/** Breadth first from the included OUs and roots: each OU's accounts, then its child OUs. */
async function walkParents(
  { client }: OrganizationsAccess,
  scope: DiscoveryScope,
  call: Call,
  add: (a: OrganizationsAccount, ou: string) => void,
): Promise<void> {
  const seen = new Set<string>();
  let level: ParentInQuestion[] = [...new Set(scope.includeOus)].map((id) => ({ id, configured: true }));
  while (level.length > 0) {
    for (const p of level) seen.add(p.id);
    const children = await mapPool(level, scope.concurrency ?? 4, async (parent) => {
      await call(
        ORGANIZATIONS_ACTIONS.listAccountsForParent,
        async () => {
          for await (const page of paginateListAccountsForParent({ client }, { ParentId: parent.id })) {
            for (const a of page.Accounts ?? []) add(a, parent.id);
          }
        },
        parent,
      );
      return call(
        ORGANIZATIONS_ACTIONS.listChildren,
        async () => {
          const ids: string[] = [];
          const input = { ParentId: parent.id, ChildType: 'ORGANIZATIONAL_UNIT' as const };
          for await (const page of paginateListChildren({ client }, input)) {
            for (const c of page.Children ?? []) if (c.Id) ids.push(c.Id);
          }
          return ids;
        },
        parent,
      );
    });
    level = [...new Set(children.flat())]
      .filter((id) => !seen.has(id))
      .map((id) => ({ id, configured: false }));
  }
}
