/**
 * AWS Organizations (AWS JSON 1.1, target prefix AWSOrganizationsV20161128): DescribeOrganization (any
 * member account), and for the management account or a delegated administrator ListRoots, ListAccounts,
 * ListAccountsForParent, ListChildren, ListOrganizationalUnitsForParent, DescribeOrganizationalUnit and
 * DescribeAccount, with MaxResults 1..20 and NextToken paging (omitted on the last page); the changes that
 * can break an organization trail's coverage are in ./organizations-write.ts. Errors as AWS
 * sends them, all with HTTP 400: AWSOrganizationsNotInUseException, AccessDeniedException,
 * ParentNotFoundException, AccountNotFoundException, InvalidInputException; throttling is
 * TooManyRequestsException (see the sandbox's `throttle` option).
 */
import { ApiError } from '../api-error';
import type { Input } from '../input';
import type { CallContext, ServiceDef } from '../service';
import type { OrganizationState } from '../state';
import { administered, invalidInput, organizationOf, page } from './organizations-common';
import {
  disableAwsServiceAccess,
  enableAwsServiceAccess,
  leaveOrganization,
  listAwsServiceAccess,
  removeAccountFromOrganization,
} from './organizations-write';

function accountView(org: OrganizationState, ctx: CallContext, id: string) {
  const account = ctx.state.accounts.get(id);
  const suspended = org.suspended.has(id);
  return {
    Id: id,
    Arn: `arn:aws:organizations::${org.managementAccount}:account/${org.id}/${id}`,
    Email: `aws+${id}@example.com`,
    Name: account?.label ?? `Account ${id}`,
    Status: suspended ? 'SUSPENDED' : 'ACTIVE',
    State: suspended ? 'SUSPENDED' : 'ACTIVE',
    JoinedMethod: id === org.managementAccount ? 'INVITED' : 'CREATED',
    JoinedTimestamp: org.joinedAt,
  };
}

function allAccounts(org: OrganizationState): string[] {
  return [org.managementAccount, ...org.members].sort();
}

/** A root or OU id the caller named: malformed is InvalidInputException, unknown ParentNotFoundException. */
function parent(org: OrganizationState, input: Input): string {
  const id = input.reqStr('ParentId');
  if (!/^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/.test(id))
    throw invalidInput(`You provided a value that does not match the required pattern: ParentId ${id}`);
  if (id !== org.rootId && !org.ous.has(id))
    throw new ApiError(
      'ParentNotFoundException',
      "We can't find a root or OU with the ParentId that you specified.",
    );
  return id;
}

function describeOrganization(ctx: CallContext) {
  const org = organizationOf(ctx);
  return {
    Organization: {
      Id: org.id,
      Arn: org.arn,
      FeatureSet: 'ALL',
      MasterAccountArn: `arn:aws:organizations::${org.managementAccount}:account/${org.id}/${org.managementAccount}`,
      MasterAccountId: org.managementAccount,
      MasterAccountEmail: `aws+${org.managementAccount}@example.com`,
      AvailablePolicyTypes: [],
    },
  };
}

function listRoots(ctx: CallContext, input: Input) {
  const org = administered(ctx);
  const root = {
    Id: org.rootId,
    Arn: `arn:aws:organizations::${org.managementAccount}:root/${org.id}/${org.rootId}`,
    Name: 'Root',
    PolicyTypes: [],
  };
  const { page: roots, nextToken } = page(input, [root], (r) => r.Id);
  return { Roots: roots, NextToken: nextToken };
}

function listAccounts(ctx: CallContext, input: Input) {
  const org = administered(ctx);
  const { page: ids, nextToken } = page(input, allAccounts(org), (id) => id);
  return { Accounts: ids.map((id) => accountView(org, ctx, id)), NextToken: nextToken };
}

function accountsUnder(org: OrganizationState, parentId: string): string[] {
  return allAccounts(org).filter((id) => org.parentOf.get(id) === parentId);
}

