/**
 * The configuration's shape: one YAML file (CIS_BOT_CONFIG, default ./cis-bot.yaml when present) plus
 * environment variables for secrets and deployment settings. Validated once by `loadConfig`; everything
 * else receives the frozen `Config` and never reads `process.env`.
 */
import * as z from 'zod';
import {
  ACCOUNT_ID,
  ACCOUNT_PLACEHOLDER,
  CONTROL_SELECTOR,
  DEFAULT_ROLE_ARN_TEMPLATE,
  ORGANIZATION_PARENT_ID,
  REGION,
  ROLE_ARN,
} from '../core/inputs';
import { LEVELS } from '../core/levels';

const accountId = z.string().regex(ACCOUNT_ID, 'an AWS account id is 12 digits');
const level = z.enum(LEVELS);
const region = z.string().regex(REGION, 'an AWS region such as eu-west-2');

/**
 * Account discovery from AWS Organizations. `aws.accounts`, when not empty, wins over it (start-up says so).
 */
export const organizationSchema = z
  .object({
    enabled: z.boolean().default(false),
    /**
     * A role in the management account or a delegated administrator account, assumed first for the
     * Organizations calls; absent: cis-bot's own credentials call Organizations.
     */
    role_arn: z
      .string()
      .regex(ROLE_ARN, 'an IAM role ARN such as arn:aws:iam::123456789012:role/CisBotOrganizationRead')
      .optional(),
    /** Only the accounts under these OUs or roots, walked recursively; empty: the whole organization. */
    include_ous: z
      .array(
        z
          .string()
          .regex(
            ORGANIZATION_PARENT_ID,
            'an organizational unit id (ou-xxxx-xxxxxxxx) or root id (r-xxxx), as `aws organizations list-roots` and `list-organizational-units-for-parent` print them',
          ),
      )
      .default([]),
    /** Accounts never audited, even when discovered. */
    exclude_accounts: z.array(accountId).default([]),
    /** How long a discovered list is used before the organization is listed again. */
    cache_ttl_seconds: z.number().int().min(0).max(86_400).default(300),
    /** How long after its discovery a list is still used when listing the organization again fails. */
    max_stale_seconds: z
      .number()
      .int()
      .min(0)
      .max(7 * 86_400)
      .default(3600),
  })
  .strict();

const AUDIT_WORKERS_ERROR = {
  error: 'must be "auto" or a whole number of worker threads from 0 (in-process) to 16',
};

export const awsSchema = z
  .object({
    /** The region the audit starts in (DescribeTrails with shadow trails); defaults to AWS_REGION. */
    region: region.optional(),
    /**
     * Accounts to audit through AssumeRole; empty means the accounts aws.organization discovers, else the
     * account of the current credentials.
     */
    accounts: z.array(accountId).default([]),
    organization: organizationSchema.prefault({}),
    /** Role ARN template; `{account}` is replaced by each account id. */
    role_arn_template: z
      .string()
      .includes(ACCOUNT_PLACEHOLDER, `must contain ${ACCOUNT_PLACEHOLDER}`)
      .default(DEFAULT_ROLE_ARN_TEMPLATE),
    external_id: z.string().min(2).max(1224).optional(),
    role_session_name: z.string().default('cis-bot'),
    /** How many accounts are audited at once. */
    concurrency: z.number().int().min(1).max(64).default(8),
    /**
     * One account's audit (every control) may take this long; then its calls are stopped and it is ERROR
     * for every control, while the other accounts go on.
     */
    account_timeout_seconds: z.number().int().min(5).max(3600).default(120),
    /**
     * Worker threads a large audit (more accounts than one wave of `concurrency`) spreads its accounts
     * over, to use the machine's cores: `auto` = one fewer than the cores, up to 4, with 3 cores or more
     * (else 0; why in src/aws/audit-workers.ts), 0 = in-process.
     * Workers live for one audit only.
     */
    audit_workers: z
      .union(
        [
          z.literal('auto'),
          z.number().int(AUDIT_WORKERS_ERROR).min(0, AUDIT_WORKERS_ERROR).max(16, AUDIT_WORKERS_ERROR),
        ],
        AUDIT_WORKERS_ERROR,
      )
      .default('auto'),
    /**
     * Confirm each metric-filter verdict with AWS's own evaluator (logs:TestMetricFilter, which the audit
     * role then needs): disagreements are reported on the metric-filter link.
     */
    confirm_patterns: z.boolean().default(false),
  })
  .strict();

