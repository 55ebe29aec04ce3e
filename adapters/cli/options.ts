/**
 * The CLI's option parsers and the options several commands share. Each parser checks with the rule of
 * src/core/inputs (the same the configuration file and the chat commands use) and words a commander
 * error: commander prints it with the option's name and the usage hint, and the CLI exits with 2.
 */
import { InvalidArgumentError, Option } from 'commander';
import type { AwsTargetOptions, Config } from '../../src/cli-runtime';
import {
  isAccountId,
  isRegion,
  OUTPUT_FORMATS,
  parseAccountIds,
  parseWholeNumber,
  roleArnTemplateFor,
} from '../../src/core/inputs';

/** `--accounts 111111111111,222222222222`. */
export function parseAccountList(value: string): string[] {
  const ids = parseAccountIds(value);
  if (!ids.ok) {
    throw new InvalidArgumentError(
      `expected 12-digit AWS account ids separated by commas, got "${ids.bad}".`,
    );
  }
  return ids.items;
}

/** `--account 111111111111`: exactly one account. */
export function parseAccount(value: string): string {
  if (!isAccountId(value)) {
    throw new InvalidArgumentError(`expected a 12-digit AWS account id, got "${value}".`);
  }
  return value;
}

export function parseRegion(value: string): string {
  if (!isRegion(value)) throw new InvalidArgumentError(`"${value}" is not an AWS region such as eu-west-2.`);
  return value;
}

/** A parser of whole numbers from min to max (`--concurrency`, `--limit`). */
export function wholeNumber(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = parseWholeNumber(value, min, max);
    if (n === undefined) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}.`);
    return n;
  };
}

/** `--role NAME` becomes `arn:aws:iam::{account}:role/NAME`; an ARN template with `{account}` is used as is. */
export function roleTemplate(role: string): string {
  const template = roleArnTemplateFor(role);
  if (template === undefined) {
    throw new InvalidArgumentError(
      `--role takes a role name or an ARN template containing {account}; got "${role}".`,
    );
  }
  return template;
}

/** `--output text|json` (default text). */
export function outputOption(): Option {
  return new Option('--output <format>', 'output format').choices([...OUTPUT_FORMATS]).default('text');
}

/** `--config PATH`, for every command that reads the configuration. */
export function configOption(): Option {
  return new Option('--config <path>', 'configuration file (default CIS_BOT_CONFIG, then ./cis-bot.yaml)');
}

/** The options that say where AWS is and as whom: `audit` and `remediate` share them. */
export interface AwsCliOptions {
  sandbox?: string;
  region?: string;
  profile?: string;
  role?: string;
  externalId?: string;
  config?: string;
  /** `--organization` (audit, accounts). */
  organization?: boolean;
}

/** Where AWS is and as whom, from the options, else the configuration (aws.role_arn_template, aws.external_id). */
export function awsTarget(
  opts: AwsCliOptions,
  config: Config,
  accounts: readonly string[],
): AwsTargetOptions {
  const externalId = opts.externalId ?? config.aws.external_id;
  return {
    ...(opts.sandbox !== undefined ? { sandbox: opts.sandbox } : {}),
    ...(opts.region !== undefined ? { region: opts.region } : {}),
    ...(opts.profile !== undefined ? { profile: opts.profile } : {}),
    roleArnTemplate: opts.role !== undefined ? roleTemplate(opts.role) : config.aws.role_arn_template,
    ...(externalId !== undefined ? { externalId } : {}),
    accounts,
    ...(opts.organization ? { organization: true } : {}),
  };
}

/** `--organization`: the accounts come from AWS Organizations (aws.organization's scope), whatever aws.accounts lists. */
export function organizationOption(): Option {
  return new Option(
    '--organization',
    "discover the accounts from AWS Organizations (aws.organization's include_ous, exclude_accounts, role_arn), even when aws.accounts lists some",
  );
}

export function roleOption(): Option {
  return new Option(
    '--role <name|template>',
    'role name, or role ARN template with {account} (default aws.role_arn_template)',
  );
}

export function externalIdOption(): Option {
  return new Option('--external-id <id>', 'ExternalId for AssumeRole (default aws.external_id)');
}

export function regionOption(what: string): Option {
  return new Option(
    '--region <region>',
    `${what} (default aws.region, AWS_REGION, or the profile region)`,
  ).argParser(parseRegion);
}

export function profileOption(): Option {
  return new Option(
    '--profile <name>',
    'AWS profile from ~/.aws/config or ~/.aws/credentials (default AWS_PROFILE, then the SDK chain)',
  );
}
