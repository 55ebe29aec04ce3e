/**
 * The CLI's composition root, as src/runtime.ts is the server's: what a `cis-bot` command runs with,
 * built from the configuration: the AWS session (the SDK's standard chain, or the in-process sandbox for
 * `--sandbox` and the demo), the store, the auditor, the remediation workflow (through
 * createCoreServices, as the server) and AWS's own pattern evaluator. adapters/cli imports src/core and
 * this module only; it never constructs a session, a store or the sandbox itself.
 *
 * Everything behind it is loaded on first use (a require() where a function needs it: these sources run
 * as CommonJS, and only types are imported at the top): `cis-bot --help`, `pattern` and `iam-policy`
 * never load zod, the AWS SDK, SQLite or the sandbox.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AwsConfirmation } from './aws/confirm-pattern';
import type { AwsSession, SdkClientConfig } from './aws/session';
import type { Config } from './config/schema';
import type { CoreApprovals } from './core/approval-kinds';
import type { Card } from './core/cards';
import { getControl } from './core/controls/registry';
import type { Control, MetricFilterControl } from './core/controls/types';
import { ConfigError } from './core/errors';
import type { AccountDirectory, AccountSource, DirectoryAccount } from './core/ports/account-directory';
import type { AuditProgress } from './core/ports/audit-progress';
import type { Auditor, AuditRequest, ControlsAuditOutcome } from './core/ports/auditor';
import type { Logger } from './core/ports/logger';
import type { ExceptionRecord, Store } from './core/ports/store';
import type { RemediationAssessor } from './core/remediation';
import type { HubTarget } from './core/report/asff';
import type { ToolInfo } from './core/report/results';
import type { ExportSummary } from './core/report/security-hub-export';
import type { ApprovalSettings } from './core/settings';
import type { CoreServices } from './runtime';

export type {
  AccountSource,
  AwsConfirmation,
  Config,
  CoreServices,
  DirectoryAccount,
  ExportSummary,
  HubTarget,
  SdkClientConfig,
  ToolInfo,
};

/** What the CLI's caller may set: the environment the configuration reads, SDK settings (tests). */
export interface CliSettings {
  /** Environment for the configuration; absent: the process's. The AWS SDK reads its own. */
  env?: NodeJS.ProcessEnv;
  /** SDK client settings (a fast retry strategy, an endpoint). */
  clientConfig?: SdkClientConfig;
  /** Where notices go (aws.accounts winning over aws.organization); absent: nowhere. */
  stderr?: (text: string) => void;
}

/** The configuration file (`--config`, else CIS_BOT_CONFIG, else ./cis-bot.yaml) and environment. */
export async function loadCliConfig(settings: CliSettings, path?: string): Promise<Config> {
  const { loadConfig } = require('./config/load') as typeof import('./config/load');
  return loadConfig({
    ...(path !== undefined ? { path } : {}),
    ...(settings.env ? { env: settings.env } : {}),
  });
}

/** Where a command's AWS calls go, and as whom. */
export interface AwsTargetOptions {
  /** A scenario YAML for the in-process sandbox, instead of AWS. */
  sandbox?: string;
  /** The region to start in; default aws.region, then the SDK's (AWS_REGION, the profile). */
  region?: string;
  /** The AWS profile of the shared config files (`--profile`); default AWS_PROFILE, then the SDK's chain. */
  profile?: string;
  roleArnTemplate: string;
  externalId?: string;
  /** The accounts the session may assume the role in (`audit`: the accounts it audits; none: the directory's). */
  accounts: readonly string[];
  /** `--organization`: the accounts come from AWS Organizations, whatever aws.accounts lists. */
  organization?: boolean;
}

interface AwsTarget {
  session: AwsSession;
  region: string;
  /** The accounts to audit: the options' (empty: the credentials' own account). */
  accounts: readonly string[];
  /** Account labels (sandbox scenarios only). */
  labels?: Record<string, string>;
  close(): Promise<void>;
}

