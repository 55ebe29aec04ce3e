/**
 * The account directory of aws.organization: the ACTIVE accounts AWS Organizations lists (less
 * exclude_accounts), discovered on first use and again once the cached list is older than
 * cache_ttl_seconds; a failed refresh falls back on the last list for up to max_stale_seconds
 * (src/core/accounts/cached-directory.ts). Implements the core's AccountDirectory port.
 */
import { CachedAccountDirectory } from '../core/accounts';
import type { Logger } from '../core/ports/logger';
import { type OrganizationsAccess, organizationsAccess } from './organization-client';
import { discoverOrganizationAccounts } from './organization-discovery';
import type { AwsSession } from './session';

/** aws.organization as the directory reads it. */
export interface OrganizationSettings {
  role_arn?: string | undefined;
  include_ous: readonly string[];
  exclude_accounts: readonly string[];
  cache_ttl_seconds: number;
  max_stale_seconds: number;
}

export interface OrganizationDirectoryOptions {
  session: AwsSession;
  organization: OrganizationSettings;
  roleSessionName: string;
  /** aws.external_id, also sent when assuming role_arn. */
  externalId?: string;
  log?: Logger;
  /** Milliseconds since the epoch (tests move it). */
  now?: () => number;
}

export function createOrganizationDirectory(options: OrganizationDirectoryOptions): CachedAccountDirectory {
  const { organization: org } = options;
  let access: OrganizationsAccess | undefined;
  return new CachedAccountDirectory({
    source: 'organization',
    what: 'AWS Organizations account discovery',
    ttlMs: org.cache_ttl_seconds * 1000,
    maxStaleMs: org.max_stale_seconds * 1000,
    ...(options.log ? { log: options.log } : {}),
    ...(options.now ? { now: options.now } : {}),
    load: () => {
      access ??= organizationsAccess(options.session, {
        roleSessionName: options.roleSessionName,
        ...(org.role_arn !== undefined ? { roleArn: org.role_arn } : {}),
        ...(options.externalId !== undefined ? { externalId: options.externalId } : {}),
      });
      return discoverOrganizationAccounts(access, {
        includeOus: org.include_ous,
        excludeAccounts: org.exclude_accounts,
      });
    },
  });
}
