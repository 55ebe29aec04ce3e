/**
 * KMS keys as the chain meets them: customer keys from the scenario, and the AWS managed key
 * `alias/aws/sns` that exists in every account and region (created on first use, as AWS does) with
 * AWS's real default policy, which lets the account's principals use it through SNS but not
 * cloudwatch.amazonaws.com. Resolves key ids, key ARNs, alias names and alias ARNs, and answers whether
 * a principal may use a key (SNS's use on a publisher's behalf, or CloudWatch's for an alarm action).
 */
import { evaluatePolicy, type PolicyPrincipal } from './policy';
import type { KmsKeyState, RegionState, SandboxState } from './state';
import { stableIdUuid } from './state';

export const SNS_MANAGED_ALIAS = 'alias/aws/sns';

/** AWS's default key policy: the account's IAM policies decide who may use the key. */
export function defaultKeyPolicy(account: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Id: 'key-default-1',
    Statement: [
      {
        Sid: 'Enable IAM User Permissions',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${account}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
    ],
  });
}

/** The policy AWS gives the managed key alias/aws/sns (no statement for cloudwatch.amazonaws.com). */
export function snsManagedKeyPolicy(account: string, region: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Id: 'auto-sns-1',
    Statement: [
      {
        Sid: 'Allow access through SNS for all principals in the account that are authorized to use SNS',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: [
          'kms:Decrypt',
          'kms:GenerateDataKey*',
          'kms:CreateGrant',
          'kms:ListGrants',
          'kms:DescribeKey',
        ],
        Resource: '*',
        Condition: {
          StringEquals: { 'kms:CallerAccount': account, 'kms:ViaService': `sns.${region}.amazonaws.com` },
        },
      },
      {
        Sid: 'Allow direct access to key metadata to the account',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${account}:root` },
        Action: ['kms:Describe*', 'kms:Get*', 'kms:List*', 'kms:RevokeGrant'],
        Resource: '*',
      },
    ],
  });
}

export function keyArn(region: string, account: string, keyId: string): string {
  return `arn:aws:kms:${region}:${account}:key/${keyId}`;
}

export function addKey(
  r: RegionState,
  key: Omit<KmsKeyState, 'Arn'>,
  region: string,
  account: string,
  aliases: string[],
): KmsKeyState {
  const stored: KmsKeyState = { ...key, Arn: keyArn(region, account, key.KeyId) };
  r.kmsKeys.set(key.KeyId, stored);
  for (const alias of aliases) r.kmsAliases.set(alias, key.KeyId);
  return stored;
}

/** Creates alias/aws/sns in a region on first use, as AWS creates a service's managed key. */
export function ensureManagedKeys(r: RegionState, region: string, account: string): void {
  if (r.kmsAliases.has(SNS_MANAGED_ALIAS)) return;
  addKey(
    r,
    {
      KeyId: stableIdUuid(`${account}/${region}/${SNS_MANAGED_ALIAS}`),
      Description: 'Default master key that protects my SNS data when no other key is defined',
      KeyManager: 'AWS',
      Enabled: true,
      CreationDate: new Date(Date.UTC(2025, 0, 1)),
      policy: snsManagedKeyPolicy(account, region),
    },
    region,
    account,
    [SNS_MANAGED_ALIAS],
  );
}

const KEY_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):(key\/.+|alias\/.+)$/;

/**
 * The key a KeyId names (key id, key ARN, alias name, alias ARN), looked up in the account and region
 * the ARN gives, else in the caller's. Undefined when there is no such key.
 */
export function findKey(
  state: SandboxState,
  keyRef: string,
  account: string,
  region: string,
): KmsKeyState | undefined {
  let ref = keyRef;
  const m = KEY_ARN.exec(keyRef);
  if (m?.[1] && m[2] && m[3]) {
    account = m[2];
    region = m[1];
    ref = m[3].startsWith('key/') ? m[3].slice(4) : m[3];
  }
  if (!state.accounts.has(account)) return undefined;
  const r = state.region(account, region);
  ensureManagedKeys(r, region, account);
  const id = ref.startsWith('alias/') ? r.kmsAliases.get(ref) : ref;
  return id === undefined ? undefined : r.kmsKeys.get(id);
}

export type KeyUse = 'ok' | 'missing' | 'disabled' | 'denied';

/**
 * Whether `principal` may encrypt with a topic's key (kms:GenerateDataKey and kms:Decrypt), SNS using it
 * on the principal's behalf. An account principal also needs its IAM policy (`iamAllows`) when the key
 * policy delegates to the account root.
 */
export function canUseTopicKey(
  state: SandboxState,
  keyRef: string,
  topic: { owner: string; region: string; arn: string },
  principal: PolicyPrincipal,
  context: Record<string, string> = {},
  iamAllows = true,
): KeyUse {
  const key = findKey(state, keyRef, topic.owner, topic.region);
  if (!key) return 'missing';
  if (!key.Enabled) return 'disabled';
  const ctx = {
    ...context,
    'kms:ViaService': `sns.${topic.region}.amazonaws.com`,
    ...('account' in principal ? { 'kms:CallerAccount': principal.account } : {}),
  };
  for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
    const decision = evaluatePolicy(key.policy, { principal, action, resource: key.Arn, context: ctx });
    if (decision !== 'allow' || !iamAllows) return 'denied';
  }
  return 'ok';
}
