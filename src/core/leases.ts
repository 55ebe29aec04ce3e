/**
 * The keys of the one lease port (ports/store/leases.ts). Everything that works on an account on behalf
 * of a person or an event holds that account's lease, so a remediation, a fire drill and a re-audit after
 * a drift event exclude each other on every replica.
 */

/** The lease key of account `accountId`: `account:<id>`. */
export function accountLeaseKey(accountId: string): string {
  return `account:${accountId}`;
}

/**
 * The owner of one piece of work, unique per piece of work (not per replica), so two pieces of work on
 * one replica exclude each other too: e.g. `remediation 4f1c…@cis-bot-a1b2`.
 */
export function leaseOwner(work: string, id: string, replica: string): string {
  return `${work} ${id}@${replica}`;
}
