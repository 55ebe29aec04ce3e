/**
 * The AWS session of one cis-bot process: makes SDK v3 clients per (account, region), signed with the
 * base credentials (the SDK's default chain unless given) or with AssumeRole credentials for the
 * configured accounts. Everything is injected and cached here, never in module singletons; one shared
 * keep-alive agent serves every client so 200 accounts do not open 800 connection pools.
 * Endpoints and regions follow the SDK's standard resolution (AWS_ENDPOINT_URL, AWS_PROFILE...) unless
 * `clientConfig.endpoint` overrides them (the sandbox, tests).
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { CloudTrailClient, type CloudTrailClientConfig } from '@aws-sdk/client-cloudtrail';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { SNSClient } from '@aws-sdk/client-sns';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DEFAULT_ROLE_ARN_TEMPLATE, roleArnFor } from '../core/inputs';
import {
  AssumeRoleError,
  isAccessDenied,
  isMissingCredentials,
  safeErrorSummary,
  UnreachableAccountError,
} from './errors';

export interface AwsClients {
  cloudtrail: CloudTrailClient;
  logs: CloudWatchLogsClient;
  cloudwatch: CloudWatchClient;
  sns: SNSClient;
}

/** What a caller may set on every SDK client (the sandbox endpoint, a fast retry strategy in tests...). */
export type SdkClientConfig = Pick<
  CloudTrailClientConfig,
  'endpoint' | 'maxAttempts' | 'retryStrategy' | 'retryMode' | 'requestHandler' | 'logger'
>;

export type Credentials = NonNullable<CloudTrailClientConfig['credentials']>;

/** Clients for an account and region; throws UnreachableAccountError when no credentials reach it. */
export interface ClientFactory {
  clientsFor(accountId: string, region: string): AwsClients;
}

export interface SessionOptions {
  /** Region for STS calls and the default audit region. */
  region: string;
  /** Base credentials; default: the SDK's default provider chain. */
  credentials?: Credentials;
  /** Role ARN template with `{account}`, e.g. `arn:aws:iam::{account}:role/CisBotAudit`. */
  roleArnTemplate?: string;
  externalId?: string;
  roleSessionName?: string;
  /** Accounts reached through AssumeRole (the configured targets; also where cross-account chains may lead). */
  roleAccounts?: readonly string[];
  clientConfig?: SdkClientConfig;
  /** Max sockets of the shared agent (default 256). */
  maxSockets?: number;
}

export interface CallerIdentity {
  accountId: string;
  arn: string;
}

interface CachedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

const REFRESH_MARGIN_MS = 5 * 60 * 1000;

export class AwsSession implements ClientFactory {
  readonly region: string;
  private readonly options: SessionOptions;
  private readonly clientConfig: SdkClientConfig;
  private readonly clients = new Map<string, AwsClients>();
  private readonly assumed = new Map<string, Promise<CachedCredentials>>();
  private readonly roleAccounts: Set<string>;
  private baseSts?: STSClient;
  private identity?: Promise<CallerIdentity>;
  private baseAccountId?: string;
  private readonly agents: { http: HttpAgent; https: HttpsAgent };

  constructor(options: SessionOptions) {
    this.options = options;
    this.region = options.region;
    this.roleAccounts = new Set(options.roleAccounts ?? []);
    const maxSockets = options.maxSockets ?? 256;
    this.agents = {
      http: new HttpAgent({ keepAlive: true, maxSockets }),
      https: new HttpsAgent({ keepAlive: true, maxSockets }),
    };
    this.clientConfig = {
      requestHandler: { httpAgent: this.agents.http, httpsAgent: this.agents.https },
      ...options.clientConfig,
    };
  }

  private config(region: string, credentials: Credentials | undefined) {
    return { region, ...this.clientConfig, ...(credentials !== undefined ? { credentials } : {}) };
  }

  private build(region: string, credentials: Credentials | undefined): AwsClients {
    const config = this.config(region, credentials);
    return {
      cloudtrail: new CloudTrailClient(config),
      logs: new CloudWatchLogsClient(config),
      cloudwatch: new CloudWatchClient(config),
      sns: new SNSClient(config),
    };
  }

  private cached(key: string, make: () => AwsClients): AwsClients {
    let c = this.clients.get(key);
    if (!c) {
      c = make();
      this.clients.set(key, c);
    }
    return c;
  }

  /**
   * The base credentials: given, or the STS client's resolved default chain. Sharing that one memoised
   * provider means the chain (env, profile, SSO, an ini role_arn...) is resolved once, not per client.
   */
  private baseCredentials(): Credentials {
    return this.options.credentials ?? (this.sts().config.credentials as Credentials);
  }

