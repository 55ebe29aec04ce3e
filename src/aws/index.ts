/**
 * AWS adapter: the SDK session (client factory), the chain collector, the auditor, and where the accounts
 * come from (aws.accounts, or AWS Organizations discovery).
 */
export { type AccountDirectoryDeps, accountDirectoryFor } from './account-directory';
export {
  type AwsAuditorDeps,
  createAwsAuditor,
  MissingCredentialsError,
  type RunAuditOptions,
  runAudit,
} from './auditor';
export { type CollectRequest, collectAccount } from './collector';
export { AssumeRoleError, classifyError, UnreachableAccountError } from './errors';
export { createOrganizationDirectory, type OrganizationDirectoryOptions } from './organization-directory';
export { AccountDiscoveryError, type DiscoveryFailure } from './organization-errors';
export { mapPool } from './pool';
export {
  type AwsClients,
  AwsSession,
  type CallerIdentity,
  type ClientFactory,
  type Credentials,
  type SdkClientConfig,
  type SessionOptions,
} from './session';
