/**
 * The progress port: how an audit of many accounts tells its caller how far it is, one event as it
 * starts and one each time an account is done (in completion order). The core emits; adapters render
 * (a chat message updated at the platform's rate, a progress bar on the CLI's stderr) and decide how often.
 */
import type { AccountStatus } from '../evaluate/findings';

export interface AuditProgressEvent {
  /** Accounts the audit covers. */
  total: number;
  /** Accounts done so far. */
  done: number;
  /** Done accounts with at least one control NON_COMPLIANT (and none ERROR). */
  nonCompliant: number;
  /** Done accounts with at least one control ERROR. */
  errors: number;
  /** The controls audited. */
  controls: readonly string[];
  /** The account just done and its worst verdict; absent on the first event. */
  last?: { accountId: string; status: AccountStatus };
}

/** Receives progress events; must not throw and must return quickly (render later, not here). */
export type AuditProgress = (event: AuditProgressEvent) => void;
