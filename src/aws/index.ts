/** AWS adapter: the SDK session (client factory), the chain collector and the auditor. */
export {
  type AwsAuditorDeps,
  createAwsAuditor,
  MissingCredentialsError,
  type RunAuditOptions,
  runAudit,
} from './auditor';
export { type CollectRequest, collectAccount } from './collector';
export { AssumeRoleError, classifyError, UnreachableAccountError } from './errors';
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
