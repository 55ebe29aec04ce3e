/**
 * Turns whatever an AWS SDK v3 call threw into a `ProbeError` naming the IAM action. AWS spells a denial
 * several ways depending on the protocol and on whether the error is modelled: AccessDenied (CloudWatch
 * with x-amzn-query-error, STS, SNS unmodelled), AccessDeniedException (CloudTrail, Logs),
 * AuthorizationError / AuthorizationErrorException (SNS). All of them are access-denied, never a pass.
 * A refusal of the credentials themselves (unknown key, expired or revoked session, bad signature) is not
 * a denial: granting an action would not help, so it is its own kind, `credentials`, naming the identity.
 */
import { CisBotError } from '../core/errors';
import { StoreError } from '../core/ports/store';
import type { ProbeError } from '../core/snapshot';

const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'AuthorizationError',
  'AuthorizationErrorException',
  'UnauthorizedOperation',
  'UnauthorizedAccess',
]);

/**
 * AWS refused the credentials, not the action: the key is unknown or deleted (InvalidClientTokenId in the
 * query protocols, UnrecognizedClientException in the JSON ones, InvalidAccessKeyId), the session token
 * expired or was revoked (ExpiredToken, ExpiredTokenException), or the signature does not verify
 * (SignatureDoesNotMatch, InvalidSignatureException, IncompleteSignature), or none was sent.
 */
const CREDENTIALS_REFUSED = new Set([
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidAccessKeyId',
  'ExpiredToken',
  'ExpiredTokenException',
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'MissingAuthenticationTokenException',
]);

const NOT_FOUND = new Set([
  'ResourceNotFoundException',
  'ResourceNotFound',
  'NotFound',
  'NotFoundException',
  'TrailNotFoundException',
]);

/**
 * AWS refused the credentials a call was signed with (invalid, expired or revoked). The message names the
 * identity (cis-bot's own credentials, or an assumed role's session) and what to do; `awsCode` is AWS's code.
 */
export class CredentialsRefusedError extends CisBotError {
  readonly awsCode: string;
  readonly identity: string;
  constructor(identity: string, awsCode: string, remedy: string, options?: { cause?: unknown }) {
    super(
      'CREDENTIALS_REFUSED',
      `AWS refused ${identity} (${awsCode}): the credentials are invalid, expired or revoked. ${remedy}`,
      options,
    );
    this.awsCode = awsCode;
    this.identity = identity;
  }
}

/** How AssumeRole failed: the role refused it, the caller's own credentials were refused, or anything else. */
export type AssumeRoleFailure = 'access-denied' | 'credentials' | 'failed';

/** AssumeRole into an account failed (denied, the base credentials refused, or missing). */
export class AssumeRoleError extends CisBotError {
  readonly accountId: string;
  readonly roleArn: string;
  readonly failure: AssumeRoleFailure;
  constructor(
    accountId: string,
    roleArn: string,
    failure: AssumeRoleFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('ASSUME_ROLE', message, options);
    this.accountId = accountId;
    this.roleArn = roleArn;
    this.failure = failure;
  }
}

/** The chain leads into an account cis-bot has no role for (a log group or topic in another account). */
export class UnreachableAccountError extends CisBotError {
  readonly accountId: string;
  constructor(accountId: string, message: string) {
    super('UNREACHABLE_ACCOUNT', message);
    this.accountId = accountId;
  }
}

export function errorCode(error: unknown): string | undefined {
  if (!error || typeof error !== 'object') return undefined;
  if (error instanceof CredentialsRefusedError) return error.awsCode;
  const e = error as { name?: unknown; Code?: unknown; code?: unknown };
  if (typeof e.Code === 'string') return e.Code;
  if (typeof e.name === 'string' && e.name !== 'Error') return e.name;
  if (typeof e.code === 'string') return e.code;
  return undefined;
}

/** The AWS error code, if it is a plain identifier (anything else is not echoed anywhere). */
function safeCode(error: unknown): string | undefined {
  const code = errorCode(error);
  return code !== undefined && /^[A-Za-z0-9_.:-]{1,80}$/.test(code) ? code : undefined;
}

/**
 * A one-line description of a failed SDK call fit for chat: our own errors' messages (they name the
 * IAM action or setting), otherwise only the AWS error code and HTTP status. The raw SDK or driver text
 * can carry principal ARNs, request ids, URLs or paths, so it is never passed on.
 */
export function safeErrorSummary(error: unknown): string {
  if (error instanceof CisBotError && !(error instanceof StoreError)) return error.message;
  const status = (error as { $metadata?: { httpStatusCode?: unknown } } | null | undefined)?.$metadata
    ?.httpStatusCode;
  const http = typeof status === 'number' ? ` (HTTP ${status})` : '';
  if (error instanceof StoreError)
    return `cis-bot's database failed${http}; the details are in the bot's log`;
  const code = safeCode(error);
  return code !== undefined ? `AWS returned ${code}${http}` : `the call failed${http} (no AWS error code)`;
}

/** True when the SDK found no credentials at all (not a denial: a configuration problem). */
export function isMissingCredentials(error: unknown): boolean {
  return errorCode(error) === 'CredentialsProviderError';
}

function codeIn(codes: ReadonlySet<string>, error: unknown): boolean {
  const code = errorCode(error);
  const name = (error as { name?: unknown } | undefined)?.name;
  return (code !== undefined && codes.has(code)) || (typeof name === 'string' && codes.has(name));
}

export function isAccessDenied(error: unknown): boolean {
  return codeIn(ACCESS_DENIED, error);
}

/** True when AWS refused the credentials themselves (raw SDK error or ours). */
export function isCredentialsRefused(error: unknown): boolean {
  return error instanceof CredentialsRefusedError || codeIn(CREDENTIALS_REFUSED, error);
}

export function classifyError(error: unknown, action: string): ProbeError {
  if (error instanceof UnreachableAccountError) {
    return { kind: 'unreachable', action: 'sts:AssumeRole', message: error.message, code: error.code };
  }
  if (error instanceof AssumeRoleError) {
    return {
      kind: error.failure,
      action: 'sts:AssumeRole',
      message: error.message,
      code: error.code,
    };
  }
  const code = safeCode(error);
  const withCode = code !== undefined ? { code } : {};
  // The message reaches chat (finding reasons and evidence): ours, never the SDK's raw text.
  if (error instanceof CredentialsRefusedError) {
    return { kind: 'credentials', action, message: error.message, code: error.awsCode };
  }
  if (isCredentialsRefused(error)) {
    const message = `AWS refused the credentials cis-bot signed ${action} with (${code ?? 'no code'}): they are invalid, expired or revoked; renew them and audit again`;
    return { kind: 'credentials', action, message, ...withCode };
  }
  if (isAccessDenied(error)) {
    const message = `access denied to ${action}${code !== undefined ? ` (${code})` : ''}: grant ${action} to the role cis-bot uses`;
    return { kind: 'access-denied', action, message, ...withCode };
  }
  const message = safeErrorSummary(error);
  if (code !== undefined && NOT_FOUND.has(code)) return { kind: 'not-found', action, message, ...withCode };
  return { kind: 'failed', action, message, ...withCode };
}