const subscriptionSchema = z
  .object({
    protocol: z.enum(['email', 'email-json', 'https', 'http', 'sqs', 'lambda', 'sms']),
    endpoint: z.string().min(1),
  })
  .strict();

export const remediationSchema = z
  .object({
    /** Reuse this topic (same account and region as the alarm) instead of creating one. */
    topic_arn: z.string().startsWith('arn:').optional(),
    /** Name of the topic created when no topic_arn is given and none exists. */
    topic_name: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,256}$/)
      .default('cis-security-alarms'),
    subscription: subscriptionSchema.optional(),
    /** Overrides of a control's metric/alarm defaults, keyed by control id. */
    overrides: z
      .record(
        z.string(),
        z
          .object({
            filter_name: z.string().min(1).max(512).optional(),
            metric_name: z.string().min(1).max(255).optional(),
            metric_namespace: z.string().min(1).max(255).optional(),
            alarm_name: z.string().min(1).max(255).optional(),
          })
          .strict(),
      )
      .default({}),
  })
  .strict();

const platformApprovers = z
  .object({
    users: z.array(z.string().min(1)).default([]),
    user_groups: z.array(z.string().min(1)).default([]),
    require_distinct_approver: z.boolean().optional(),
  })
  .strict();

/** Seconds, fractions allowed (tests use short intervals); at most an hour. */
const seconds = z.number().positive().max(3600);

export const approvalsSchema = z
  .object({
    ttl_minutes: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60)
      .default(60),
    /**
     * An executing approval holds its account's lease this long without renewal; a replica that dies is
     * taken over once it lapses. With the defaults a survivor takes over within 45 s (30 + 15).
     */
    execution_lease_seconds: seconds.default(30),
    /** How often the executing replica renews its lease: well inside the lease (at most half of it). */
    lease_renew_seconds: seconds.default(10),
    /** How often every replica looks for executions whose lease lapsed, and resumes them. */
    resume_scan_seconds: seconds.default(15),
    slack: platformApprovers.prefault({}),
    teams: platformApprovers.prefault({}),
    cli: platformApprovers.prefault({}),
  })
  .strict()
  .refine((a) => a.lease_renew_seconds * 2 <= a.execution_lease_seconds, {
    message:
      'approvals.lease_renew_seconds must be at most half of approvals.execution_lease_seconds, so that one late renewal does not lose the lease',
    path: ['lease_renew_seconds'],
  });

export const controlSettingsSchema = z
  .object({
    /** What happens when the control fails: tell people (default), say nothing, or fix automatically. */
    default_action: z.enum(['notify', 'skip', 'remediate']).default('notify'),
  })
  .strict();

const channelSettings = z.object({ level: level.optional() }).strict();

/** A Slack workspace (T…) or Enterprise Grid organisation (E…) id. */
const SLACK_TEAM_OR_ENTERPRISE = /^[TE][A-Z0-9]{2,}$/;
const slackTeamOrEnterprise = z
  .string()
  .regex(SLACK_TEAM_OR_ENTERPRISE, 'a Slack workspace id (T…) or Enterprise Grid organisation id (E…)');

/** One workspace's own settings (OAuth installs): the same keys as the top-level ones, for it alone. */
const slackWorkspaceSettings = z
  .object({
    channels: z.record(z.string(), channelSettings).default({}),
    allowed_channels: z.array(z.string()).default([]),
    approvers: platformApprovers.prefault({}),
  })
  .strict();

export const slackSchema = z
  .object({
    mode: z.enum(['http', 'socket']).default('http'),
    /** Per-channel notification level, keyed by channel id. */
    channels: z.record(z.string(), channelSettings).default({}),
    /** When non-empty, commands and button clicks are accepted only in these channel ids. */
    allowed_channels: z.array(z.string()).default([]),
    /**
     * Installation for many workspaces through OAuth (with SLACK_CLIENT_ID, SLACK_CLIENT_SECRET,
     * SLACK_STATE_SECRET and CIS_BOT_ENCRYPTION_KEY) instead of one bot token.
     */
    oauth: z
      .object({
        /** The bot scopes asked for at installation. */
        scopes: z.array(z.string().regex(/^[a-z_.:]+$/, 'a Slack scope such as chat:write')).min(1),
        /** The redirect URL registered in the app (https://HOST/slack/oauth_redirect); default: Slack's setting. */
        redirect_url: z.url().optional(),
      })
      .strict()
      .optional(),
    /** OAuth: only these workspaces (T…) or organisations (E…) may install; empty: any. */
    allowed_teams: z.array(slackTeamOrEnterprise).default([]),
    /**
     * OAuth: settings of particular workspaces (T…, or E… for an org-wide install), used instead of the
     * top-level channels, allowed_channels and approvals.slack for requests from there.
     */
    workspaces: z.record(slackTeamOrEnterprise, slackWorkspaceSettings).default({}),
  })
  .strict();

