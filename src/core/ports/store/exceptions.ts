/**
 * The exception store port: accepted exceptions (issue 14), each granted by one approval of kind
 * `exception` and kept under that approval's id. An exception says "control C fails on account A, and
 * that is accepted until a date, for this reason"; a narrow one (a named deviation) accepts only one
 * metric filter pattern, by its hash, with the example event the filter misses. Exceptions are never
 * deleted: they expire by their date or are revoked (one compare-and-set), and both stay readable for the
 * audit trail and the "exception expired" notice.
 */
import type { ActorRef } from './common';

/** A narrow exception: exactly this filter pattern is accepted although it misses the CIS events. */
export interface ExceptionDeviation {
  filterName: string;
  /** The accepted pattern, verbatim, and its SHA-256 (hex): the exception applies while the hash matches. */
  filterPattern: string;
  filterPatternHash: string;
  logGroupArn?: string;
  /** The filter-pattern engine's witness: an event CIS requires that the filter does not catch. */
  witness: unknown;
}

export interface NewException {
  /** The id of the approval that granted it. */
  id: string;
  control: string;
  accountId: string;
  reason: string;
  /** The last day it is valid (UTC), `YYYY-MM-DD`. */
  until: string;
  /** When it stops applying: the start of the day after `until` (UTC). */
  expiresAt: string;
  requestedBy: ActorRef;
  approvedBy: ActorRef;
  grantedAt: string;
  deviation?: ExceptionDeviation;
}

export interface ExceptionRecord extends NewException {
  revokedAt?: string;
  revokedBy?: ActorRef;
}

export interface ExceptionQuery {
  control?: string;
  accountIds?: readonly string[];
  /** Only exceptions with `expiresAt` after this time (the still valid ones: now). */
  expiresAfter?: string;
  /** Revoked ones too (default: not). */
  includeRevoked?: boolean;
}

export interface ExceptionStore {
  /**
   * Stores a granted exception. Idempotent by id: a second save of the same id (a resumed execution)
   * keeps the first and returns it.
   */
  saveException(exception: NewException): Promise<ExceptionRecord>;
  getException(id: string): Promise<ExceptionRecord | undefined>;
  /** Matching exceptions, latest expiry first (then id). */
  listExceptions(query?: ExceptionQuery): Promise<ExceptionRecord[]>;
  /**
   * Revokes an exception that is not revoked yet (one compare-and-set): the revoked record, or undefined
   * when there is no such exception or it was already revoked (of two revokers, exactly one wins).
   */
  revokeException(id: string, by: ActorRef, at: string): Promise<ExceptionRecord | undefined>;
}
