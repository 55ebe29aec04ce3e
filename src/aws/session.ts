/**
 * The AWS session of one cis-bot process: makes SDK v3 clients per (account, region), signed with the
 * base credentials (the SDK's default chain unless given) or with AssumeRole credentials for the
 * configured accounts. Everything is injected and cached here, never in module singletons; one shared
 * keep-alive agent serves every client so 200 accounts do not open 800 connection pools.
 * Endpoints and regions follow the SDK's standard resolution (AWS_ENDPOINT_URL, AWS_PROFILE...) unless
 * `clientConfig.endpoint` overrides them (the sandbox, tests).
 *
 * Clients are cheap to make (an organization-wide audit makes ~5 per account): the settings the SDK
 * would otherwise look up for every new client (dual-stack, FIPS, defaults mode, app id,
 * auth scheme preference: each a walk through the environment and the shared config files, the misses
 * thrown as errors) are looked up ONCE per session, by the session's STS client with the session's
 * profile, and handed to every client as those same resolved providers; and every client sends through
 * ONE request handler (shared-sdk-config.ts), whose destroy() on a client does not close the session's sockets.
 *
 * When AWS refuses the credentials themselves (credentials-guard.ts), a role's cached session is dropped
 * and the role assumed again, once per call; what is still refused becomes a CredentialsRefusedError
 * naming the identity, never an "access denied".
 *
 * A client is made on its first use (KMS and Security Hub are loaded only then), and an organization-wide
 * audit releases each account's clients and role session once the account is done (`release`), so the
 * session does not grow with the number of accounts audited.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { CloudTrailClient, type CloudTrailClientConfig } from '@aws-sdk/client-cloudtrail';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DEFAULT_ROLE_ARN_TEMPLATE, roleArnFor } from '../core/inputs';
import type { Logger } from '../core/ports/logger';
import { type Metrics, NO_METRICS } from '../core/ports/metrics';
import { AuditRetryStrategy } from './audit-retry';
import { measureCalls } from './call-metrics';
import { type CredentialsGuard, guardClient } from './credentials-guard';
import {
  AssumeRoleError,
  CredentialsRefusedError,
  isAccessDenied,
  isCredentialsRefused,
  isMissingCredentials,
  safeErrorSummary,
  UnreachableAccountError,
} from './errors';
import { type SharedSdkConfig, sharedSdkConfig } from './shared-sdk-config';

export interface AwsClients {
  readonly cloudtrail: CloudTrailClient;
  readonly logs: CloudWatchLogsClient;
  readonly cloudwatch: CloudWatchClient;
  readonly sns: SNSClient;
  /** The key of an encrypted topic (DescribeKey, GetKeyPolicy). */
  readonly kms: KMSClient;
  /** CIS 4.16 (DescribeHub, GetEnabledStandards). */
  readonly securityhub: SecurityHubClient;
  /** The fire drill's probe queue (CreateQueue, ReceiveMessage, DeleteQueue). */
  readonly sqs: SQSClient;
}

/** Any SDK v3 client, as far as the session handles it. */
type SdkClient = Parameters<typeof guardClient>[0] & { destroy(): void };

/**
 * The clients of one (credentials, region), each made on first use and guarded. `made` lists those that
 * exist, so destroying them never builds one.
 */
class LazyClients implements AwsClients {
  readonly made: SdkClient[] = [];
  private readonly cache = new Map<string, SdkClient>();

  constructor(
    private readonly config: Record<string, unknown>,
    private readonly guard: CredentialsGuard,
    /** Adds the call metrics to a new client. */
    private readonly measure: <C extends SdkClient>(client: C) => C,
  ) {}

  private get<C extends SdkClient>(name: string, make: (config: never) => C): C {
    let client = this.cache.get(name) as C | undefined;
    if (!client) {
      // Each client its own retry state: it is one account's, region's and service's (audit-retry.ts).
      const config = { ...this.config, ...ownRetryStrategy(this.config) };
      client = this.measure(guardClient(make(config as never), this.guard));
      this.cache.set(name, client);
      this.made.push(client);
    }
    return client;
  }

