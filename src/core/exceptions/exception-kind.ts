/**
 * The exception kind of approval (issue 14): "control C fails on account A and that is accepted until a
 * date, for this reason", asked for and approved through the one approval workflow with the same buttons
 * and rules as a remediation (authorized and distinct approver, TTL, platform binding, audit log).
 * Proposing checks the request (control, account, reason, until: see terms.ts) before anything is stored;
 * a narrow exception (`deviation`) also audits the account and names exactly the metric filter that
 * misses CIS events, with the filter-pattern engine's witness event, so the approver sees what is
 * accepted. Running it stores the exception (ExceptionStore, idempotent by approval id, so a resumed run
 * is harmless); from then on audits show the control ACCEPTED (apply.ts) until it expires or is revoked.
 */
import type { ApprovalKindHandler, ApprovalSubject } from '../approvals/kind';
import { SYSTEM_ACTOR } from '../approvals/ledger';
import { getControl } from '../controls/registry';
import { UsageError } from '../errors';
import type { AccountFinding } from '../evaluate/findings';
import type { Auditor } from '../ports/auditor';
import type { Approval, ExceptionDeviation, ExceptionRecord, ExceptionStore } from '../ports/store';

export type { ExceptionTerms } from './terms';

import { exceptionGrantedCard, exceptionRequestCard } from '../present/exception-cards';
import { canonicalJson, sha256Hex } from '../remediation/canonical';
import type { ExceptionSettings } from '../settings';
import { failingFilters, patternHash } from './apply';
import { checkReason, checkUntil, type ExceptionTerms, expiryOf } from './terms';

export const EXCEPTION = 'exception';

export interface ExceptionInput {
  control: string;
  accountId: string;
  reason: string;
  /** The last valid day, YYYY-MM-DD (UTC). */
  until: string;
  /** Accept only the metric filter that fails now (a named deviation), not the control as a whole. */
  deviation?: boolean;
}

export interface ExceptionProposal {
  terms: ExceptionTerms;
  approval: Approval;
}

export type ExceptionTypes = {
  input: ExceptionInput;
  subject: ExceptionTerms;
  proposal: ExceptionProposal;
  event: never;
  outcome: { exception: ExceptionRecord };
};

export type ExceptionKind = ApprovalKindHandler<ExceptionTypes>;

export interface ExceptionKindDeps {
  /** The raw auditor (without exceptions applied): a deviation names the filter that fails now. */
  auditor: Auditor;
  store: ExceptionStore;
  settings: ExceptionSettings;
  /** Refuses (UsageError) accounts cis-bot does not audit. */
  checkAccount(accountId: string): Promise<void>;
  now?: () => Date;
}

function subjectOf(terms: ExceptionTerms): ApprovalSubject<ExceptionTerms> {
  return {
    hash: sha256Hex(canonicalJson(terms)),
    control: terms.control,
    accountId: terms.accountId,
    body: terms,
  };
}

/** The filter a deviation accepts: the one the audit names as failing now, with the event it misses. */
export function deviationOf(finding: AccountFinding): ExceptionDeviation {
  if (finding.status !== 'NON_COMPLIANT' || finding.brokenLink !== 'metric-filter') {
    throw new UsageError(
      `--deviation accepts a metric filter that misses CIS ${finding.control} events, but account ${finding.accountId} is ${finding.status}${finding.brokenLink ? ` at the ${finding.brokenLink} link` : ''}: ${finding.reason}`,
    );
  }
  const [closest] = failingFilters(finding);
  if (!closest || closest.missedExample === undefined) {
    throw new UsageError(
      `--deviation needs a metric filter with an event it misses, and the audit of account ${finding.accountId} names none: ${finding.reason}`,
    );
  }
  const link = finding.links.find((l) => l.link === 'metric-filter');
  const logGroupArn = link?.evidence.logGroupArn;
  return {
    filterName: closest.filterName,
    filterPattern: closest.pattern,
    filterPatternHash: patternHash(closest.pattern),
    ...(typeof logGroupArn === 'string' ? { logGroupArn } : {}),
    witness: closest.missedExample,
  };
}

export function createExceptionKind(deps: ExceptionKindDeps): ExceptionKind {
  const now = deps.now ?? (() => new Date());

  async function deviationNow(control: string, accountId: string): Promise<ExceptionDeviation> {
    const { report } = await deps.auditor.audit({ control, accounts: [accountId] });
    const [finding] = report.accounts;
    if (!finding) throw new UsageError(`The audit of account ${accountId} returned nothing; try again.`);
    return deviationOf(finding);
  }

  return {
    kind: EXCEPTION,

    async propose(input, ctx) {
      getControl(input.control);
      const reason = checkReason(input.reason);
      const until = checkUntil(input.until, now(), deps.settings.maxDays);
      await deps.checkAccount(input.accountId);
      const terms: ExceptionTerms = {
        control: input.control,
        accountId: input.accountId,
        reason,
        until,
        expiresAt: expiryOf(until),
        ...(input.deviation ? { deviation: await deviationNow(input.control, input.accountId) } : {}),
      };
      const approval = await ctx.request(subjectOf(terms));
      return { terms, approval };
    },

    async recheck(stored) {
      const terms = stored.body;
      // A deviation is approved for one filter pattern: if the filter changed meanwhile, the subject is
      // different (stale) and nothing is stored.
      const fresh = terms.deviation
        ? { ...terms, deviation: await deviationNow(terms.control, terms.accountId).catch(() => undefined) }
        : terms;
      const subject = subjectOf(fresh as ExceptionTerms);
      const expired = Date.parse(terms.expiresAt) <= now().getTime();
      return expired ? { subject, blocked: `its last day, ${terms.until}, has passed` } : { subject };
    },

    async run(subject, ctx) {
      await ctx.heartbeat();
      const terms = subject.body;
      const approval = ctx.approval;
      const exception = await deps.store.saveException({
        id: approval.id,
        control: terms.control,
        accountId: terms.accountId,
        reason: terms.reason,
        until: terms.until,
        expiresAt: terms.expiresAt,
        requestedBy: approval.requestedBy,
        approvedBy: approval.decidedBy ?? SYSTEM_ACTOR,
        grantedAt: now().toISOString(),
        ...(terms.deviation ? { deviation: terms.deviation } : {}),
      });
      await ctx.logStep({
        exception: exception.id,
        until: exception.until,
        deviation: terms.deviation?.filterName,
      });
      return {
        outcome: { exception },
        state: 'succeeded',
        result: { exceptionId: exception.id, until: exception.until },
      };
    },

    present: {
      decided: (terms, approval) => exceptionRequestCard(terms, approval),
      progress: () => undefined,
      outcome: ({ exception }) => exceptionGrantedCard(exception),
    },
  };
}