async function openAwsTarget(
  config: Config,
  settings: CliSettings,
  opts: AwsTargetOptions,
): Promise<AwsTarget> {
  const sdk = { ...settings.clientConfig, ...(opts.profile !== undefined ? { profile: opts.profile } : {}) };
  const clientConfig = Object.keys(sdk).length > 0 ? { clientConfig: sdk } : {};
  if (opts.sandbox !== undefined) {
    const { startSandboxRun } = require('./sandbox-run') as typeof import('./sandbox-run');
    const run = await startSandboxRun(opts.sandbox, {
      ...(opts.region !== undefined ? { region: opts.region } : {}),
      roleArnTemplate: opts.roleArnTemplate,
      ...(opts.externalId !== undefined ? { externalId: opts.externalId } : {}),
      roleAccounts: opts.accounts,
      ...clientConfig,
    });
    // No accounts named (--accounts, aws.accounts) and none to discover (--organization,
    // aws.organization): the scenario's, as the demo audits them, from its first account (whose credentials
    // the session holds) through AssumeRole; a one-account scenario: that one.
    const discover = opts.organization === true || config.aws.organization?.enabled === true;
    const accounts = opts.accounts.length > 0 || discover ? opts.accounts : run.otherAccounts;
    run.session.allowAccounts(accounts);
    return {
      session: run.session,
      region: run.defaultRegion,
      accounts,
      labels: run.labels,
      close: () => run.close(),
    };
  }
  // A profile that does not exist is named now, before the SDK turns it into "no credentials".
  const { assertProfileExists } = require('./aws/profile') as typeof import('./aws/profile');
  const profileFromEnv = process.env.AWS_PROFILE || undefined;
  if (opts.profile !== undefined) await assertProfileExists(opts.profile, '--profile');
  else if (profileFromEnv !== undefined) await assertProfileExists(profileFromEnv, 'AWS_PROFILE');
  const { AwsSession, sdkDefaultRegion } = require('./aws/session') as typeof import('./aws/session');
  const region = opts.region ?? config.aws.region ?? (await sdkDefaultRegion(opts.profile));
  if (!region) {
    throw new ConfigError(
      'No AWS region: pass --region, set AWS_REGION (or a region in your AWS profile), or aws.region in cis-bot.yaml.',
    );
  }
  const session = new AwsSession({
    region,
    roleArnTemplate: opts.roleArnTemplate,
    roleSessionName: config.aws.role_session_name,
    roleAccounts: opts.accounts,
    ...(opts.externalId !== undefined ? { externalId: opts.externalId } : {}),
    ...clientConfig,
  });
  return { session, region, accounts: opts.accounts, close: async () => session.destroy() };
}

export interface CliAuditOptions extends AwsTargetOptions {
  /** The controls, in report order (one control: its report is printed in the one-control shape). */
  controls: readonly Control[];
  concurrency: number;
  /** Confirm metric-filter verdicts with logs:TestMetricFilter. */
  confirmPatterns: boolean;
  /** aws.account_timeout_seconds, in ms. */
  accountTimeoutMs?: number;
  /** Told as accounts complete (the progress bar on a terminal). */
  progress?: AuditProgress;
  /**
   * After the audit, with the same credentials: `target` finds the Security Hub findings are for (the
   * account cis-bot runs as, in the audit region: `--output asff`); `export` also sends them there.
   */
  securityHub?: 'target' | 'export';
}

/** An audit (a row of verdicts per account) and, when asked, the Security Hub it is for and what its export did. */
export interface CliAuditRun extends ControlsAuditOutcome {
  hub?: HubTarget;
  exported?: ExportSummary;
}

/** Runs `work` with the command's AWS target (session, region, labels), and releases it after. */
async function withAwsTarget<T>(
  config: Config,
  settings: CliSettings,
  opts: AwsTargetOptions,
  work: (target: AwsTarget) => Promise<T>,
): Promise<T> {
  const target = await openAwsTarget(config, settings, opts);
  try {
    return await work(target);
  } finally {
    await target.close();
  }
}

/** `cis-bot audit`: audits the accounts (none given: the directory's) and releases the session. */
export function runCliAudit(
  config: Config,
  settings: CliSettings,
  opts: CliAuditOptions,
): Promise<CliAuditRun> {
  return withAwsTarget(config, settings, opts, async (target) => {
    const { runControlsAudit } = require('./aws/auditor') as typeof import('./aws/auditor');
    const { auditWorkerCount } = require('./aws/audit-workers') as typeof import('./aws/audit-workers');
    const { labelsOf } = require('./core/accounts') as typeof import('./core/accounts');
    // target.accounts: the options' accounts (for --sandbox without any: the scenario's).
    const named = target.accounts;
    const listed = named.length > 0 ? [] : await accountDirectory(config, settings, target, opts).list();
    const { applyToControlsReport, deviationsOf } =
      require('./core/exceptions/apply') as typeof import('./core/exceptions/apply');
    const at = new Date();
    const exceptions = await storedExceptions(config, at);
    const { report } = await runControlsAudit({
      controls: opts.controls,
      session: target.session,
      region: target.region,
      accounts: named.length > 0 ? named : listed.map((a) => a.accountId),
      labels: { ...target.labels, ...labelsOf(listed) },
      concurrency: opts.concurrency,
      // A large audit spreads its accounts over worker threads (dist/audit-worker.js beside the bundle).
      workers: auditWorkerCount(config.aws.audit_workers),
      confirmPatterns: opts.confirmPatterns,
      deviations: deviationsOf(exceptions, at),
      ...(opts.accountTimeoutMs !== undefined ? { accountTimeoutMs: opts.accountTimeoutMs } : {}),
      ...(opts.progress ? { progress: opts.progress } : {}),
    });
    const outcome = { report: applyToControlsReport(report, exceptions, at) };
    if (opts.securityHub === undefined) return outcome;
    return { ...outcome, ...(await securityHubStep(target, outcome, opts.securityHub)) };
  });
}
/**
 * The accepted exceptions of the configured store that matter to an audit at `at` (named deviations go
 * into the audit, the others are applied to its findings). An audit never creates a database: with no
 * SQLite file yet there are none.
 */