  get cloudtrail(): CloudTrailClient {
    return this.get('cloudtrail', (c) => new CloudTrailClient(c));
  }
  get logs(): CloudWatchLogsClient {
    return this.get('logs', (c) => new CloudWatchLogsClient(c));
  }
  get cloudwatch(): CloudWatchClient {
    return this.get('cloudwatch', (c) => new CloudWatchClient(c));
  }
  get sns(): SNSClient {
    return this.get('sns', (c) => new SNSClient(c));
  }
  get kms(): KMSClient {
    // Loaded on first use: only audits that meet an encrypted topic need it.
    const { KMSClient: Client } = require('@aws-sdk/client-kms') as typeof import('@aws-sdk/client-kms');
    return this.get('kms', (c) => new Client(c));
  }
  get securityhub(): SecurityHubClient {
    const { SecurityHubClient: Client } =
      require('@aws-sdk/client-securityhub') as typeof import('@aws-sdk/client-securityhub');
    return this.get('securityhub', (c) => new Client(c));
  }
  get sqs(): SQSClient {
    // Loaded on first use: only fire drills need it.
    const { SQSClient: Client } = require('@aws-sdk/client-sqs') as typeof import('@aws-sdk/client-sqs');
    return this.get('sqs', (c) => new Client(c));
  }
}

/**
 * A new AuditRetryStrategy for one client, unless the caller chose the retries itself (a strategy or a
 * retry mode); its attempts are the configured maxAttempts.
 */
function ownRetryStrategy(config: { maxAttempts?: unknown; retryStrategy?: unknown; retryMode?: unknown }): {
  retryStrategy?: AuditRetryStrategy;
} {
  if (config.retryStrategy !== undefined || config.retryMode !== undefined) return {};
  const attempts = typeof config.maxAttempts === 'number' ? config.maxAttempts : AUDIT_MAX_ATTEMPTS;
  return { retryStrategy: new AuditRetryStrategy(attempts) };
}

/** What a caller may set on every SDK client (the sandbox endpoint, a fast retry strategy in tests...). */
export type SdkClientConfig = Pick<
  CloudTrailClientConfig,
  'endpoint' | 'maxAttempts' | 'retryStrategy' | 'retryMode' | 'requestHandler' | 'logger' | 'profile'
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
  /** Client sets (one per credentials, account and region) kept for reuse (default 64, the most accounts audited at once). */
  maxClientSets?: number;
  /** Where refused credentials are reported (a role's session dropped and assumed again). */
  logger?: Logger;
  /** Where every client's calls are counted and timed (`metrics.enabled`); default: nowhere. */
  metrics?: Metrics;
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

/**
 * Attempts per audit call (first try included) unless the caller sets its own. With 3 attempts a fifth
 * of the calls throttled turned ~8% of 1,000 compliant accounts into ERROR (bench/section-scale.ts); with
 * 8 a call fails only after 8 throttles in a row. The back-off between them is audit-retry.ts's (one
 * strategy per client, i.e. per account, service and region; the SDK's AWS_RETRY_MODE / retry_mode do
 * not apply to the session's clients unless the code passes `retryMode`).
 */
export const AUDIT_MAX_ATTEMPTS = 8;

/**
 * A session as plain data, for a worker thread to make its own equal session (audit-workers.ts): the
 * same region, roles, external id, accounts and plain client settings, and the base credentials when
 * they were given as keys (otherwise the worker's SDK resolves the same default chain from the same
 * environment, files and instance role). Holds secrets when the credentials are keys: only ever posted
 * to a worker, never logged.
 */
export interface SessionDescription {
  region: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  roleArnTemplate?: string;
  externalId?: string;
  roleSessionName?: string;
  roleAccounts: string[];
  clientConfig: { endpoint?: string; maxAttempts?: number; retryMode?: string; profile?: string };
  maxSockets?: number;
  maxClientSets?: number;
}

/** The session's plain description and where its workers' logs and call metrics go. */
export interface DescribedSession {
  description: SessionDescription;
  logger?: Logger;
  metrics?: Metrics;
}