  /** Clients signed with the base credentials. */
  baseClients(region: string): AwsClients {
    return this.cached(`base|${region}`, () => this.build(region, this.baseCredentials()));
  }

  private sts(): STSClient {
    this.baseSts ??= new STSClient(this.config(this.region, this.options.credentials));
    return this.baseSts;
  }

  /** GetCallerIdentity of the base credentials (memoised). */
  callerIdentity(): Promise<CallerIdentity> {
    this.identity ??= this.sts()
      .send(new GetCallerIdentityCommand({}))
      .then((out) => {
        const id = { accountId: out.Account ?? '', arn: out.Arn ?? '' };
        this.baseAccountId = id.accountId;
        return id;
      });
    return this.identity;
  }

  roleArn(accountId: string): string {
    return roleArnFor(this.options.roleArnTemplate ?? DEFAULT_ROLE_ARN_TEMPLATE, accountId);
  }

  /** Adds accounts reachable through AssumeRole (e.g. the accounts a command names). */
  allowAccounts(accountIds: Iterable<string>): void {
    for (const id of accountIds) this.roleAccounts.add(id);
  }

  canReach(accountId: string): boolean {
    return accountId === this.baseAccountId || this.roleAccounts.has(accountId);
  }

  /** Temporary credentials for `accountId` through AssumeRole (memoised, refreshed before expiry). */
  assume(accountId: string): Promise<CachedCredentials> {
    const current = this.assumed.get(accountId);
    if (current) return current;
    const roleArn = this.roleArn(accountId);
    const pending = this.sts()
      .send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: this.options.roleSessionName ?? 'cis-bot',
          DurationSeconds: 3600,
          ...(this.options.externalId !== undefined ? { ExternalId: this.options.externalId } : {}),
        }),
      )
      .then((out) => {
        const c = out.Credentials;
        if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) {
          throw new AssumeRoleError(
            accountId,
            roleArn,
            false,
            `AssumeRole ${roleArn} returned no credentials`,
          );
        }
        return {
          accessKeyId: c.AccessKeyId,
          secretAccessKey: c.SecretAccessKey,
          sessionToken: c.SessionToken,
          expiration: c.Expiration ?? new Date(Date.now() + 3600_000),
        };
      })
      .catch((error: unknown) => {
        this.assumed.delete(accountId);
        if (error instanceof AssumeRoleError || isMissingCredentials(error)) throw error;
        const denied = isAccessDenied(error);
        // The raw STS/SDK message stays out of the error (it reaches chat): the role and the AWS code only.
        const why = safeErrorSummary(error);
        throw new AssumeRoleError(
          accountId,
          roleArn,
          denied,
          denied
            ? `cannot assume ${roleArn}: access denied (check the role's trust policy${this.options.externalId ? ' and external id' : ''})`
            : `cannot assume ${roleArn}: ${why}`,
          { cause: error },
        );
      });
    this.assumed.set(accountId, pending);
    return pending;
  }

  private roleCredentials(accountId: string): Credentials {
    return async () => {
      let creds = await this.assume(accountId);
      if (creds.expiration.getTime() - Date.now() < REFRESH_MARGIN_MS) {
        this.assumed.delete(accountId);
        creds = await this.assume(accountId);
      }
      return creds;
    };
  }

  /** Clients for an account reached through AssumeRole, whether or not it is configured. */
  roleClients(accountId: string, region: string): AwsClients {
    return this.cached(`role|${accountId}|${region}`, () =>
      this.build(region, this.roleCredentials(accountId)),
    );
  }

  clientsFor(accountId: string, region: string): AwsClients {
    if (accountId === this.baseAccountId) return this.baseClients(region);
    if (this.roleAccounts.has(accountId)) return this.roleClients(accountId, region);
    throw new UnreachableAccountError(
      accountId,
      `account ${accountId} is not among the accounts cis-bot can assume a role in (add it to aws.accounts)`,
    );
  }

  /** Closes the sockets of every client (call when done, e.g. at the end of a CLI run or a test). */
  destroy(): void {
    for (const c of this.clients.values()) {
      c.cloudtrail.destroy();
      c.logs.destroy();
      c.cloudwatch.destroy();
      c.sns.destroy();
    }
    this.clients.clear();
    this.baseSts?.destroy();
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}

/** The region from the SDK's own chain (AWS_REGION, the profile's region), when nothing else gave one. */
export async function sdkDefaultRegion(): Promise<string | undefined> {
  const sts = new STSClient({});
  try {
    return await sts.config.region();
  } catch {
    return undefined;
  } finally {
    sts.destroy();
  }
}