export const teamsSchema = z
  .object({
    conversations: z.record(z.string(), channelSettings).default({}),
    allowed_conversations: z.array(z.string()).default([]),
  })
  .strict();

export const scheduleSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and dashes'),
    cron: z.string().min(1),
    timezone: z.string().default('UTC'),
    /** Control ids or whole sections (`4`: every control of section 4, audited in one pass). */
    controls: z.array(z.string().regex(CONTROL_SELECTOR)).min(1).default(['4.1']),
    accounts: z.array(accountId).default([]),
    level: level.default('info'),
    targets: z
      .object({
        slack: z.array(z.string()).default([]),
        teams: z.array(z.string()).default([]),
      })
      .strict(),
    /** A run missed while the bot was down is caught up at start-up if it is at most this old. */
    catch_up_minutes: z
      .number()
      .int()
      .min(0)
      .max(7 * 24 * 60)
      .default(60),
    /** Scheduled runs (not `/cis digest now`) also send their findings to Security Hub. */
    export: z
      .object({ securityhub: z.boolean().default(false) })
      .strict()
      .prefault({}),
  })
  .strict();

/** A drift-alert target: a conversation id, at events.level, or `{ id, level }`. */
const eventTarget = z.union([z.string().min(1), z.object({ id: z.string().min(1), level }).strict()]);

/**
 * Drift alerts: CloudTrail changes to the monitoring chain, read from an SQS queue that EventBridge
 * rules fill (`cis-bot events setup` prints them), re-audited per account and posted when a control's
 * status changes. Off unless queue_url is set.
 */
export const eventsSchema = z
  .object({
    /** The queue's URL, as `cis-bot events setup` outputs it (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME). */
    queue_url: z
      .string()
      .regex(
        /^https?:\/\/[^/\s]+\/\d{12}\/[A-Za-z0-9_-]{1,80}(\.fifo)?$/,
        'an SQS queue URL such as https://sqs.eu-west-2.amazonaws.com/123456789012/cis-bot-events',
      )
      .optional(),
    /** The queue's region; default: the URL's (sqs.REGION.amazonaws.com), else aws.region. */
    region: region.optional(),
    /** Control ids or sections the alerts watch (events that can break none of them are dropped). */
    controls: z.array(z.string().regex(CONTROL_SELECTOR)).min(1).default(['4']),
    /** The level of targets given as plain ids. */
    level: level.default('info'),
    targets: z
      .object({
        slack: z.array(eventTarget).default([]),
        teams: z.array(eventTarget).default([]),
      })
      .strict()
      .prefault({}),
    /** Quiet time after an account's latest event before its re-audit: a burst of calls is one re-audit. */
    debounce_ms: z.number().int().min(0).max(60_000).default(500),
    /** The longest an account's first event waits for its re-audit while more events keep coming. */
    debounce_max_ms: z.number().int().min(0).max(600_000).default(3000),
    /** ReceiveMessage long-poll time. */
    wait_seconds: z.number().int().min(1).max(20).default(20),
    /** While the account's lease is held (a remediation running), its events wait this long between tries. */
    busy_retry_ms: z.number().int().min(10).max(600_000).default(5000),
    /** Accounts re-audited at once. */
    concurrency: z.number().int().min(1).max(64).default(8),
    /** Without a redrive policy on the queue, a message whose re-audit keeps failing is deleted after this many receives. */
    max_receives: z.number().int().min(1).max(1000).default(5),
  })
  .strict()
  .superRefine((events, ctx) => {
    if (events.queue_url && events.targets.slack.length + events.targets.teams.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['targets'],
        message:
          'drift alerts need somewhere to post: add Slack channel ids to events.targets.slack or Teams conversation ids to events.targets.teams',
      });
    }
  });

/**
 * Where cis-bot keeps its state: an SQLite file (the default, for one process and the demo) or a
 * PostgreSQL database (for replicas). The pool and timeout settings apply to PostgreSQL; the timeouts are
 * short so a call that cannot proceed fails well inside Slack's 3-second deadline.
 */
