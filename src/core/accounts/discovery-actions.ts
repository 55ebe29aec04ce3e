/**
 * The IAM actions of account discovery from AWS Organizations, in one place: the discovery names them in
 * its errors ("grant organizations:ListAccounts"), `cis-bot iam-policy --organization` prints them, and
 * the README's IAM section lists them (a test keeps it equal to the printed policy).
 */

export const ORGANIZATIONS_ACTIONS = {
  /** The organization's id and management account (any member may call it). */
  describeOrganization: 'organizations:DescribeOrganization',
  /** Every account of the organization (no aws.organization.include_ous). */
  listAccounts: 'organizations:ListAccounts',
  /** The accounts directly under an included OU or root. */
  listAccountsForParent: 'organizations:ListAccountsForParent',
  /** The OUs under an included OU or root (walked recursively). */
  listChildren: 'organizations:ListChildren',
} as const;

export type OrganizationsAction = (typeof ORGANIZATIONS_ACTIONS)[keyof typeof ORGANIZATIONS_ACTIONS];

/** Every action discovery may call, sorted (the policy grants all, so include_ous can change freely). */
export const ACCOUNT_DISCOVERY_ACTIONS: readonly OrganizationsAction[] = Object.freeze(
  Object.values(ORGANIZATIONS_ACTIONS).sort(),
);
