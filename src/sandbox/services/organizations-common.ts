/**
 * What the Organizations operations share: who may call them (any account of the organization may
 * describe it; its structure is for the management account and delegated administrators; its changes for
 * the management account alone), their input error, and their pages (MaxResults 1..20, NextToken).
 */
import { ApiError } from '../api-error';
import type { Input } from '../input';
import { type CallContext, paginate } from '../service';
import type { OrganizationState } from '../state';

const PAGE_MAX = 20;
export const invalidInput = (message: string) => new ApiError('InvalidInputException', message);

/** The organization the caller belongs to (else AWSOrganizationsNotInUseException). */
export function organizationOf(ctx: CallContext): OrganizationState {
  const org = ctx.state.organization;
  if (!org?.parentOf.has(ctx.caller.accountId))
    throw new ApiError(
      'AWSOrganizationsNotInUseException',
      'Your account is not a member of an organization.',
    );
  return org;
}

/** The organization, for callers allowed to read its structure: the management account or a delegated administrator. */
export function administered(ctx: CallContext): OrganizationState {
  const org = organizationOf(ctx);
  if (
    ctx.caller.accountId !== org.managementAccount &&
    !org.delegatedAdministrators.has(ctx.caller.accountId)
  )
    throw new ApiError('AccessDeniedException', "You don't have permissions to access this resource.");
  return org;
}

/** The organization, for its management account only (the calls that change it). */
export function managed(ctx: CallContext): OrganizationState {
  const org = organizationOf(ctx);
  if (ctx.caller.accountId !== org.managementAccount)
    throw new ApiError('AccessDeniedException', "You don't have permissions to access this resource.");
  return org;
}

export function page<T>(input: Input, items: T[], key: (t: T) => string) {
  const max = input.num('MaxResults') ?? PAGE_MAX;
  if (!Number.isInteger(max) || max < 1 || max > PAGE_MAX)
    throw invalidInput(
      `1 validation error detected: Value '${max}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to ${PAGE_MAX}`,
    );
  return paginate(items, key, input.str('NextToken'), max, () =>
    invalidInput('The provided NextToken is not valid.'),
  );
}