export class AwsSession implements ClientFactory {
  readonly region: string;
  private readonly options: SessionOptions;
  private readonly clientConfig: SdkClientConfig;
  private readonly clients = new Map<string, LazyClients>();
  private readonly maxClientSets: number;
  private readonly assumed = new Map<string, Promise<CachedCredentials>>();
  private readonly roleAccounts: Set<string>;
  private baseSts?: STSClient;
  private identity?: Promise<CallerIdentity>;
  private baseAccountId?: string;
  private knownArn?: string;
  private readonly agents: { http: HttpAgent; https: HttpsAgent };
  private shared?: SharedSdkConfig;

  constructor(options: SessionOptions) {
    this.options = options;
    this.region = options.region;
    this.roleAccounts = new Set(options.roleAccounts ?? []);
    this.maxClientSets = options.maxClientSets ?? 64;
    const maxSockets = options.maxSockets ?? 256;
    this.agents = {
      http: new HttpAgent({ keepAlive: true, maxSockets }),
      https: new HttpsAgent({ keepAlive: true, maxSockets }),
    };
    this.clientConfig = { maxAttempts: AUDIT_MAX_ATTEMPTS, ...options.clientConfig };
  }

  /** What every client but the STS client gets from the STS client: see shared-sdk-config.ts. */
  private sharedConfig(): SharedSdkConfig {
    this.shared ??= sharedSdkConfig(this.sts().config);
    return this.shared;
  }

  private config(region: string, credentials: Credentials | undefined) {
    return {
      region,
      ...this.sharedConfig(),
      ...this.clientConfig,
      ...(credentials !== undefined ? { credentials } : {}),
    };
  }

  private build(
    region: string,
    credentials: Credentials | undefined,
    guard: CredentialsGuard,
    accountId?: string,
  ): LazyClients {
    return new LazyClients(this.config(region, credentials), guard, (client) =>
      this.measure(client, accountId),
    );
  }

  /**
   * Counts and times `client`'s calls into the session's metrics (a no-op when metrics are off), for the
   * clients made here and those made from `baseClientConfig` (Security Hub's export, Organizations).
   */
  measure<C extends { middlewareStack: object }>(client: C, accountId?: string): C {
    const metrics = this.options.metrics ?? NO_METRICS;
    return metrics === NO_METRICS ? client : measureCalls(client, metrics, accountId);
  }

  /** cis-bot's own credentials (never re-fetched here: the SDK's chain owns them), named by their ARN once known. */
  private readonly baseGuard: CredentialsGuard = {
    refused: (awsCode, cause) => {
      const arn = this.knownArn;
      return new CredentialsRefusedError(
        `cis-bot's own AWS credentials${arn ? ` (${arn})` : ''}`,
        awsCode,
        'Renew or replace them where cis-bot gets them (AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, an SSO login, the instance or task role), then try again.',
        { cause },
      );
    },
  };

  /**
   * An assumed role's session: on a refusal, drop the cached session (only if it is still the one the
   * call used, so concurrent refusals share one new AssumeRole) and retry the call once with a new one.
   */
  private roleGuard(accountId: string): CredentialsGuard {
    return {
      before: () => this.assumption(accountId),
      retryOnce: (used, awsCode) => {
        if (this.assumed.get(accountId) !== used) return;
        this.assumed.delete(accountId);
        this.options.logger?.warn(
          'AWS refused an assumed-role session: dropped it, assuming the role again',
          {
            accountId,
            roleArn: this.roleArn(accountId),
            code: awsCode,
          },
        );
      },
      refused: (awsCode, cause) =>
        new CredentialsRefusedError(
          `the session cis-bot assumed in role ${this.roleArn(accountId)}`,
          awsCode,
          "cis-bot dropped it and assumed the role again, and AWS refused the new session too: check cis-bot's own credentials, the host's clock, and whether the role's sessions are being revoked, then try again.",
          { cause },
        ),
    };
  }

