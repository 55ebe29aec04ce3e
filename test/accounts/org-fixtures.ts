/**
 * Shared fixtures of the account-discovery tests: an organization scenario (OUs, a nested OU, a
 * suspended account, a delegated administrator, a security account that is a plain member, an account
 * outside the organization, a role in the management account that the security account may assume),
 * and the discovery built the way the runtime builds it (configuration -> accountDirectoryFor) over an
 * AwsSession signed as one of the scenario's accounts against the sandbox.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { stringify } from 'yaml';
import { type AccountDirectoryDeps, accountDirectoryFor } from '../../src/aws/account-directory';
import { AwsSession } from '../../src/aws/session';
import { loadConfig } from '../../src/config/load';
import type { LogFields, Logger } from '../../src/core/ports/logger';
import type { Sandbox, Scenario } from '../../src/sandbox';

export const REGION = 'eu-west-2';
export const MGMT = '999988887777';
export const SECURITY = '123456789012';
export const PROD = '111122223333';
export const PAYMENTS = '444455556666';
export const DEV = '222233334444';
export const SUSPENDED = '555566667777';
export const DELEGATED = '666677778888';
export const OUTSIDER = '777788889999';
export const ORG_ROLE = `arn:aws:iam::${MGMT}:role/CisBotOrganizationRead`;

export function orgScenario(): Scenario {
  return {
    organization: {
      management_account: MGMT,
      members: [SECURITY, PROD, PAYMENTS, DEV, SUSPENDED, DELEGATED],
      delegated_administrators: [DELEGATED],
      suspended: [SUSPENDED],
      organizational_units: [
        {
          name: 'Production',
          accounts: [PROD, SUSPENDED],
          children: [{ name: 'Payments', accounts: [PAYMENTS] }],
        },
        { name: 'Sandbox', accounts: [DEV] },
      ],
    },
    accounts: [
      {
        id: MGMT,
        label: 'management',
        roles: [{ name: 'CisBotOrganizationRead', trusted_accounts: [SECURITY] }],
      },
      { id: SECURITY, label: 'security' },
      { id: PROD, label: 'prod' },
      { id: PAYMENTS, label: 'payments' },
      { id: DEV, label: 'dev' },
      { id: SUSPENDED, label: 'old' },
      { id: DELEGATED, label: 'audit-tools' },
      { id: OUTSIDER, label: 'outsider' },
    ],
  };
}

/**
 * The scenario as a YAML file (for the CLI and the bot, which take files) in which every account has the
 * audit role, so whatever is discovered can be audited; the management account, first, is the caller.
 */
export function auditableScenarioFile(): string {
  const scenario = orgScenario();
  for (const a of scenario.accounts) a.roles = [...(a.roles ?? []), { name: 'CisBotAudit' }];
  const file = join(mkdtempSync(join(tmpdir(), 'cis-bot-org-')), 'org.yaml');
  writeFileSync(file, stringify(scenario));
  return file;
}

/** What discovering the whole organization lists: its ACTIVE accounts by id, named as in Organizations. */
export const DISCOVERED = [
  { accountId: PROD, label: 'prod' },
  { accountId: SECURITY, label: 'security' },
  { accountId: DEV, label: 'dev' },
  { accountId: PAYMENTS, label: 'payments' },
  { accountId: DELEGATED, label: 'audit-tools' },
  { accountId: MGMT, label: 'management' },
];

/** The OU ids of the scenario by name (and the root's), as the sandbox made them. */
export function ouIds(sandbox: Sandbox): Record<string, string> {
  const org = sandbox.state.organization;
  if (!org) throw new Error('no organization in the scenario');
  const ids: Record<string, string> = { Root: org.rootId };
  for (const ou of org.ous.values()) ids[ou.Name] = ou.Id;
  return ids;
}

export function sessionAs(sandbox: Sandbox, accountId: string): AwsSession {
  return new AwsSession({
    region: REGION,
    credentials: sandbox.credentialsFor(accountId),
    clientConfig: { endpoint: sandbox.endpoint },
  });
}

/** An Organizations client signed as `accountId` (for the tests' own look at the organization). */
export function organizationsAs(sandbox: Sandbox, accountId: string): OrganizationsClient {
  return new OrganizationsClient({
    region: REGION,
    endpoint: sandbox.endpoint,
    credentials: sandbox.credentialsFor(accountId),
  });
}

/** A logger that keeps what it was told. */
export function recordingLogger(): Logger & {
  lines: Array<{ level: string; msg: string; fields?: LogFields }>;
} {
  const lines: Array<{ level: string; msg: string; fields?: LogFields }> = [];
  const at =
    (level: string) =>
    (msg: string, fields?: LogFields): void => {
      lines.push({ level, msg, ...(fields ? { fields } : {}) });
    };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** The account directory the runtime would build from this `aws:` configuration block. */
export function directoryFor(
  session: AwsSession,
  aws: Record<string, unknown>,
  deps: AccountDirectoryDeps = {},
) {
  const config = loadConfig({ document: { aws: { region: REGION, ...aws } }, env: {} });
  return accountDirectoryFor(config.aws, session, deps);
}

/** The Organizations calls the sandbox answered, as `Operation status` (retries included). */
export function organizationsCalls(sandbox: Sandbox): string[] {
  return sandbox.calls
    .filter((c) => c.service === 'organizations')
    .map((c) => `${c.operation} ${c.errorCode ?? c.status}`);
}
