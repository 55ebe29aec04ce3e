/**
 * Chooses where "the accounts" come from, for every composition root (server and CLI): `aws.accounts`
 * when it lists any (it wins over discovery, and the log says so), else AWS Organizations discovery when
 * `aws.organization.enabled`, else none (the account of cis-bot's own credentials).
 */
import type { Config } from '../config/schema';
import { staticAccountDirectory } from '../core/accounts';
import type { AccountDirectory } from '../core/ports/account-directory';
import type { Logger } from '../core/ports/logger';
import { createOrganizationDirectory } from './organization-directory';
import type { AwsSession } from './session';

export interface AccountDirectoryDeps {
  /** Labels of configured accounts (a sandbox scenario's). */
  labels?: Readonly<Record<string, string>>;
  log?: Logger;
  now?: () => number;
}

export function accountDirectoryFor(
  aws: Pick<Config['aws'], 'accounts' | 'organization' | 'external_id' | 'role_session_name'>,
  session: AwsSession,
  deps: AccountDirectoryDeps = {},
): AccountDirectory {
  const { organization } = aws;
  if (aws.accounts.length > 0 || !organization.enabled) {
    if (organization.enabled) {
      deps.log?.warn(
        `aws.accounts and aws.organization are both set: the ${aws.accounts.length} account(s) of aws.accounts are audited, and AWS Organizations discovery is off (empty aws.accounts to discover accounts)`,
        { accounts: aws.accounts.length },
      );
    }
    return staticAccountDirectory(aws.accounts, deps.labels);
  }
  deps.log?.info('accounts come from AWS Organizations discovery', {
    includeOus: organization.include_ous,
    excludedAccounts: organization.exclude_accounts.length,
    ...(organization.role_arn !== undefined ? { roleArn: organization.role_arn } : {}),
    cacheTtlSeconds: organization.cache_ttl_seconds,
  });
  return createOrganizationDirectory({
    session,
    organization,
    roleSessionName: aws.role_session_name,
    ...(aws.external_id !== undefined ? { externalId: aws.external_id } : {}),
    ...(deps.log ? { log: deps.log } : {}),
    ...(deps.now ? { now: deps.now } : {}),
  });
}