function ousUnder(org: OrganizationState, parentId: string) {
  return [...org.ous.values()].filter((o) => o.parentId === parentId).sort((a, b) => (a.Id < b.Id ? -1 : 1));
}

function ouView(org: OrganizationState, ou: { Id: string; Arn: string; Name: string; parentId: string }) {
  const path: string[] = [];
  for (let at: string | undefined = ou.Id; at && at !== org.rootId; at = org.ous.get(at)?.parentId)
    path.unshift(at);
  return { Id: ou.Id, Arn: ou.Arn, Name: ou.Name, Path: `${org.id}/${org.rootId}/${path.join('/')}/` };
}

function listAccountsForParent(ctx: CallContext, input: Input) {
  const org = administered(ctx);
  const { page: ids, nextToken } = page(input, accountsUnder(org, parent(org, input)), (id) => id);
  return { Accounts: ids.map((id) => accountView(org, ctx, id)), NextToken: nextToken };
}

function listChildren(ctx: CallContext, input: Input) {
  const org = administered(ctx);
  const parentId = parent(org, input);
  const type = input.reqStr('ChildType');
  if (type !== 'ACCOUNT' && type !== 'ORGANIZATIONAL_UNIT')
    throw invalidInput(`You provided a value that does not match the required pattern: ChildType ${type}`);
  const ids = type === 'ACCOUNT' ? accountsUnder(org, parentId) : ousUnder(org, parentId).map((o) => o.Id);
  const { page: children, nextToken } = page(input, ids, (id) => id);
  return { Children: children.map((Id) => ({ Id, Type: type })), NextToken: nextToken };
}

function listOrganizationalUnitsForParent(ctx: CallContext, input: Input) {
  const org = administered(ctx);
  const { page: ous, nextToken } = page(input, ousUnder(org, parent(org, input)), (o) => o.Id);
  return { OrganizationalUnits: ous.map((o) => ouView(org, o)), NextToken: nextToken };
}

function describeOrganizationalUnit(ctx: CallContext, input: Input) {
  const org = administered(ctx);
  const ou = org.ous.get(input.reqStr('OrganizationalUnitId'));
  if (!ou)
    throw new ApiError(
      'OrganizationalUnitNotFoundException',
      "We can't find an OU with the OrganizationalUnitId that you specified.",
    );
  return { OrganizationalUnit: ouView(org, ou) };
}

function describeAccount(ctx: CallContext, input: Input) {
  const org = administered(ctx);
  const id = input.reqStr('AccountId');
  if (!/^\d{12}$/.test(id))
    throw invalidInput(`You provided a value that does not match the required pattern: AccountId ${id}`);
  if (!org.parentOf.has(id))
    throw new ApiError('AccountNotFoundException', "You specified an account that doesn't exist.");
  return { Account: accountView(org, ctx, id) };
}

export const organizations: ServiceDef = {
  name: 'organizations',
  iamPrefix: 'organizations',
  operations: {
    DescribeOrganization: describeOrganization,
    ListRoots: listRoots,
    ListAccounts: listAccounts,
    ListAccountsForParent: listAccountsForParent,
    ListChildren: listChildren,
    ListOrganizationalUnitsForParent: listOrganizationalUnitsForParent,
    DescribeOrganizationalUnit: describeOrganizationalUnit,
    DescribeAccount: describeAccount,
    RemoveAccountFromOrganization: removeAccountFromOrganization,
    LeaveOrganization: leaveOrganization,
    EnableAWSServiceAccess: enableAwsServiceAccess,
    DisableAWSServiceAccess: disableAwsServiceAccess,
    ListAWSServiceAccessForOrganization: listAwsServiceAccess,
  },
  fail: (member, problem) =>
    invalidInput(
      problem === 'missing'
        ? `You provided a value that does not match the required pattern: ${member} is required`
        : `You provided a value that does not match the required pattern: ${member}`,
    ),
  resource(_operation, ctx) {
    const org = ctx.state.organization;
    return org ? org.arn : `arn:aws:organizations::${ctx.caller.accountId}:organization/*`;
  },
};
