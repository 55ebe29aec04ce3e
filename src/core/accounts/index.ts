/**
 * Which accounts cis-bot audits, on the core's side: the fixed-list directory, the TTL cache every
 * discovered directory sits behind, and the IAM actions of discovery. The port is
 * src/core/ports/account-directory.ts; AWS Organizations discovery is src/aws/organization-directory.ts.
 */
export { CachedAccountDirectory, type CachedDirectoryOptions } from './cached-directory';
export {
  ACCOUNT_DISCOVERY_ACTIONS,
  ORGANIZATIONS_ACTIONS,
  type OrganizationsAction,
} from './discovery-actions';
export { labelsOf, staticAccountDirectory } from './static-directory';
