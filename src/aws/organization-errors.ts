/**
 * What a failed AWS Organizations call during account discovery means, in words that say what to do:
 * the caller is in no organization, is not the management account or a delegated administrator, lacks
 * one IAM action (named), was throttled past the SDK's retries, named an OU that does not exist, could
 * not assume aws.organization.role_arn, or signed with credentials AWS refuses (renew them: no grant helps). The messages reach chat and the CLI, so they carry AWS's error
 * code and our own words, never the SDK's raw text.
 */
import { ORGANIZATIONS_ACTIONS } from '../core/accounts';
import { CisBotError } from '../core/errors';
import { MissingCredentialsError } from './auditor';
import { errorCode, isCredentialsRefused, isMissingCredentials, safeErrorSummary } from './errors';

export type DiscoveryFailure =
  | 'not-in-organization'
  | 'not-administrator'
  | 'access-denied'
  | 'throttled'
  | 'unknown-ou'
  | 'assume-role'
  | 'credentials'
  | 'failed';

export class AccountDiscoveryError extends CisBotError {
  readonly failure: DiscoveryFailure;
  /** The IAM action of the call that failed. */
  readonly action: string;
  constructor(failure: DiscoveryFailure, action: string, message: string, options?: { cause?: unknown }) {
    super('ACCOUNT_DISCOVERY', message, options);
    this.failure = failure;
    this.action = action;
  }
}

/** What discovery knew when a call failed. */
export interface DiscoveryFacts {
  /** The identity that called Organizations: cis-bot's own ARN, or aws.organization.role_arn. */
  identity: string;
  /** Its account, when known. */
  callerAccount?: string;
  organizationId?: string;
  managementAccount?: string;
}

/** The OU (or root) a call was about, and whether aws.organization.include_ous names it. */
export interface ParentInQuestion {
  id: string;
  configured: boolean;
}

const GRANT_HINT = '(`cis-bot iam-policy --organization` prints the policy)';

/** AWS words an IAM denial "... is not authorized to perform: <action> ..."; a non-administrator gets no such text. */
function isIamDenial(error: unknown): boolean {
  return /is not authorized to perform/i.test(String((error as { message?: unknown })?.message ?? ''));
}

function who(facts: DiscoveryFacts): string {
  return `cis-bot's identity ${facts.identity || '(unknown)'}`;
}

function organizationName(facts: DiscoveryFacts): string {
  return facts.organizationId ?? 'its organization';
}

function deniedMessage(action: string, facts: DiscoveryFacts, code: string): string {
  return `Access denied to ${action} (${code}) for ${who(facts)}: grant ${action} to it ${GRANT_HINT}.`;
}

function notAdministratorMessage(action: string, facts: DiscoveryFacts): string {
  const management = facts.managementAccount ? ` (the management account is ${facts.managementAccount})` : '';
  return (
    `${who(facts)} is not the management account or a delegated administrator of organization ` +
    `${organizationName(facts)}${management}, so AWS denies ${action}: run cis-bot from there, register ` +
    'its account as a delegated administrator of the organization, or set aws.organization.role_arn to a ' +
    'role in the management or delegated administrator account.'
  );
}

function unknownParentMessage(parent: ParentInQuestion, facts: DiscoveryFacts): string {
  const kind = parent.id.startsWith('r-') ? 'Root' : 'OU';
  return parent.configured
    ? `${kind} ${parent.id} in aws.organization.include_ous does not exist in organization ` +
        `${organizationName(facts)}: correct or remove it (\`aws organizations list-roots\` and ` +
        '`list-organizational-units-for-parent` print the ids).'
    : `${kind} ${parent.id} of organization ${organizationName(facts)} disappeared while cis-bot listed it ` +
        '(moved or deleted): try again.';
}

/** The error a failed Organizations call becomes. */
export function explainOrganizationsError(
  error: unknown,
  action: string,
  facts: DiscoveryFacts,
  parent?: ParentInQuestion,
): unknown {
  if (error instanceof CisBotError) return error;
  if (isMissingCredentials(error)) return new MissingCredentialsError(error);
  const code = errorCode(error) ?? 'no error code';
  const options = { cause: error };
  if (isCredentialsRefused(error)) {
    return new AccountDiscoveryError(
      'credentials',
      action,
      `AWS refused the credentials of ${who(facts)} on ${action} (${code}): they are invalid, expired or ` +
        'revoked; renew them where cis-bot gets them (or, with aws.organization.role_arn, check that the role ' +
        'session was not revoked) and try again.',
      options,
    );
  }
  switch (code) {
    case 'AWSOrganizationsNotInUseException':
      return new AccountDiscoveryError(
        'not-in-organization',
        action,
        `${who(facts)} is not in an AWS organization (AWSOrganizationsNotInUseException): run cis-bot with ` +
          "credentials of the organization's management account or a delegated administrator, or set " +
          'aws.organization.role_arn to a role there; or turn aws.organization off and list aws.accounts.',
        options,
      );
    case 'AccessDeniedException':
    case 'AccessDenied': {
      // Any member may call DescribeOrganization, and the management account may call everything, so
      // a denial there can only be IAM's; elsewhere AWS's own wording tells the two apart.
      const iam =
        action === ORGANIZATIONS_ACTIONS.describeOrganization ||
        isIamDenial(error) ||
        (facts.callerAccount !== undefined && facts.callerAccount === facts.managementAccount);
      return iam
        ? new AccountDiscoveryError('access-denied', action, deniedMessage(action, facts, code), options)
        : new AccountDiscoveryError(
            'not-administrator',
            action,
            notAdministratorMessage(action, facts),
            options,
          );
    }
    case 'TooManyRequestsException':
      return new AccountDiscoveryError(
        'throttled',
        action,
        `AWS Organizations kept throttling ${action} (TooManyRequestsException) through every retry: ` +
          'another tool may be calling Organizations heavily from the same account; try again in a minute ' +
          '(meanwhile the list discovered last is used for up to aws.organization.max_stale_seconds).',
        options,
      );
    case 'ParentNotFoundException':
      if (parent) {
        return new AccountDiscoveryError('unknown-ou', action, unknownParentMessage(parent, facts), options);
      }
      break;
  }
  return new AccountDiscoveryError(
    'failed',
    action,
    `Account discovery from AWS Organizations failed on ${action}: ${safeErrorSummary(error)}.`,
    options,
  );
}

/** aws.organization.role_arn could not be assumed. */
export function roleAssumptionError(error: unknown, roleArn: string, facts: DiscoveryFacts): unknown {
  if (error instanceof CisBotError) return error;
  if (isMissingCredentials(error)) return new MissingCredentialsError(error);
  const code = errorCode(error) ?? 'no error code';
  const denied = code === 'AccessDenied' || code === 'AccessDeniedException';
  return new AccountDiscoveryError(
    'assume-role',
    'sts:AssumeRole',
    denied
      ? `Cannot assume aws.organization.role_arn ${roleArn} as ${who(facts)} (${code}): its trust policy ` +
          'must allow that identity (and the external id, when aws.external_id is set), and the identity ' +
          `needs sts:AssumeRole on it ${GRANT_HINT}.`
      : `Cannot assume aws.organization.role_arn ${roleArn}: ${safeErrorSummary(error)}.`,
    { cause: error },
  );
}
