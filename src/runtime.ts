/**
 * Builds the platform-neutral services every entry point shares (the bot server, the CLI, tests and
 * benchmarks): the store, the auditor over an AWS session, the remediation assessor, the one approval
 * workflow with its kinds registered, and the chat core. Composition only: no behaviour lives here.
 */
import { accountDirectoryFor } from './aws/account-directory';
import { createAwsAuditor } from './aws/auditor';
import { createAwsDrillRuntime } from './aws/drill-runtime';
import { createAwsRemediationRuntime } from './aws/executor';
import { createFindingsExport } from './aws/security-hub';
import type { AwsSession } from './aws/session';
import { coreSettings } from './config/core-settings';
import type { Config } from './config/schema';
import { requireKnownAccounts } from './core/accounts/require-known';
import type { CoreApprovals } from './core/approval-kinds';
import { ApprovalWorkflow } from './core/approvals';
import { ChatService } from './core/chat/chat-service';
import { createDrillKind, DEFAULT_DRILL_WAIT_SECONDS } from './core/drill/drill-kind';
import { withExceptions } from './core/exceptions/apply';
import { createExceptionKind } from './core/exceptions/exception-kind';
import type { AccountDirectory } from './core/ports/account-directory';
import type { Auditor } from './core/ports/auditor';
import type { Logger } from './core/ports/logger';
import { type Metrics, NO_METRICS } from './core/ports/metrics';
import type { FindingsExport } from './core/ports/security-hub';
import type { Store } from './core/ports/store';
import { createRemediationKind, RemediationAssessor } from './core/remediation';
import type { CoreSettings } from './core/settings';
import { measuredStore } from './metrics/measured-store';
import { toolInfo } from './tool-info';

export interface CoreServicesOptions {
  config: Config;
  /** The AWS session (base credentials, role template, endpoint); the sandbox's in the demo and tests. */
  session: AwsSession;
  /** The region audits start in; default config.aws.region. */
  region?: string;
  labels?: Readonly<Record<string, string>>;
  /** The accounts; default: chosen from the configuration (aws.accounts, else aws.organization discovery). */
  accounts?: AccountDirectory;
  /** Where the account directory logs (discovery, and aws.accounts winning over aws.organization). */
  accountsLog?: Logger;
  /** An auditor other than the session's default one (the CLI audits its own account without AssumeRole). */
  auditor?: Auditor;
  /** The open store (`openConfiguredStore(config.store)` opens the configured one). */
  store: Store;
  now?: () => Date;
  /** This process as the owner of the executions it runs (default: a random id). */
  owner?: string;
  onError?: (error: unknown, context: string) => void;
  /**
   * Where the services record their metrics (`createMetrics(config.metrics)`; the same one the AwsSession
   * was given); default none. The store is measured through it, the approvals and remediations record to it.
   */
  metrics?: Metrics;
  /** Between two reads of the alarm history in a fire drill (default 2 s; tests make it short). */
  drillPollMs?: number;
}

export interface CoreServices {
  /** The AWS session the services use (the drift alerts' queue client takes its credentials and endpoint). */
  session: AwsSession;
  /** The configuration as the core receives it (platform settings keyed by platform id). */
  settings: CoreSettings;
  /** Where "the accounts" come from (audits without accounts, schedules, chat's --account check). */
  accounts: AccountDirectory;
  store: Store;
  auditor: Auditor;
  /** Audits one account and plans its remediation, asking nothing (dry runs). */
  assessor: RemediationAssessor;
  /** The one approval workflow, with every kind of approval the core knows registered. */
  approvals: CoreApprovals;
  chat: ChatService;
  /** Sends audit findings to the Security Hub of the session's account, in the audit region. */
  exportFindings: FindingsExport;
  /** What the services record to (NO_METRICS when metrics are off); the bot serves it at /metrics. */
  metrics: Metrics;
}

export function createCoreServices(options: CoreServicesOptions): CoreServices {
  const { config, session } = options;
  const settings = coreSettings(config);
  const metrics = options.metrics ?? NO_METRICS;
  const store =
    metrics === NO_METRICS ? options.store : measuredStore(options.store, metrics, config.store.kind);
  const region = options.region ?? config.aws.region;
  const accounts =
    options.accounts ??
    accountDirectoryFor(config.aws, session, {
      ...(options.labels ? { labels: options.labels } : {}),
      ...(options.accountsLog ? { log: options.accountsLog } : {}),
    });
  const rawAuditor =
    options.auditor ??
    createAwsAuditor(region ? { ...config.aws, region } : config.aws, {
      session,
      accounts,
      ...(options.labels ? { labels: options.labels } : {}),
    });
  const now = options.now ? { now: options.now } : {};
  // The exception gauges are read from the store at scrape time: every replica reports the same counts.
  metrics.watchExceptions({
    valid: (at) => store.listExceptions({ expiresAfter: at.toISOString() }),
    now: options.now ?? (() => new Date()),
  });
  // Every audit people read carries the accepted exceptions; the planner and the exception kind see
  // what fails, accepted or not.
  const auditor = withExceptions(rawAuditor, store, options.now);
  const ownAccount = () =>
    session.callerIdentity().then(
      (me) => me.accountId,
      () => undefined,
    );
  const runtime = createAwsRemediationRuntime(session);
  const assessor = new RemediationAssessor({
    auditor: rawAuditor,
    store,
    runtime,
    settings,
    accounts,
    ...now,
  });
  // Every kind of approval, registered by name; a new kind adds its handler here.
  const approvals: CoreApprovals = new ApprovalWorkflow({
    store,
    settings: settings.approvals,
    kinds: {
      remediation: createRemediationKind({
        assessor,
        runtime,
        store,
        controls: settings.controls,
        metrics,
        ...now,
      }),
      drill: createDrillKind({
        assessor,
        runtime: createAwsDrillRuntime(session),
        store,
        waitSeconds: settings.drill?.waitSeconds ?? DEFAULT_DRILL_WAIT_SECONDS,
        ...(options.drillPollMs !== undefined ? { pollMs: options.drillPollMs } : {}),
        metrics,
        ...now,
      }),
      exception: createExceptionKind({
        auditor: rawAuditor,
        store,
        settings: settings.exceptions,
        checkAccount: (accountId) => requireKnownAccounts(accounts, ownAccount, [accountId]),
        ...now,
      }),
    },
    metrics,
    ...now,
    ...(options.owner !== undefined ? { owner: options.owner } : {}),
  });
  const chat = new ChatService({
    settings,
    auditor,
    store,
    approvals,
    accounts,
    ownAccount,
    ...now,
    ...(options.onError ? { onError: options.onError } : {}),
  });
  const exportFindings = createFindingsExport(session, region ?? session.region, toolInfo());
  return { session, settings, accounts, store, auditor, assessor, approvals, chat, exportFindings, metrics };
}
