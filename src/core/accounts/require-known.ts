/**
 * Only the accounts cis-bot audits may be named (aws.accounts, those discovered from AWS Organizations,
 * or the bot's own account): `--account` and the account in a button's value come from the client, and
 * must not widen what the bot's roles reach; an exception for an account cis-bot does not audit is
 * refused the same way. Throws a UsageError naming the known accounts.
 */
import { UsageError } from '../errors';
import type { AccountDirectory } from '../ports/account-directory';

export async function requireKnownAccounts(
  directory: AccountDirectory,
  ownAccount: (() => Promise<string | undefined>) | undefined,
  accounts: readonly string[] | undefined,
): Promise<void> {
  if (accounts === undefined) return;
  if (directory.source === 'own') {
    const own = await ownAccount?.();
    if (own !== undefined && accounts.every((a) => a === own)) return;
    throw new UsageError(
      'This bot audits the account of its own credentials; to name other accounts, list them in aws.accounts or turn on aws.organization.',
    );
  }
  const known = await Promise.all(accounts.map((a) => directory.has(a)));
  const unknown = accounts.filter((_, i) => !known[i]);
  if (unknown.length === 0) return;
  if (directory.source === 'organization') {
    throw new UsageError(
      `Not an account cis-bot audits: ${unknown.join(', ')}. The accounts are the ACTIVE accounts discovered from AWS Organizations (aws.organization, less exclude_accounts); \`cis-bot accounts\` lists them.`,
    );
  }
  const configured = (await directory.list()).map((a) => a.accountId);
  throw new UsageError(
    `Not a configured account: ${unknown.join(', ')}. Configured: ${configured.join(', ')}.`,
  );
}