async function storedExceptions(config: Config, at: Date): Promise<ExceptionRecord[]> {
  if (config.store.kind === 'sqlite' && !existsSync(config.store.path)) return [];
  const { relevantExceptions } =
    require('./core/exceptions/apply') as typeof import('./core/exceptions/apply');
  const store = await openCliStore(config);
  try {
    return await relevantExceptions(store, at);
  } finally {
    await store.close();
  }
}

/** The Security Hub of the run's own credentials: who it is (`target`), or the export of the findings. */
async function securityHubStep(
  target: AwsTarget,
  outcome: ControlsAuditOutcome,
  step: 'target' | 'export',
): Promise<Pick<CliAuditRun, 'hub' | 'exported'>> {
  const { createSecurityHubAdapter, createFindingsExport } =
    require('./aws/security-hub') as typeof import('./aws/security-hub');
  const { reportsPerControl } =
    require('./core/evaluate/controls-report') as typeof import('./core/evaluate/controls-report');
  if (step === 'export') {
    const reports = reportsPerControl(outcome.report);
    const exported = await createFindingsExport(target.session, target.region, cliTool())(reports);
    return { ...(exported.hub ? { hub: exported.hub } : {}), exported };
  }
  const port = createSecurityHubAdapter(target.session, target.region);
  try {
    return { hub: await port.target() };
  } finally {
    port.destroy();
  }
}

/** cis-bot's name and version, as the reports name their tool. */
export function cliTool(): ToolInfo {
  const { toolInfo } = require('./tool-info') as typeof import('./tool-info');
  return toolInfo();
}

/** The notices of a CLI run (warnings only) as `cis-bot: ...` lines on stderr. */
function noticeLogger(settings: CliSettings): Logger {
  const ignore = () => undefined;
  return {
    debug: ignore,
    info: ignore,
    warn: (msg) => settings.stderr?.(`cis-bot: ${msg}\n`),
    error: ignore,
  };
}

/** The accounts a command covers when it names none: aws.accounts, else discovery (--organization: discovery). */
function accountDirectory(
  config: Config,
  settings: CliSettings,
  target: AwsTarget,
  opts: Pick<AwsTargetOptions, 'organization'>,
): AccountDirectory {
  const { accountDirectoryFor } =
    require('./aws/account-directory') as typeof import('./aws/account-directory');
  const aws = opts.organization
    ? { ...config.aws, accounts: [], organization: { ...config.aws.organization, enabled: true } }
    : config.aws;
  return accountDirectoryFor(aws, target.session, {
    ...(target.labels ? { labels: target.labels } : {}),
    log: noticeLogger(settings),
  });
}

export interface CliAccounts {
  source: AccountSource;
  accounts: readonly DirectoryAccount[];
}

/** `cis-bot accounts`: the accounts cis-bot audits (with no list: the account of its own credentials). */
export function listCliAccounts(
  config: Config,
  settings: CliSettings,
  opts: AwsTargetOptions,
): Promise<CliAccounts> {
  return withAwsTarget(config, settings, opts, async (target) => {
    const directory = accountDirectory(config, settings, target, opts);
    if (directory.source !== 'own') return { source: directory.source, accounts: await directory.list() };
    const { accountId } = await target.session.callerIdentity().catch((error: unknown) => {
      const { isMissingCredentials } = require('./aws/errors') as typeof import('./aws/errors');
      const { MissingCredentialsError } = require('./aws/auditor') as typeof import('./aws/auditor');
      throw isMissingCredentials(error) ? new MissingCredentialsError(error) : error;
    });
    const label = target.labels?.[accountId];
    return { source: 'own', accounts: [{ accountId, ...(label !== undefined ? { label } : {}) }] };
  });
}

