/**
 * The account directory of a fixed list: `aws.accounts` (source `configured`), or no list at all (source
 * `own`: only the account of cis-bot's own credentials). Labels come from wherever the caller has them
 * (a sandbox scenario's account labels).
 */
import type { AccountDirectory, DirectoryAccount } from '../ports/account-directory';

export function staticAccountDirectory(
  accountIds: readonly string[],
  labels: Readonly<Record<string, string>> = {},
): AccountDirectory {
  const accounts: readonly DirectoryAccount[] = Object.freeze(
    [...new Set(accountIds)].map((accountId) => {
      const label = labels[accountId];
      return label !== undefined ? { accountId, label } : { accountId };
    }),
  );
  const ids = new Set(accountIds);
  return {
    source: accounts.length > 0 ? 'configured' : 'own',
    list: async () => accounts,
    has: async (accountId) => ids.has(accountId),
  };
}

/** The labels of a directory's accounts, keyed by account id (those without one are left out). */
export function labelsOf(accounts: readonly DirectoryAccount[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const a of accounts) if (a.label !== undefined) labels[a.accountId] = a.label;
  return labels;
}
