/**
 * AWS Organizations changes that can end an organization trail's coverage of accounts (the chain-breaking
 * calls of the control registry): RemoveAccountFromOrganization and LeaveOrganization, and trusted access
 * (Enable/DisableAWSServiceAccess, ListAWSServiceAccessForOrganization). A member that left, or every
 * member while cloudtrail.amazonaws.com has no trusted access, no longer sees the organization trail.
 */
import { ApiError } from '../api-error';
import type { Input } from '../input';
import type { CallContext } from '../service';
import type { OrganizationState } from '../state';
import { invalidInput, managed, organizationOf, page } from './organizations-common';

function removeMember(ctx: CallContext, org: OrganizationState, id: string): void {
  org.members = org.members.filter((m) => m !== id);
  org.parentOf.delete(id);
  org.suspended.delete(id);
  org.delegatedAdministrators.delete(id);
  ctx.changed([`arn:aws:organizations::${org.managementAccount}:account/${org.id}/${id}`]);
}

export function removeAccountFromOrganization(ctx: CallContext, input: Input) {
  const org = managed(ctx);
  const id = input.reqStr('AccountId');
  if (!/^\d{12}$/.test(id))
    throw invalidInput(`You provided a value that does not match the required pattern: AccountId ${id}`);
  if (id === org.managementAccount)
    throw new ApiError(
      'MasterCannotLeaveOrganizationException',
      'You cannot remove the management account from its organization.',
    );
  if (!org.parentOf.has(id))
    throw new ApiError('AccountNotFoundException', "You specified an account that doesn't exist.");
  removeMember(ctx, org, id);
  return undefined;
}

export function leaveOrganization(ctx: CallContext) {
  const org = organizationOf(ctx);
  if (ctx.caller.accountId === org.managementAccount)
    throw new ApiError(
      'MasterCannotLeaveOrganizationException',
      'You cannot remove the management account from its organization. Delete the organization instead.',
    );
  removeMember(ctx, org, ctx.caller.accountId);
  return undefined;
}

function setServiceAccess(enabled: boolean) {
  return (ctx: CallContext, input: Input) => {
    const org = managed(ctx);
    const principal = input.reqStr('ServicePrincipal');
    if (!/^[\w+=,.@-]+\.amazonaws\.com$/.test(principal))
      throw invalidInput(
        `You provided a value that does not match the required pattern: ServicePrincipal ${principal}`,
      );
    if (org.trustedServices.has(principal) === enabled) return undefined;
    if (enabled) org.trustedServices.set(principal, new Date());
    else org.trustedServices.delete(principal);
    ctx.changed([org.arn]);
    return undefined;
  };
}

export const enableAwsServiceAccess = setServiceAccess(true);
export const disableAwsServiceAccess = setServiceAccess(false);

export function listAwsServiceAccess(ctx: CallContext, input: Input) {
  const org = managed(ctx);
  const entries = [...org.trustedServices].sort(([a], [b]) => (a < b ? -1 : 1));
  const { page: shown, nextToken } = page(input, entries, ([p]) => p);
  return {
    EnabledServicePrincipals: shown.map(([ServicePrincipal, DateEnabled]) => ({
      ServicePrincipal,
      DateEnabled,
    })),
    NextToken: nextToken,
  };
}
