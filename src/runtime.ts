/**
 * Builds the platform-neutral services every entry point shares (the bot server, the CLI, tests and
 * benchmarks): the store, the auditor over an AWS session, the approval service, the remediation
 * workflow and the chat core. Composition only: no behaviour lives here.
 */
import { accountDirectoryFor } from './aws/account-directory';
import { createAwsAuditor } from './aws/auditor';
import { createAwsRemediationRuntime } from './aws/executor';
import type { AwsSession } from './aws/session';
import { coreSettings } from './config/core-settings';
import type { Config } from './config/schema';
import { ApprovalService } from './core/approvals';
import { ChatService } from './core/chat/chat-service';
import type { AccountDirectory } from './core/ports/account-directory';
import type { Auditor } from './core/ports/auditor';
import type { Logger } from './core/ports/logger';
import type { Store } from './core/ports/store';
import { RemediationWorkflow } from './core/remediation';
import type { CoreSettings } from './core/settings';

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
  onError?: (error: unknown, context: string) => void;
}

export interface CoreServices {
  /** The configuration as the core receives it (platform settings keyed by platform id). */
  settings: CoreSettings;
  /** Where "the accounts" come from (audits without accounts, schedules, chat's --account check). */
  accounts: AccountDirectory;
  store: Store;
  auditor: Auditor;
  approvals: ApprovalService;
  workflow: RemediationWorkflow;
  chat: ChatService;
}

export function createCoreServices(options: CoreServicesOptions): CoreServices {
  const { config, session } = options;
  const settings = coreSettings(config);
  const { store } = options;
  const region = options.region ?? config.aws.region;
  const accounts =
    options.accounts ??
    accountDirectoryFor(config.aws, session, {
      ...(options.labels ? { labels: options.labels } : {}),
      ...(options.accountsLog ? { log: options.accountsLog } : {}),
    });
  const auditor =
    options.auditor ??
    createAwsAuditor(region ? { ...config.aws, region } : config.aws, {
      session,
      accounts,
      ...(options.labels ? { labels: options.labels } : {}),
    });
  const approvals = new ApprovalService({
    store,
    settings: settings.approvals,
    ...(options.now ? { now: options.now } : {}),
  });
  const workflow = new RemediationWorkflow({
    auditor,
    store,
    approvals,
    runtime: createAwsRemediationRuntime(session),
    settings,
    accounts,
    ...(options.now ? { now: options.now } : {}),
  });
  const chat = new ChatService({
    settings,
    auditor,
    store,
    workflow,
    accounts,
    ownAccount: () =>
      session.callerIdentity().then(
        (me) => me.accountId,
        () => undefined,
      ),
    ...(options.onError ? { onError: options.onError } : {}),
  });
  return { settings, accounts, store, auditor, approvals, workflow, chat };
}
