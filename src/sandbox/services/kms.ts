/**
 * KMS (AWS JSON 1.1, target prefix TrentService): DescribeKey (by key id, key ARN, alias name or alias
 * ARN), GetKeyPolicy and ListAliases (Limit 1..100, Marker/NextMarker with Truncated), and the calls that
 * can stop CloudWatch from publishing to an encrypted topic, each emitted as a chain-change event when it
 * changes the key: PutKeyPolicy, DisableKey, ScheduleKeyDeletion (own customer keys only). The AWS-managed key
 * alias/aws/sns exists in every account and region with AWS's default policy (../kms-keys.ts). Keys of
 * another account are reachable only by ARN and only where their policy allows the caller; GetKeyPolicy
 * is never allowed across accounts (AWS: "Cross-account use: No"). An AccessDenied on GetKeyPolicy is
 * injected like any other with the account's `denied_actions: [kms:GetKeyPolicy]`.
 */
import { ApiError } from '../api-error';
import type { Input } from '../input';
import { ensureManagedKeys, findKey } from '../kms-keys';
import { evaluatePolicy } from '../policy';
import { type CallContext, checkRange, paginate, type ServiceDef } from '../service';
import type { KmsKeyState } from '../state';

const notFound = (message: string) => new ApiError('NotFoundException', message);
const denied = (ctx: CallContext, key: string) =>
  new ApiError(
    'AccessDeniedException',
    `User: ${ctx.caller.arn} is not authorized to perform: ${ctx.action} on resource: ${key} because no resource-based policy allows the ${ctx.action} action`,
  );

/** The key a KeyId names; another account's key needs its policy's grant (and never for `sameAccountOnly`). */
function keyFor(ctx: CallContext, input: Input, sameAccountOnly = false): KmsKeyState {
  const ref = input.reqStr('KeyId');
  const key = findKey(ctx.state, ref, ctx.caller.accountId, ctx.region);
  if (!key) {
    throw ref.includes('alias/')
      ? notFound(
          `Alias ${ref.startsWith('arn:') ? ref : `arn:aws:kms:${ctx.region}:${ctx.caller.accountId}:${ref}`} is not found.`,
        )
      : notFound(
          `Key '${ref.startsWith('arn:') ? ref : `arn:aws:kms:${ctx.region}:${ctx.caller.accountId}:key/${ref}`}' does not exist`,
        );
  }
  const owner = key.Arn.split(':')[4];
  if (owner === ctx.caller.accountId) return key;
  const allowed =
    !sameAccountOnly &&
    evaluatePolicy(key.policy, {
      principal: { account: ctx.caller.accountId, arn: ctx.caller.arn },
      action: ctx.action,
      resource: key.Arn,
      context: { 'kms:CallerAccount': ctx.caller.accountId },
    }) === 'allow';
  if (!allowed) throw denied(ctx, key.Arn);
  return key;
}

function describeKey(ctx: CallContext, input: Input) {
  const key = keyFor(ctx, input);
  const [, , , , account] = key.Arn.split(':');
  return {
    KeyMetadata: {
      AWSAccountId: account,
      KeyId: key.KeyId,
      Arn: key.Arn,
      CreationDate: key.CreationDate,
      Enabled: key.Enabled,
      Description: key.Description,
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeyState: keyState(key),
      ...(key.deletionDate ? { DeletionDate: key.deletionDate } : {}),
      Origin: 'AWS_KMS',
      KeyManager: key.KeyManager,
      CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
      KeySpec: 'SYMMETRIC_DEFAULT',
      EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
      MultiRegion: false,
    },
  };
}

function keyState(key: KmsKeyState): string {
  return key.deletionDate ? 'PendingDeletion' : key.Enabled ? 'Enabled' : 'Disabled';
}

/** A customer managed key of the caller's own account that the call may change. */
function ownCustomerKey(ctx: CallContext, input: Input): KmsKeyState {
  const key = keyFor(ctx, input, true);
  if (key.KeyManager === 'AWS') {
    throw new ApiError(
      'UnsupportedOperationException',
      `${key.Arn} is an AWS managed key and cannot be changed.`,
    );
  }
  return key;
}

