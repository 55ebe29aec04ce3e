/**
 * The AWS session a CLI command runs with: the in-process sandbox (`--sandbox SCENARIO`), or the AWS SDK's
 * standard credential chain with the region from `--region`, the configuration, AWS_REGION or the
 * profile. Shared by `audit` and `remediate` so both resolve targets, roles and regions the same way.
 */
import { AwsSession, sdkDefaultRegion } from '../../src/aws/session';
import type { Config } from '../../src/config/schema';
import { ConfigError } from '../../src/core/errors';
import type { CliIo } from './io';
import { startSandboxRun } from './sandbox-run';

export interface CliSessionOptions {
  sandbox?: string;
  region?: string;
  roleArnTemplate: string;
  externalId?: string;
  /** The accounts the session may assume the role in. */
  accounts: readonly string[];
}

export interface CliSession {
  session: AwsSession;
  region: string;
  /** Account labels (sandbox scenarios only). */
  labels?: Record<string, string>;
  close(): Promise<void>;
}

export async function openCliSession(
  io: CliIo,
  config: Config,
  opts: CliSessionOptions,
): Promise<CliSession> {
  if (opts.sandbox !== undefined) {
    const run = await startSandboxRun(opts.sandbox, {
      ...(opts.region !== undefined ? { region: opts.region } : {}),
      roleArnTemplate: opts.roleArnTemplate,
      ...(opts.externalId !== undefined ? { externalId: opts.externalId } : {}),
      roleAccounts: opts.accounts,
      ...(io.clientConfig ? { clientConfig: io.clientConfig } : {}),
    });
    return { session: run.session, region: run.defaultRegion, labels: run.labels, close: () => run.close() };
  }
  const region = opts.region ?? config.aws.region ?? (await sdkDefaultRegion());
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
    ...(io.clientConfig ? { clientConfig: io.clientConfig } : {}),
  });
  return {
    session,
    region,
    close: async () => session.destroy(),
  };
}