export const storeSchema = z
  .object({
    /** SQLite file (default cis-bot.db); CIS_BOT_DB overrides. */
    path: z.string().min(1).optional(),
    /** PostgreSQL connection string, postgres:// or postgresql:// (TLS: sslmode=…); DATABASE_URL overrides. */
    url: z.string().min(1).optional(),
    /** Connections each replica keeps to PostgreSQL at most. */
    pool_size: z.number().int().min(1).max(100).default(10),
    /** How long a call waits for a connection (a new one, or a free one in the pool), in ms. */
    connect_timeout_ms: z.number().int().min(100).max(60_000).default(1000),
    /** How long PostgreSQL may run one statement before cancelling it, in ms. */
    statement_timeout_ms: z.number().int().min(100).max(60_000).default(1000),
  })
  .strict();

/**
 * Prometheus metrics for operators (`/metrics`), off by default. When on, they are served on their own
 * port (never on the bot's public one, which Slack and Teams reach), bound to the same interface as the bot.
 */
export const metricsSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** The port `/metrics` listens on (0 picks a free one); must differ from the bot's PORT. */
    port: z.number().int().min(0).max(65535).default(9464),
    /** Label per-account series with the account id (many series for an organization; ids may be sensitive). */
    account_labels: z.boolean().default(false),
  })
  .strict();

export const fileSchema = z
  .object({
    aws: awsSchema.prefault({}),
    store: storeSchema.prefault({}),
    notifications: z
      .object({ default_level: level.default('info') })
      .strict()
      .prefault({}),
    controls: z.record(z.string(), controlSettingsSchema).default({}),
    remediation: remediationSchema.prefault({}),
    /** Fire drills (`4.1 drill`): how long a drill waits for the alarm's action and the SNS message, in seconds. */
    drill: z
      .object({ wait_seconds: z.number().int().min(1).max(900).default(60) })
      .strict()
      .prefault({}),
    approvals: approvalsSchema.prefault({}),
    /** Accepted exceptions (`except`): how far ahead an exception's --until may be, in days. */
    exceptions: z
      .object({ max_days: z.number().int().min(1).max(3650).default(365) })
      .strict()
      .prefault({}),
    slack: slackSchema.prefault({}),
    teams: teamsSchema.prefault({}),
    schedules: z.array(scheduleSchema).default([]),
    events: eventsSchema.prefault({}),
    metrics: metricsSchema.prefault({}),
  })
  .strict();

export type FileConfig = z.infer<typeof fileSchema>;
export type ScheduleConfig = z.infer<typeof scheduleSchema>;
export type EventsConfig = z.infer<typeof eventsSchema>;
export type ApprovalsConfig = z.infer<typeof approvalsSchema>;
export type RemediationConfig = z.infer<typeof remediationSchema>;
export type MetricsConfig = z.infer<typeof metricsSchema>;

/** Settings that come from the environment only (secrets and deployment details). */
export interface EnvConfig {
  port: number;
  /**
   * Slack: one workspace's bot token, or (OAuth, `slack.oauth`) the app's client credentials for
   * installations in many workspaces; never both.
   */
  slack?: {
    botToken?: string;
    signingSecret?: string;
    appToken?: string;
    apiUrl?: string;
    oauth?: {
      clientId: string;
      clientSecret: string;
      stateSecret: string;
      /** CIS_BOT_ENCRYPTION_KEY's 32 bytes, as base64 (the configuration is frozen; a Buffer cannot be). */
      encryptionKey: string;
    };
  };
  teams?: { appId: string; appPassword: string; appType: 'SingleTenant' | 'MultiTenant'; tenantId?: string };
  /** CIS_BOT_TEAMS_DEV_NO_AUTH=true: accept unauthenticated Teams requests (development only). */
  teamsDevNoAuth: boolean;
  /**
   * CIS_BOT_TEAMS_ALLOWED_TENANTS (comma-separated Entra tenant ids, lower-cased): tenants whose Teams
   * activities are served, in addition to MicrosoftAppTenantId. A Teams app needs at least one of the two.
   */
  teamsAllowedTenants?: string[];
  /** NODE_ENV, as set (an empty value counts as unset); the development flag needs development, test or unset. */
  nodeEnv?: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

/** The store the configuration names, with the settings that apply to it (resolved by loadConfig). */
export type StoreConfig =
  | { kind: 'sqlite'; path: string }
  | {
      kind: 'postgres';
      url: string;
      pool_size: number;
      connect_timeout_ms: number;
      statement_timeout_ms: number;
    };

export type Config = Readonly<Omit<FileConfig, 'store'> & { store: StoreConfig; env: EnvConfig }>;
