/**
 * Turns whatever an AWS SDK v3 call threw into a `ProbeError` naming the IAM action. AWS spells a denial
 * several ways depending on the protocol and on whether the error is modelled: AccessDenied (CloudWatch
 * with x-amzn-query-error, STS, SNS unmodelled), AccessDeniedException (CloudTrail, Logs),
 * AuthorizationError / AuthorizationErrorException (SNS). All of them are access-denied, never a pass.
 */
import { CisBotError } from '../core/errors';
import type { ProbeError } from '../core/snapshot';

const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'AuthorizationError',
  'AuthorizationErrorException',
  'UnauthorizedOperation',
  'UnauthorizedAccess',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
]);

const NOT_FOUND = new Set([
  'ResourceNotFoundException',
  'ResourceNotFound',
  'NotFound',
  'NotFoundException',
  'TrailNotFoundException',
]);

/** AssumeRole into an account failed (denied, or the base credentials are missing). */
export class AssumeRoleError extends CisBotError {
  readonly accountId: string;
  readonly roleArn: string;
  readonly denied: boolean;
  constructor(
    accountId: string,
    roleArn: string,
    denied: boolean,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('ASSUME_ROLE', message, options);
    this.accountId = accountId;
    this.roleArn = roleArn;
    this.denied = denied;
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
  const e = error as { name?: unknown; Code?: unknown; code?: unknown };
  if (typeof e.Code === 'string') return e.Code;
  if (typeof e.name === 'string' && e.name !== 'Error') return e.name;
  if (typeof e.code === 'string') return e.code;
  return undefined;
}

/** True when the SDK found no credentials at all (not a denial: a configuration problem). */
export function isMissingCredentials(error: unknown): boolean {
  return errorCode(error) === 'CredentialsProviderError';
}

export function isAccessDenied(error: unknown): boolean {
  const code = errorCode(error);
  const name = (error as { name?: unknown } | undefined)?.name;
  return (
    (code !== undefined && ACCESS_DENIED.has(code)) || (typeof name === 'string' && ACCESS_DENIED.has(name))
  );
}

export function classifyError(error: unknown, action: string): ProbeError {
  if (error instanceof UnreachableAccountError) {
    return { kind: 'unreachable', action: 'sts:AssumeRole', message: error.message, code: error.code };
  }
  if (error instanceof AssumeRoleError) {
    return {
      kind: error.denied ? 'access-denied' : 'failed',
      action: 'sts:AssumeRole',
      message: error.message,
      code: error.code,
    };
  }
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  const withCode = code !== undefined ? { code } : {};
  if (isAccessDenied(error)) return { kind: 'access-denied', action, message, ...withCode };
  if (code !== undefined && NOT_FOUND.has(code)) return { kind: 'not-found', action, message, ...withCode };
  return { kind: 'failed', action, message, ...withCode };
}
