/**
 * The one error family of cis-bot. Every error has a stable `code` and an optional `cause`; subclasses
 * carry the data an edge handler needs to explain the problem without a stack trace.
 * Configuration errors (start-up, actionable) are kept apart from run-time errors.
 */
export class CisBotError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Bad configuration found at start-up: the message names the setting and how to fix it. */
export class ConfigError extends CisBotError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONFIG', message, options);
  }
}

/** A user typed something we do not understand (unknown command, bad flag). Safe to show in chat. */
export class UsageError extends CisBotError {
  constructor(message: string) {
    super('USAGE', message);
  }
}

/** AWS refused a call for lack of permission: names the IAM action that is missing. */
export class AccessDeniedError extends CisBotError {
  readonly action: string;
  constructor(action: string, message: string, options?: { cause?: unknown }) {
    super('ACCESS_DENIED', message, options);
    this.action = action;
  }
}

export type RefusalReason =
  | 'forbidden'
  | 'self-approval'
  | 'expired'
  | 'stale'
  | 'already-decided'
  | 'not-found'
  /** AWS refused cis-bot's credentials while checking the account: nothing ran, the approval still stands. */
  | 'aws-credentials'
  /** A decision clicked in another conversation than the one the approval was requested in. */
  | 'wrong-conversation'
  /** Something else holds the account's lease (another approval executing, a fire drill, a re-audit). */
  | 'account-busy'
  /** The execution's lease was lost (taken over after it lapsed, or not confirmable): the run stopped. */
  | 'lease-lost';

/** An approval or remediation request was refused; nothing changed. */
export class RemediationRefused extends CisBotError {
  readonly reason: RefusalReason;
  constructor(reason: RefusalReason, message: string) {
    super('REMEDIATION_REFUSED', message);
    this.reason = reason;
  }
}