  /**
   * The clients of one (credentials, account, region), kept for the accounts in use only: the least
   * recently used set is dropped past `maxClientSets`, so an audit of hundreds of accounts does not keep
   * four SDK clients (their middleware stacks and resolved configuration) per account for the life of the
   * process. A dropped set is not destroyed: its sockets belong to the shared agents, and a call still
   * running on it finishes; the next call for that account builds a new set.
   */
  private cached(key: string, make: () => LazyClients): LazyClients {
    let c = this.clients.get(key);
    if (c) {
      this.clients.delete(key);
    } else {
      c = make();
    }
    this.clients.set(key, c);
    for (const oldest of this.clients.keys()) {
      if (this.clients.size <= this.maxClientSets) break;
      this.clients.delete(oldest);
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

  /**
   * Settings for an SDK client the session does not make itself (Security Hub, AWS Organizations): cis-bot's
   * own credentials, and the session's sockets, endpoint and retry settings.
   */
  baseClientConfig(region: string = this.region) {
    return this.config(region, this.baseCredentials());
  }

  /** Clients signed with the base credentials. */
  baseClients(region: string): AwsClients {
    return this.cached(`base|${region}`, () => this.build(region, this.baseCredentials(), this.baseGuard));
  }

  /**
   * The session's STS client, made first: its request handler (the one over the session's agents) and
   * its resolved settings are what every other client of the session shares.
   */
  private sts(): STSClient {
    const credentials = this.options.credentials;
    this.baseSts ??= this.measure(
      guardClient(
        new STSClient({
          region: this.region,
          requestHandler: { httpAgent: this.agents.http, httpsAgent: this.agents.https },
          ...this.clientConfig,
          // Every AssumeRole of the session is cis-bot's own account's STS call: one scope, one back-off.
          ...ownRetryStrategy(this.clientConfig),
          ...(credentials !== undefined ? { credentials } : {}),
        }),
        this.baseGuard,
      ),
    );
    return this.baseSts;
  }

  /** GetCallerIdentity of the base credentials (memoised). */
  callerIdentity(): Promise<CallerIdentity> {
    this.identity ??= this.sts()
      .send(new GetCallerIdentityCommand({}))
      .then((out) => {
        const id = { accountId: out.Account ?? '', arn: out.Arn ?? '' };
        this.baseAccountId = id.accountId;
        if (id.arn) this.knownArn = id.arn;
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
    return this.assumption(accountId);
  }

  /** The cached AssumeRole of `accountId`, started if there is none (the promise is the cache entry). */
  private assumption(accountId: string): Promise<CachedCredentials> {
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
            'failed',
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
        if (this.assumed.get(accountId) === pending) this.assumed.delete(accountId);
        if (error instanceof AssumeRoleError || isMissingCredentials(error)) throw error;
        // The raw STS/SDK message stays out of the error (it reaches chat): the role and the AWS code only.
        if (isCredentialsRefused(error)) {
          const why = error instanceof CredentialsRefusedError ? error.message : safeErrorSummary(error);
          throw new AssumeRoleError(accountId, roleArn, 'credentials', `cannot assume ${roleArn}: ${why}`, {
            cause: error,
          });
        }
        const denied = isAccessDenied(error);
        throw new AssumeRoleError(
          accountId,
          roleArn,
          denied ? 'access-denied' : 'failed',
          denied
            ? `cannot assume ${roleArn}: access denied (check the role's trust policy${this.options.externalId ? ' and external id' : ''})`
            : `cannot assume ${roleArn}: ${safeErrorSummary(error)}`,
          { cause: error },
        );
      });
    this.assumed.set(accountId, pending);
    return pending;
  }

  /**
   * The provider of a role's clients. Marked `memoized` (the SDK's public AwsSdkSigV4Memoized flag) so the
   * SDK asks it on every call instead of keeping its own copy until expiry: this session's cache is the
   * only one, and dropping a refused session there takes effect on the next call.
   */
  private roleCredentials(accountId: string): Credentials {
    const provider = async () => {
      let creds = await this.assumption(accountId);
      if (creds.expiration.getTime() - Date.now() < REFRESH_MARGIN_MS) {
        this.assumed.delete(accountId);
        creds = await this.assumption(accountId);
      }
      return creds;
    };
    return Object.assign(provider, { memoized: true });
  }

  /** Clients for an account reached through AssumeRole, whether or not it is configured. */
  roleClients(accountId: string, region: string): AwsClients {
    return this.cached(`role|${accountId}|${region}`, () =>
      this.build(region, this.roleCredentials(accountId), this.roleGuard(accountId), accountId),
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

  /**
   * Forgets and destroys an audited account's role clients and forgets its role session (the next use
   * makes new ones), so an audit of thousands of accounts holds only the accounts in flight. Destroying
   * them leaves the session's sockets open: their request handler is the session's, which only the
   * session closes (shared-sdk-config.ts).
   */
  release(accountId: string): void {
    for (const [key, set] of [...this.clients]) {
      if (!key.startsWith(`role|${accountId}|`)) continue;
      this.clients.delete(key);
      for (const client of set.made) client.destroy();
    }
    this.assumed.delete(accountId);
  }

  /**
   * This session as plain data (SessionDescription), or undefined when a worker could not make an equal
   * one: credentials given as a provider function, or client settings that are objects (a retry
   * strategy, a request handler, a logger, an endpoint that is not a URL string).
   */
  describe(): DescribedSession | undefined {
    const o = this.options;
    const creds = o.credentials as {
      accessKeyId?: unknown;
      secretAccessKey?: unknown;
      sessionToken?: unknown;
    };
    if (creds !== undefined && (typeof creds !== 'object' || typeof creds.accessKeyId !== 'string')) return;
    const { endpoint, maxAttempts, retryMode, profile, ...others } = o.clientConfig ?? {};
    if (Object.values(others).some((v) => v !== undefined)) return;
    if (endpoint !== undefined && typeof endpoint !== 'string') return;
    if (retryMode !== undefined && typeof retryMode !== 'string') return;
    if (maxAttempts !== undefined && typeof maxAttempts !== 'number') return;
    const description: SessionDescription = {
      region: this.region,
      roleAccounts: [...this.roleAccounts],
      clientConfig: {
        ...(endpoint !== undefined ? { endpoint } : {}),
        ...(maxAttempts !== undefined ? { maxAttempts } : {}),
        ...(retryMode !== undefined ? { retryMode } : {}),
        ...(profile !== undefined ? { profile } : {}),
      },
      ...(creds !== undefined
        ? {
            credentials: {
              accessKeyId: creds.accessKeyId as string,
              secretAccessKey: String(creds.secretAccessKey),
              ...(typeof creds.sessionToken === 'string' ? { sessionToken: creds.sessionToken } : {}),
            },
          }
        : {}),
      ...(o.roleArnTemplate !== undefined ? { roleArnTemplate: o.roleArnTemplate } : {}),
      ...(o.externalId !== undefined ? { externalId: o.externalId } : {}),
      ...(o.roleSessionName !== undefined ? { roleSessionName: o.roleSessionName } : {}),
      ...(o.maxSockets !== undefined ? { maxSockets: o.maxSockets } : {}),
      ...(o.maxClientSets !== undefined ? { maxClientSets: o.maxClientSets } : {}),
    };
    return {
      description,
      ...(o.logger ? { logger: o.logger } : {}),
      ...(o.metrics && o.metrics !== NO_METRICS ? { metrics: o.metrics } : {}),
    };
  }

  /** Closes the sockets of every client (call when done, e.g. at the end of a CLI run or a test). */
  destroy(): void {
    for (const c of this.clients.values()) for (const client of c.made) client.destroy();
    this.clients.clear();
    // The STS client's handler is the real one: destroying it closes the session's agents.
    this.baseSts?.destroy();
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}

/** The region from the SDK's own chain (AWS_REGION, the profile's region), when nothing else gave one. */
export async function sdkDefaultRegion(profile?: string): Promise<string | undefined> {
  const sts = new STSClient(profile !== undefined ? { profile } : {});
  try {
    return await sts.config.region();
  } catch {
    return undefined;
  } finally {
    sts.destroy();
  }
}
