/**
 * `cis-bot iam-policy`: prints the least-privilege IAM policies cis-bot needs, derived from the control
 * registry (each control declares the actions it reads and the ones its remediation calls) and, with
 * `--organization`, from the account discovery's actions (src/core/accounts), so the README's policy and
 * the code can never drift apart.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { loadCliConfig } from '../../src/cli-runtime';
import { ACCOUNT_DISCOVERY_ACTIONS } from '../../src/core/accounts/discovery-actions';
import { auditReadActions, remediationActionsFor } from '../../src/core/controls/iam';
import { CONTROLS, getControl } from '../../src/core/controls/registry';
import { EVENTS_QUEUE_ACTIONS } from '../../src/core/drift/queue-actions';
import { drillStatements } from '../../src/core/drill/iam';
import {
  DEFAULT_ROLE_ARN_TEMPLATE,
  EXPORT_TARGETS,
  ROLE_ARN,
  roleArnFor,
  splitList,
} from '../../src/core/inputs';
import { SECURITY_HUB_EXPORT_ACTIONS } from '../../src/core/report/export-actions';
import type { CliContext } from './io';
import { configOption, parseAccountList } from './options';

interface PolicyOptions {
  control?: string[];
  export?: string;
  accounts?: string[];
  remediation?: boolean;
  drill?: boolean;
  confirmPatterns?: boolean;
  role?: string;
  organization?: boolean;
  organizationRole?: string;
  events?: string | true;
  config?: string;
}

/** Account discovery's read of AWS Organizations (aws.organization). */
function discoveryStatement(): object {
  return {
    Sid: 'CisBotDiscoverAccounts',
    Effect: 'Allow',
    Action: [...ACCOUNT_DISCOVERY_ACTIONS],
    Resource: '*',
  };
}

/**
 * What account discovery adds: without a role, the hub itself reads Organizations; with
 * aws.organization.role_arn, the hub may assume that role, and the role (in the management or a delegated
 * administrator account) reads Organizations.
 */
export function discoveryPolicies(roleArn: string | undefined): { hub: object[]; organizationRole?: object } {
  if (roleArn === undefined) return { hub: [discoveryStatement()] };
  return {
    hub: [
      { Sid: 'CisBotAssumeOrganizationRole', Effect: 'Allow', Action: ['sts:AssumeRole'], Resource: roleArn },
    ],
    organizationRole: { Version: '2012-10-17', Statement: [discoveryStatement()] },
  };
}

const QUEUE_ARN = /^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}(\.fifo)?$/;

/** A queue URL's ARN (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME), when it is an AWS one. */
function queueArnOf(url: string): string | undefined {
  const m = /^https:\/\/sqs[.-]([a-z0-9-]+)\.amazonaws\.com\/(\d{12})\/([A-Za-z0-9_-]{1,80}(\.fifo)?)$/.exec(
    url,
  );
  return m ? `arn:aws:sqs:${m[1]}:${m[2]}:${m[3]}` : undefined;
}

/** `--events [queue]`: a queue ARN, or its URL (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME). */
function parseQueue(value: string): string {
  if (QUEUE_ARN.test(value)) return value;
  const arn = queueArnOf(value);
  if (arn) return arn;
  throw new InvalidArgumentError(
    `expected the events queue's ARN (arn:aws:sqs:REGION:ACCOUNT:NAME) or URL (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME), got "${value}".`,
  );
}

/** Drift alerts (events.queue_url): the hub polls the queue, deletes what it recorded, extends what waits. */
export function eventsQueueStatement(queueArn: string | undefined): object {
  return {
    Sid: 'CisBotDriftEvents',
    Effect: 'Allow',
    Action: [...EVENTS_QUEUE_ACTIONS],
    Resource: queueArn ?? 'arn:aws:sqs:*:*:cis-bot-events',
  };
}

function parseRoleArn(value: string): string {
  if (!ROLE_ARN.test(value)) {
    throw new InvalidArgumentError(
      `expected an IAM role ARN such as arn:aws:iam::123456789012:role/CisBotOrganizationRead, got "${value}".`,
    );
  }
  return value;
}

function withStatements(policy: object, extra: readonly object[]): object {
  const p = policy as { Version: string; Statement: object[] };
  return { ...p, Statement: [...p.Statement, ...extra] };
}

/** The permissions policy of the role cis-bot uses inside each audited account. */
export function accountPolicy(
  controlIds: readonly string[],
  remediation: boolean,
  confirmPatterns = false,
): object {
  const controls = controlIds.map((id) => getControl(id));
  // Several controls are audited in one pass (`cis-bot audit 4`): the section's shared read is included.
  const read = auditReadActions(controls, { confirmPatterns });
  const statements: object[] = [{ Sid: 'CisBotAuditRead', Effect: 'Allow', Action: read, Resource: '*' }];
  if (remediation) {
    const write = new Set(controls.flatMap((c) => remediationActionsFor(c)));
    statements.push({ Sid: 'CisBotRemediate', Effect: 'Allow', Action: [...write].sort(), Resource: '*' });
  }
  return { Version: '2012-10-17', Statement: statements };
}

