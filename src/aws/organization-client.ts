/**
 * The AWS Organizations client of account discovery: signed with cis-bot's own credentials, or with
 * those of aws.organization.role_arn (a role in the management or a delegated administrator account,
 * assumed through STS first; the SDK memoises the credentials and assumes again before they expire).
 * Retries: the SDK's standard mode (exponential back-off with jitter, 500 ms base for throttling, and
 * its retry quota) with 8 attempts instead of 3, since one failed page fails the whole discovery.
 * Not `adaptive`: its client-side rate limiter drops to 0.5 calls a second after a throttle it has no
 * measured rate for, which punishes discovery's one sequential stream of pages (1,001 accounts with a
 * fifth of the calls throttled: 3.7 s standard, 15.8 s adaptive).
 */
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { roleAssumptionError } from './organization-errors';
import type { AwsSession, Credentials } from './session';

/** Attempts per Organizations call (first try included). */
export const ORGANIZATIONS_MAX_ATTEMPTS = 8;

export interface OrganizationsAccessOptions {
  /** aws.organization.role_arn. */
  roleArn?: string;
  /** Sent with AssumeRole of role_arn (aws.external_id; harmless when the trust policy asks for none). */
  externalId?: string;
  roleSessionName: string;
}

export interface OrganizationsAccess {
  client: OrganizationsClient;
  /** The identity that calls Organizations, for error messages: role_arn, or cis-bot's own ARN. */
  identity(): Promise<{ arn: string; accountId?: string }>;
  /**
   * Assumes role_arn (when set) before any Organizations call, so that a failure there is named as such
   * (AccountDiscoveryError `assume-role`), not mistaken for an Organizations denial.
   */
  ready(): Promise<void>;
}

const ROLE_ACCOUNT = /^arn:aws[a-z-]*:iam::(\d{12}):role\//;

function assumedRole(
  session: AwsSession,
  stsConfig: object,
  options: OrganizationsAccessOptions & { roleArn: string },
): Credentials {
  const sts = session.measure(new STSClient(stsConfig));
  return async () => {
    const out = await sts.send(
      new AssumeRoleCommand({
        RoleArn: options.roleArn,
        RoleSessionName: options.roleSessionName,
        DurationSeconds: 3600,
        ...(options.externalId !== undefined ? { ExternalId: options.externalId } : {}),
      }),
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) {
      throw new Error(`AssumeRole ${options.roleArn} returned no credentials`);
    }
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      ...(c.Expiration ? { expiration: c.Expiration } : {}),
    };
  };
}

export function organizationsAccess(
  session: AwsSession,
  options: OrganizationsAccessOptions,
): OrganizationsAccess {
  // The session's endpoint, sockets and logger; retries are this client's own (see the header).
  const { retryStrategy: _s, retryMode: _m, maxAttempts: _a, ...base } = session.baseClientConfig();
  const roleArn = options.roleArn;
  const credentials =
    roleArn !== undefined ? assumedRole(session, base, { ...options, roleArn }) : base.credentials;
  const client = session.measure(
    new OrganizationsClient({
      ...base,
      ...(credentials !== undefined ? { credentials } : {}),
      retryMode: 'standard',
      maxAttempts: ORGANIZATIONS_MAX_ATTEMPTS,
    }),
  );
  return {
    client,
    async identity() {
      if (roleArn !== undefined) {
        const accountId = ROLE_ACCOUNT.exec(roleArn)?.[1];
        return { arn: roleArn, ...(accountId !== undefined ? { accountId } : {}) };
      }
      const me = await session.callerIdentity().catch(() => undefined);
      return me ? { arn: me.arn, accountId: me.accountId } : { arn: '' };
    },
    async ready() {
      if (roleArn === undefined) return;
      try {
        await client.config.credentials();
      } catch (error) {
        const me = await session.callerIdentity().catch(() => undefined);
        throw roleAssumptionError(error, roleArn, { identity: me?.arn ?? "cis-bot's own credentials" });
      }
    },
  };
}
