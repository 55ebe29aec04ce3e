/**
 * STS (query protocol, Version 2011-06-15): GetCallerIdentity and AssumeRole. AssumeRole hands out
 * temporary credentials whose access key maps to the TARGET account, so one sandbox serves many accounts:
 * the role must exist there, trust the caller's account, and get the ExternalId it requires; any failure is
 * AWS's 403 AccessDenied naming sts:AssumeRole and the role ARN.
 */
import { ApiError } from '../api-error';
import type { Input } from '../input';
import type { CallContext, ServiceDef } from '../service';

const validation = (message: string) => new ApiError('ValidationError', message);

function getCallerIdentity(ctx: CallContext) {
  return { UserId: ctx.caller.userId, Account: ctx.caller.accountId, Arn: ctx.caller.arn };
}

function assumeRole(ctx: CallContext, input: Input) {
  const roleArn = input.reqStr('RoleArn');
  const sessionName = input.reqStr('RoleSessionName');
  if (!/^[\w+=,.@-]{2,64}$/.test(sessionName))
    throw validation(
      `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`,
    );
  const duration = input.num('DurationSeconds') ?? 3600;
  if (duration < 900 || duration > 43200)
    throw validation(
      `1 validation error detected: Value '${duration}' at 'durationSeconds' failed to satisfy constraint: Member must have value ${duration < 900 ? 'greater than or equal to 900' : 'less than or equal to 43200'}`,
    );
  const m = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:[\w+=,.@/-]*\/)?([\w+=,.@-]+)$/.exec(roleArn);
  if (!m?.[1] || !m[2]) throw validation(`${roleArn} is invalid`);
  const denied = () =>
    new ApiError(
      'AccessDenied',
      `User: ${ctx.caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
      403,
    );
  const account = ctx.state.accounts.get(m[1]);
  const role = account?.roles.get(m[2]);
  if (!account || !role) throw denied();
  if (role.trustedAccounts && !role.trustedAccounts.includes(ctx.caller.accountId)) throw denied();
  if (role.externalId !== undefined && input.str('ExternalId') !== role.externalId) throw denied();
  const id = ctx.nextId().replace(/-/g, '').toUpperCase();
  const accessKeyId = `ASIA${id.slice(0, 16)}`;
  const expiration = new Date(Date.now() + duration * 1000);
  const session = {
    accessKeyId,
    secretAccessKey: `sandbox-session-secret-${id}`,
    sessionToken: `sandbox-session-token-${id}`,
    accountId: account.id,
    roleName: role.name,
    sessionName,
    expiration,
  };
  ctx.state.sessions.set(accessKeyId, session);
  return {
    Credentials: {
      AccessKeyId: accessKeyId,
      SecretAccessKey: session.secretAccessKey,
      SessionToken: session.sessionToken,
      Expiration: expiration,
    },
    AssumedRoleUser: {
      AssumedRoleId: `${role.roleId}:${sessionName}`,
      Arn: `arn:aws:sts::${account.id}:assumed-role/${role.name}/${sessionName}`,
    },
    PackedPolicySize: input.has('Policy') ? 6 : undefined,
  };
}

export const sts: ServiceDef = {
  name: 'sts',
  iamPrefix: 'sts',
  operations: { GetCallerIdentity: getCallerIdentity, AssumeRole: assumeRole },
  fail: (member, problem) =>
    problem === 'missing'
      ? new ApiError('MissingParameter', `The request must contain the parameter ${member}.`)
      : validation(`Invalid value for ${member}.`),
  resource(_operation, _ctx, input) {
    const arn = input.raw.RoleArn;
    return typeof arn === 'string' ? arn : '*';
  },
};