/**
 * `--export securityhub`: the hub imports findings into its own Security Hub (its default product in any
 * region) and reads back the ones cis-bot imported there.
 */
export function securityHubExportStatement(): object {
  return {
    Sid: 'CisBotSecurityHubExport',
    Effect: 'Allow',
    Action: [...SECURITY_HUB_EXPORT_ACTIONS].sort(),
    Resource: ['arn:*:securityhub:*:*:product/*/default', 'arn:*:securityhub:*:*:hub/default'],
  };
}

/**
 * The policy of the identity cis-bot runs as (the hub): who it is, and which roles it may assume: the
 * role in each listed account, or in any account when none are listed.
 */
export function hubPolicy(
  roleArnTemplate: string,
  accounts: readonly string[] = [],
  extra: readonly object[] = [],
): object {
  const roles =
    accounts.length > 0
      ? accounts.map((a) => roleArnFor(roleArnTemplate, a))
      : roleArnFor(roleArnTemplate, '*');
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'CisBotWhoAmI', Effect: 'Allow', Action: ['sts:GetCallerIdentity'], Resource: '*' },
      {
        Sid: 'CisBotAssumeAuditRoles',
        Effect: 'Allow',
        Action: ['sts:AssumeRole'],
        Resource: roles,
      },
      ...extra,
    ],
  };
}

export function registerIamPolicyCommand(program: Command, ctx: CliContext): void {
  program
    .command('iam-policy')
    .description(
      'print the least-privilege IAM policies: the audit role in each account, and the hub identity',
    )
    .option('--control <id...>', 'controls to cover (default: all registered)')
    .option('--remediation', 'add the actions the approved remediation calls')
    .option(
      '--drill',
      'add what a fire drill calls (alarm state and history, the probe queue and its subscription)',
    )
    .option('--confirm-patterns', 'add logs:TestMetricFilter (aws.confirm_patterns)')
    .option(
      '--accounts <ids>',
      'comma-separated account ids the hub may assume the role in (default: any)',
      // An empty list is the default (any account), as when the option is left out.
      (value: string) => (splitList(value).length === 0 ? [] : parseAccountList(value)),
    )
    .option('--role <arnTemplate>', 'role ARN template with {account}', DEFAULT_ROLE_ARN_TEMPLATE)
    .option(
      '--organization',
      'add account discovery from AWS Organizations (aws.organization): organizations:ListAccounts and the other reads',
    )
    .option(
      '--organization-role <arn>',
      'aws.organization.role_arn: the hub assumes it, and it reads AWS Organizations (implies --organization)',
      parseRoleArn,
    )
    .option(
      '--events [queue]',
      'add what drift alerts need on the events queue (its ARN or URL; default any queue named cis-bot-events)',
      parseQueue,
    )
    .addOption(configOption())
    .addOption(
      new Option('--export <target>', 'add what `audit --export` needs (securityhub)').choices([
        ...EXPORT_TARGETS,
      ]),
    )
    .action(async (opts: PolicyOptions) => {
      const ids = opts.control ?? [...CONTROLS.keys()];
      // --config: what the configuration turns on is covered too (events.queue_url: the drift alerts' queue).
      const configured = opts.config !== undefined ? await loadCliConfig(ctx.io, opts.config) : undefined;
      const queueUrl = configured?.events.queue_url;
      const events =
        opts.events !== undefined
          ? [eventsQueueStatement(opts.events === true ? undefined : opts.events)]
          : queueUrl !== undefined
            ? [eventsQueueStatement(queueArnOf(queueUrl))]
            : [];
      const discovery =
        opts.organization || opts.organizationRole !== undefined
          ? discoveryPolicies(opts.organizationRole)
          : undefined;
      const out = {
        accountRolePolicy: withStatements(
          accountPolicy(ids, opts.remediation === true, opts.confirmPatterns === true),
          opts.drill ? drillStatements() : [],
        ),
        hubPolicy: hubPolicy(opts.role ?? DEFAULT_ROLE_ARN_TEMPLATE, opts.accounts, [
          ...(discovery?.hub ?? []),
          ...(opts.export === 'securityhub' ? [securityHubExportStatement()] : []),
          ...events,
        ]),
        ...(discovery?.organizationRole ? { organizationRolePolicy: discovery.organizationRole } : {}),
      };
      ctx.io.stdout(`${JSON.stringify(out, null, 2)}\n`);
    });
}