/** The open approval workflow and what it holds (session, store); close() releases them. */
export interface CliRemediation {
  approvals: CoreApprovals;
  /** Audits and plans without asking for approval (`--output terraform`). */
  assessor: RemediationAssessor;
  /** The store the approvals are in (to find the approval a plan hash names). */
  store: Store;
  /** Who may approve (and revoke exceptions), per platform. */
  settings: ApprovalSettings;
  close(): Promise<void>;
}

/**
 * `cis-bot remediate`: the server's approval workflow (createCoreServices) over the resolved session
 * and the configured store, auditing the caller's own account with its own credentials.
 */
export async function openCliRemediation(
  config: Config,
  settings: CliSettings,
  opts: AwsTargetOptions,
): Promise<CliRemediation> {
  const closers: Array<() => Promise<void> | void> = [];
  const close = async () => {
    for (const c of closers.splice(0).reverse()) await c();
  };
  try {
    const target = await openAwsTarget(config, settings, opts);
    closers.push(target.close);
    const store = await openCliStore(config, settings);
    closers.push(() => store.close());
    const { createCoreServices } = require('./runtime') as typeof import('./runtime');
    const {
      approvals,
      assessor,
      settings: core,
    } = createCoreServices({
      // The named accounts, else the target's (for --sandbox without any: the scenario's).
      config: {
        ...config,
        aws: { ...config.aws, accounts: [...(opts.accounts.length > 0 ? opts.accounts : target.accounts)] },
      },
      session: target.session,
      region: target.region,
      store,
      auditor: sessionAuditor(target, config.aws.concurrency),
    });
    return { approvals, assessor, store, settings: core.approvals, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** An Auditor over one session; the caller's own account is audited with its credentials (no AssumeRole into itself). */
function sessionAuditor(target: AwsTarget, concurrency: number): Auditor {
  const { runAudit, runControlsAudit } = require('./aws/auditor') as typeof import('./aws/auditor');
  const { selectControls } = require('./core/controls/registry') as typeof import('./core/controls/registry');
  const { session, region, labels } = target;
  const scope = async (request: Omit<AuditRequest, 'control'>) => {
    let accounts = [...(request.accounts ?? [])];
    if (accounts.length === 1) {
      const me = await session.callerIdentity().catch(() => undefined);
      if (me && me.accountId === accounts[0]) accounts = [];
    }
    return {
      session,
      region: request.region ?? region,
      accounts,
      concurrency,
      ...(labels ? { labels } : {}),
      ...(request.deviations ? { deviations: request.deviations } : {}),
    };
  };
  return {
    async audit(request) {
      return runAudit({ control: getControl(request.control), ...(await scope(request)) });
    },
    async auditControls(request) {
      const controls = selectControls(request.controls);
      const { report } = await runControlsAudit({ controls, ...(await scope(request)) });
      return { report };
    },
  };
}

/** `cis-bot history` and `remediate`: the configured store (SQLite file, or PostgreSQL database). */
export async function openCliStore(config: Config, settings: CliSettings = {}): Promise<Store> {
  const { openConfiguredStore } = require('./store') as typeof import('./store');
  const created = config.store.kind === 'sqlite' && !existsSync(config.store.path);
  const store = await openConfiguredStore(config.store);
  // A database file appearing in the working folder unannounced is a surprise: say where it is, once.
  if (created && config.store.kind === 'sqlite') {
    settings.stderr?.(
      `cis-bot: created the database ${resolve(config.store.path)} (approvals and the audit log); ` +
        'set CIS_BOT_DB or store.path in cis-bot.yaml to keep it elsewhere.\n',
    );
  }
  return store;
}

async function openStoreAt(path: string): Promise<Store> {
  const { openStore } = require('./store') as typeof import('./store');
  return openStore(path);
}

/** A new folder for the demo's database under the system's temporary folder, or a clear ConfigError. */
function demoFolder(): string {
  const parent = tmpdir();
  try {
    return mkdtempSync(join(parent, 'cis-bot-demo-'));
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? String(cause);
    throw new ConfigError(
      `The demo keeps its embedded database in a new temporary folder, and none can be made in ${parent} (${code}). ` +
        'Point TMPDIR at a writable folder; in a container with a read-only root, mount one: docker run --read-only --tmpfs /tmp ...',
      { cause },
    );
  }
}

/** The demo's world: the bundled sandbox, an embedded database, the core services over both. */
export interface CliDemo {
  services: CoreServices;
  /** The sandbox's loopback endpoint. */
  endpoint: string;
  /** The scenario's security account, whose credentials the session holds. */
  callerAccount: string;
  /** The member accounts the demo audits through AssumeRole. */
  memberAccounts: string[];
  dbPath: string;
  /** The events queue of the demo's drift-alert step (EventBridge routes every chain change to it). */
  eventsQueueUrl: string;
  /** An account's own access key in the sandbox, to act as someone working in it. */
  credentialsFor(accountId: string): { accessKeyId: string; secretAccessKey: string };
  /** The drift-alert step: someone deletes the account's alarms, the alert is posted through `post`. */
  driftStep(
    control: string,
    accountId: string,
    post: (cards: readonly Card[]) => void,
  ): Promise<{ deleted: string[]; alerts: number }>;
  close(): Promise<void>;
}

/**
 * `cis-bot demo`: the bundled sandbox scenario (no AWS credentials), an embedded SQLite database in a
 * new temporary folder, and the server's core services over them, with `operator` as the only CLI
 * approver. An SQS subscriber is confirmed at once, so a fixed account is compliant right away.
 */
export async function openDemo(settings: CliSettings, operator: string): Promise<CliDemo> {
  // First, so that a read-only system fails before anything is started.
  const dbPath = join(demoFolder(), 'cis-bot.db');
  const { bundledScenario, startSandboxRun, withEventsQueue } =
    require('./sandbox-run') as typeof import('./sandbox-run');
  const events = withEventsQueue(bundledScenario('audit-demo'), 'cis-bot-events');
  const run = await startSandboxRun(events.scenario, {
    ...(settings.clientConfig ? { clientConfig: settings.clientConfig } : {}),
  });
  try {
    const store = await openStoreAt(dbPath);
    const { loadConfig } = require('./config/load') as typeof import('./config/load');
    const { createCoreServices } = require('./runtime') as typeof import('./runtime');
    const config = loadConfig({
      document: {
        aws: { accounts: run.otherAccounts, region: run.defaultRegion, concurrency: 8 },
        approvals: { cli: { users: [operator] } },
        remediation: {
          subscription: {
            protocol: 'sqs',
            endpoint: `arn:aws:sqs:${run.defaultRegion}:${run.callerAccount}:cis-alarms`,
          },
        },
      },
      env: {},
    });
    const services = createCoreServices({ config, session: run.session, labels: run.labels, store });
    const demo: CliDemo = {
      services,
      endpoint: run.sandbox.endpoint,
      callerAccount: run.callerAccount,
      memberAccounts: run.otherAccounts,
      dbPath,
      eventsQueueUrl: `${run.sandbox.endpoint}/${events.account}/cis-bot-events`,
      credentialsFor: (accountId) => run.sandbox.credentialsFor(accountId),
      driftStep(control, accountId, post) {
        const { demoDriftStep } = require('./demo-drift') as typeof import('./demo-drift');
        return demoDriftStep(demo, control, accountId, post);
      },
      async close() {
        await store.close();
        await run.close();
      },
    };
    return demo;
  } catch (error) {
    await run.close();
    throw error;
  }
}

export interface PatternConfirmOptions {
  candidate: string;
  reference: string;
  /** The control's benign events (control references only), tested too. */
  benignEvents?: MetricFilterControl['benignEvents'];
  clientConfig?: SdkClientConfig;
}

/**
 * `pattern compare --confirm-with-aws`: AWS's own evaluator (logs:TestMetricFilter, the SDK's standard
 * credentials and region) on the events the verdict rests on.
 */
export async function confirmPatternWithAws(opts: PatternConfirmOptions): Promise<AwsConfirmation> {
  const { CloudWatchLogsClient } =
    require('@aws-sdk/client-cloudwatch-logs') as typeof import('@aws-sdk/client-cloudwatch-logs');
  const { confirmPattern } = require('./aws/confirm-pattern') as typeof import('./aws/confirm-pattern');
  const logs = new CloudWatchLogsClient({ ...(opts.clientConfig ?? {}) });
  try {
    const { confirmation } = await confirmPattern({
      pattern: opts.candidate,
      control: {
        pattern: opts.reference,
        ...(opts.benignEvents !== undefined ? { benignEvents: opts.benignEvents } : {}),
      },
      logs,
    });
    return confirmation;
  } finally {
    logs.destroy();
  }
}
