/**
 * The account-source port: which AWS accounts are "the accounts" cis-bot audits. Everything that used to
 * read `aws.accounts` asks this instead: an audit without named accounts, a schedule without accounts,
 * chat's `--account` check, the CLI's `audit` without `--accounts`, `remediate` and `accounts`.
 * Implementations: the configured list (src/core/accounts/static-directory.ts) and the AWS Organizations
 * discovery (src/aws/organization-directory.ts); the composition root chooses one.
 */

/** Where the accounts come from. */
export type AccountSource =
  /** No list: only the account of cis-bot's own credentials (audited without AssumeRole). */
  | 'own'
  /** `aws.accounts`. */
  | 'configured'
  /** The ACTIVE accounts of an AWS organization (`aws.organization`). */
  | 'organization';

export interface DirectoryAccount {
  /** 12-digit AWS account id. */
  accountId: string;
  /** What people call it: the account's name in Organizations, or a configured/sandbox label. */
  label?: string;
  /** The OU (`ou-…`) or root (`r-…`) it sits directly in, when it was found by walking OUs. */
  ou?: string;
}

export interface AccountDirectory {
  readonly source: AccountSource;
  /**
   * The accounts, in a stable order; empty only for the `own` source. Rejects with a CisBotError whose
   * message says what to fix (discovery denied, organization not in use, unknown OU...).
   */
  list(): Promise<readonly DirectoryAccount[]>;
  /** Whether `accountId` is one of the accounts (never true for the `own` source). */
  has(accountId: string): Promise<boolean>;
}