function putKeyPolicy(ctx: CallContext, input: Input) {
  const key = ownCustomerKey(ctx, input);
  const name = input.str('PolicyName') ?? 'default';
  if (name !== 'default') throw notFound(`No such policy exists: ${name}`);
  const policy = input.reqStr('Policy');
  try {
    JSON.parse(policy);
  } catch {
    throw new ApiError('MalformedPolicyDocumentException', 'The new key policy is not valid JSON.');
  }
  if (policy !== key.policy) {
    key.policy = policy;
    ctx.changed([key.Arn]);
  }
  return {};
}

function disableKey(ctx: CallContext, input: Input) {
  const key = ownCustomerKey(ctx, input);
  if (key.deletionDate) throw new ApiError('KMSInvalidStateException', `${key.Arn} is pending deletion.`);
  if (key.Enabled) {
    key.Enabled = false;
    ctx.changed([key.Arn]);
  }
  return {};
}

function scheduleKeyDeletion(ctx: CallContext, input: Input) {
  const key = ownCustomerKey(ctx, input);
  const days = input.num('PendingWindowInDays') ?? 30;
  checkRange((m) => new ApiError('ValidationException', m), 'pendingWindowInDays', days, 7, 30);
  if (key.deletionDate) throw new ApiError('KMSInvalidStateException', `${key.Arn} is pending deletion.`);
  key.Enabled = false;
  key.deletionDate = new Date(Date.now() + days * 86_400_000);
  ctx.changed([key.Arn]);
  return {
    KeyId: key.Arn,
    DeletionDate: key.deletionDate,
    KeyState: 'PendingDeletion',
    PendingWindowInDays: days,
  };
}

function getKeyPolicy(ctx: CallContext, input: Input) {
  const key = keyFor(ctx, input, true);
  const name = input.str('PolicyName') ?? 'default';
  if (name !== 'default') throw notFound(`No such policy exists: ${name}`);
  return { Policy: key.policy, PolicyName: 'default' };
}

function listAliases(ctx: CallContext, input: Input) {
  const limit = input.num('Limit') ?? 50;
  checkRange((m) => new ApiError('ValidationException', m), 'limit', limit, 1, 100);
  const r = ctx.state.region(ctx.caller.accountId, ctx.region);
  ensureManagedKeys(r, ctx.region, ctx.caller.accountId);
  const only = input.has('KeyId') ? keyFor(ctx, input).KeyId : undefined;
  const entries = [...r.kmsAliases]
    .filter(([, id]) => only === undefined || id === only)
    .map(([alias, id]) => {
      const key = r.kmsKeys.get(id);
      return {
        AliasName: alias,
        AliasArn: `arn:aws:kms:${ctx.region}:${ctx.caller.accountId}:${alias}`,
        TargetKeyId: id,
        CreationDate: key?.CreationDate,
        LastUpdatedDate: key?.CreationDate,
      };
    })
    .sort((a, b) => (a.AliasName < b.AliasName ? -1 : 1));
  const { page, nextToken } = paginate(
    entries,
    (e) => e.AliasName,
    input.str('Marker'),
    limit,
    () =>
      new ApiError(
        'InvalidMarkerException',
        'The marker that specifies where to start paginating is not valid.',
      ),
  );
  return { Aliases: page, Truncated: nextToken !== undefined, NextMarker: nextToken };
}

export const kms: ServiceDef = {
  name: 'kms',
  iamPrefix: 'kms',
  operations: {
    DescribeKey: describeKey,
    GetKeyPolicy: getKeyPolicy,
    ListAliases: listAliases,
    PutKeyPolicy: putKeyPolicy,
    DisableKey: disableKey,
    ScheduleKeyDeletion: scheduleKeyDeletion,
  },
  fail: (member, problem) =>
    new ApiError(
      'ValidationException',
      problem === 'missing'
        ? `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`
        : `Unexpected value for ${member}.`,
    ),
  resource(_operation, ctx, input) {
    const ref = input.raw.KeyId;
    if (typeof ref === 'string' && ref.startsWith('arn:')) return ref;
    return `arn:aws:kms:${ctx.region}:${ctx.caller.accountId}:key/${typeof ref === 'string' ? ref : '*'}`;
  },
};
