/**
 * The optional confirmation of a metric-filter judgement with AWS's own evaluator (`aws.confirm_patterns`,
 * `cis-bot audit --confirm-patterns`). The engine decides coverage exactly under the semantics written in
 * src/core/filter-pattern/SEMANTICS.md; where AWS's documentation is silent those are our decisions, and
 * only `logs:TestMetricFilter` knows what AWS really does. So, after the engine has judged a filter, the
 * events its judgement rests on go to TestMetricFilter with the filter's pattern (and with the
 * reference's), in the log group's own account and region:
 *   - the witnesses: an event the reference catches and the filter misses, one the filter adds;
 *   - the control's benign events (ordinary successful calls a filter must not fire on);
 *   - a few reference examples the engine builds: one event per top-level `||` branch of the reference.
 * AWS's matches are compared with `matchesEvent`'s, message by message. The outcome goes on the
 * metric-filter link's evidence as `awsConfirmation`. When AWS says the CIS pattern catches an event the
 * filter misses, the link FAILS and the chain breaks there (AWS's answer is the authority, CIS-4.md); any
 * other disagreement turns a passing link into `warn` (the verdict needs a human look); an error, such as
 * AccessDenied on logs:TestMetricFilter, is recorded as such and never changes or hides the verdict.
 */
import { type CloudWatchLogsClient, TestMetricFilterCommand } from '@aws-sdk/client-cloudwatch-logs';
import type { MetricFilterControl } from '../core/controls/types';
import { acceptedByOf } from '../core/evaluate/accepted-deviations';
import { callLabel, judgeFilter } from '../core/evaluate/filter-judge';
import type { AccountFinding, LinkResult } from '../core/evaluate/findings';
import { showEvent } from '../core/evaluate/links';
import {
  comparePatterns,
  type JsonExpr,
  type LogEvent,
  matchesEvent,
  type Pattern,
  PatternSyntaxError,
  parsePattern,
} from '../core/filter-pattern';
import type { ProbeError } from '../core/snapshot';
import { classifyError } from './errors';
import type { AwsClients } from './session';

/** What the confirmation needs of a CloudWatch Logs client. */
export type LogsClient = Pick<CloudWatchLogsClient, 'send'>;

/** Why an event is sent: the judgement's witnesses, the control's benign events, reference examples. */
export type SampleRole = 'missed' | 'extra' | 'benign' | 'reference-example';

export interface ConfirmationSample {
  role: SampleRole;
  event: LogEvent;
}

/** Which pattern a disagreement is about: the filter's, or the control's reference. */
export type ConfirmedPattern = 'filter' | 'reference';

export interface Disagreement {
  event: LogEvent;
  role: SampleRole;
  pattern: ConfirmedPattern;
  /** Does cis-bot's engine (`matchesEvent`) match it? */
  engine: boolean;
  /** Does AWS's TestMetricFilter match it? */
  aws: boolean;
}

/** What `awsConfirmation` on the metric-filter link's evidence holds. */
export interface AwsConfirmation {
  /** true: AWS matched exactly what the engine matched; false: it did not; null: AWS could not be asked. */
  agreed: boolean | null;
  disagreements: Disagreement[];
  /** How many events were sent (per pattern). */
  tested: number;
  /** The filter pattern that was confirmed. */
  pattern: string;
  /** Where AWS was asked: the log group's account and region (absent for `cis-bot pattern compare`). */
  accountId?: string;
  region?: string;
  /** AWS evaluated the pattern but cis-bot's parser rejects it (the verdict SYNTAX_ERROR is then ours alone). */
  engineRejectsPattern?: boolean;
  /** Why AWS could not be asked (AccessDenied on logs:TestMetricFilter, unreachable account...). */
  error?: ProbeError;
  /**
   * The events AWS says the CIS reference pattern matches and the filter does not, whatever the engine
   * says (empty when AWS could not be asked). Any such event means the filter misses what CIS requires,
   * on AWS's own authority: the metric-filter link fails.
   */
  awsMissed?: Array<{ event: LogEvent; role: SampleRole }>;
}

/** TestMetricFilter takes 1 to 50 messages. */
const MAX_MESSAGES = 50;
const MAX_REFERENCE_EXAMPLES = 8;
/** A pattern nothing matches, to make the engine build an event a pattern matches (its `extra` witness). */
const NEVER = '{ ($.cisBotNever = "a") && ($.cisBotNever = "b") }';

const serialise = (event: LogEvent): string => (typeof event === 'string' ? event : JSON.stringify(event));

/** One event per top-level `||` branch of the reference (or one for the whole pattern), from the engine. */
export function referenceExamples(reference: string | Pattern): LogEvent[] {
  const p = typeof reference === 'string' ? parsePattern(reference) : reference;
  const branches: Pattern[] =
    p.kind === 'json' && p.expr.kind === 'or'
      ? p.expr.items.map((expr: JsonExpr): Pattern => ({ kind: 'json', expr }))
      : [p];
  const out: LogEvent[] = [];
  for (const branch of [...branches.slice(0, MAX_REFERENCE_EXAMPLES), p]) {
    const example = comparePatterns(branch, NEVER).extra;
    if (example !== null && matchesEvent(p, serialise(example))) out.push(example);
  }
  return out;
}

/** The events the judgement of `pattern` against `control` rests on, deduplicated, at most 50. */
export function confirmationSamples(
  pattern: string,
  control: Pick<MetricFilterControl, 'pattern'> & Partial<Pick<MetricFilterControl, 'benignEvents'>>,
): ConfirmationSample[] {
  const j = judgeFilter(pattern, control.pattern, control.benignEvents);
  const samples: ConfirmationSample[] = [];
  if (j.missed !== null) samples.push({ role: 'missed', event: j.missed });
  if (j.extra !== null) samples.push({ role: 'extra', event: j.extra });
  for (const event of control.benignEvents ?? []) samples.push({ role: 'benign', event });
  for (const event of referenceExamples(control.pattern)) samples.push({ role: 'reference-example', event });
  const seen = new Set<string>();
  return samples
    .filter((s) => {
      const text = serialise(s.event);
      // AWS rejects empty messages; a duplicate tells nothing new.
      if (text === '' || seen.has(text)) return false;
      seen.add(text);
      return true;
    })
    .slice(0, MAX_MESSAGES);
}

/** The 1-based numbers of the messages AWS says `pattern` matches. */
async function awsMatches(logs: LogsClient, pattern: string, messages: string[]): Promise<Set<number>> {
  const out = await logs.send(
    new TestMetricFilterCommand({ filterPattern: pattern, logEventMessages: messages }),
  );
  return new Set((out.matches ?? []).map((m) => m.eventNumber ?? 0));
}

export interface ConfirmRequest {
  /** The filter's pattern. */
  pattern: string;
  control: Pick<MetricFilterControl, 'pattern'> & Partial<Pick<MetricFilterControl, 'benignEvents'>>;
  /** A Logs client in the log group's account and region (the evaluator the filter runs under). */
  logs: LogsClient;
  accountId?: string;
  region?: string;
}

/**
 * Sends the samples to TestMetricFilter with the filter's pattern and with the reference, and compares
 * AWS's answers with the engine's. Never throws for AWS errors: they are recorded in `error`.
 * Returns the confirmation and the number of AWS calls made.
 */
export async function confirmPattern(
  req: ConfirmRequest,
): Promise<{ confirmation: AwsConfirmation; calls: number }> {
  const samples = confirmationSamples(req.pattern, req.control);
  const messages = samples.map((s) => serialise(s.event));
  const base = {
    pattern: req.pattern,
    ...(req.accountId !== undefined ? { accountId: req.accountId } : {}),
    ...(req.region !== undefined ? { region: req.region } : {}),
    tested: messages.length,
  };
  if (messages.length === 0) return { confirmation: { ...base, agreed: true, disagreements: [] }, calls: 0 };
  let calls = 0;
  let engineRejects = false;
  const disagreements: Disagreement[] = [];
  const awsSays: Partial<Record<ConfirmedPattern, Set<number>>> = {};
  try {
    for (const [which, text] of [
      ['filter', req.pattern],
      ['reference', req.control.pattern],
    ] as const) {
      calls++;
      const aws = await awsMatches(req.logs, text, messages);
      awsSays[which] = aws;
      // AWS evaluated it; if our parser rejects it, that is the disagreement (the engine matches nothing).
      const engine = parseOrNull(text);
      if (engine === null) engineRejects = true;
      messages.forEach((message, i) => {
        const sample = samples[i] as ConfirmationSample;
        const e = engine !== null && matchesEvent(engine, message);
        const a = aws.has(i + 1);
        if (e !== a)
          disagreements.push({ event: sample.event, role: sample.role, pattern: which, engine: e, aws: a });
      });
    }
  } catch (error) {
    return {
      confirmation: {
        ...base,
        agreed: null,
        disagreements,
        error: classifyError(error, 'logs:TestMetricFilter'),
      },
      calls,
    };
  }
  const awsMissed = samples.filter(
    (_s, i) => awsSays.reference?.has(i + 1) === true && awsSays.filter?.has(i + 1) !== true,
  );
  return {
    confirmation: {
      ...base,
      agreed: disagreements.length === 0 && !engineRejects,
      disagreements,
      ...(engineRejects ? { engineRejectsPattern: true } : {}),
      awsMissed: awsMissed.map((x) => ({ event: x.event, role: x.role })),
    },
    calls,
  };
}

function parseOrNull(text: string): Pattern | null {
  try {
    return parsePattern(text);
  } catch (error) {
    if (error instanceof PatternSyntaxError) return null;
    throw error;
  }
}

const ROLE_LABEL: Record<SampleRole, string> = {
  missed: 'the event the filter misses',
  extra: 'the extra event the filter catches',
  benign: 'a benign event',
  'reference-example': 'an example of the CIS pattern',
};

/** `signin:ConsoleLogin` for a CloudTrail-shaped event (the engine's witnesses are not), else its JSON. */
function eventLabel(event: LogEvent): string {
  const ct =
    typeof event !== 'string' && typeof event.eventSource === 'string' && typeof event.eventName === 'string';
  return ct ? callLabel(event) : showEvent(event, 160);
}

function describeDisagreement(c: AwsConfirmation): string {
  const first = c.disagreements[0];
  if (first === undefined) {
    return (
      "AWS's own evaluator (logs:TestMetricFilter) accepts this pattern, which cis-bot's parser rejects. " +
      "AWS's answer is the authority: check this verdict by hand."
    );
  }
  const events = new Set(c.disagreements.map((d) => serialise(d.event))).size;
  const whose = first.pattern === 'filter' ? 'the filter' : 'the CIS pattern';
  const says = (b: boolean) => (b ? 'matches' : 'does not match');
  return (
    `AWS's own evaluator (logs:TestMetricFilter) disagrees with cis-bot's engine on ${events} of ${c.tested} ` +
    `event(s): for ${eventLabel(first.event)} (${ROLE_LABEL[first.role]}), AWS says ${whose} ${says(first.aws)}, ` +
    `the engine says it ${first.engine ? 'does' : 'does not'}. AWS's answer is the authority: check this verdict by hand.`
  );
}

function describeError(e: ProbeError): string {
  return e.kind === 'access-denied'
    ? `Not confirmed with AWS: access denied to logs:TestMetricFilter (grant it to the audit role, or turn off aws.confirm_patterns); the engine's verdict stands.`
    : `Not confirmed with AWS (${e.action}: ${e.message}); the engine's verdict stands.`;
}

/**
 * AWS says the CIS pattern catches an event the filter misses: whatever the engine judged, the filter does
 * not cover the control (CIS-4.md: AWS is the authority).
 */
function describeAwsMiss(link: LinkResult, c: AwsConfirmation): string {
  const first = c.awsMissed?.[0] as { event: LogEvent; role: SampleRole };
  const count = c.awsMissed?.length ?? 0;
  const name = (link.evidence as { filterName?: unknown }).filterName;
  const verdict = (link.evidence as { verdict?: unknown }).verdict;
  const filter = typeof name === 'string' ? `Filter '${name}'` : 'The filter';
  const engine = typeof verdict === 'string' ? ` (cis-bot's engine judged it ${verdict})` : '';
  return (
    `${filter} misses events the CIS pattern catches, according to AWS's own evaluator (logs:TestMetricFilter): ` +
    `for ${eventLabel(first.event)} (${ROLE_LABEL[first.role]})${count > 1 ? ` and ${count - 1} more event(s)` : ''}, ` +
    `AWS says the CIS pattern matches and the filter does not${engine}. AWS's answer is the authority: ` +
    'the filter does not catch every event the control requires.'
  );
}

/**
 * The link with the confirmation recorded. AWS showing the filter missing an event the CIS pattern
 * catches (on AWS's own word) fails the link; any other disagreement makes a passing link `warn`.
 */
export function withConfirmation(link: LinkResult, c: AwsConfirmation): LinkResult {
  const evidence = { ...link.evidence, awsConfirmation: c };
  // A named deviation accepts exactly that this filter misses CIS events: AWS confirming a miss (or
  // disagreeing) is recorded and changes nothing about the accepted link.
  if (acceptedByOf(link)) return { ...link, evidence };
  if ((c.awsMissed?.length ?? 0) > 0 && link.status !== 'fail') {
    return { ...link, status: 'fail', detail: describeAwsMiss(link, c), evidence };
  }
  if (c.agreed === true) return { ...link, evidence };
  const note = c.agreed === false ? describeDisagreement(c) : describeError(c.error as ProbeError);
  return {
    ...link,
    status: c.agreed === false && link.status === 'pass' ? 'warn' : link.status,
    detail: `${link.detail} ${note}`,
    evidence,
  };
}

/** The filter pattern a metric-filter link judged: the chain's filter, or the closest one when none holds. */
function judgedPattern(link: LinkResult): string | undefined {
  const ev = link.evidence as { pattern?: unknown; filters?: Array<{ pattern?: unknown }> };
  if (typeof ev.pattern === 'string') return ev.pattern;
  const closest = ev.filters?.[0]?.pattern;
  return typeof closest === 'string' ? closest : undefined;
}

/** Clients for an account and region (throws UnreachableAccountError when no credentials reach it). */
export type ClientsAt = (accountId: string, region: string) => AwsClients;

/**
 * Confirms the metric-filter judgement of one finding with AWS and returns the finding with the outcome
 * on the metric-filter link (and its reason/warning count kept in step). Findings without a judged filter
 * (no log group, no filter at all, an earlier broken link) are returned as they are.
 */
export async function confirmFinding(
  finding: AccountFinding,
  control: MetricFilterControl,
  clientsAt: ClientsAt,
): Promise<{ finding: AccountFinding; calls: number }> {
  const index = finding.links.findIndex((l) => l.link === 'metric-filter');
  const link = finding.links[index];
  const accountId = finding.chain.logGroupAccountId;
  const region = finding.chain.logGroupRegion;
  const pattern = link ? judgedPattern(link) : undefined;
  if (!link || pattern === undefined || !accountId || !region) return { finding, calls: 0 };
  let clients: AwsClients;
  try {
    clients = clientsAt(accountId, region);
  } catch (error) {
    const confirmation: AwsConfirmation = {
      agreed: null,
      disagreements: [],
      tested: 0,
      pattern,
      accountId,
      region,
      error: classifyError(error, 'logs:TestMetricFilter'),
    };
    return { finding: replaceLink(finding, index, withConfirmation(link, confirmation)), calls: 0 };
  }
  // A filter accepted through a variant (4.2's SSO variant) is confirmed against that variant.
  const reference = (link.evidence as { reference?: unknown }).reference;
  const { confirmation, calls } = await confirmPattern({
    pattern,
    control: {
      pattern: typeof reference === 'string' ? reference : control.pattern,
      benignEvents: control.benignEvents,
    },
    logs: clients.logs,
    accountId,
    region,
  });
  return { finding: replaceLink(finding, index, withConfirmation(link, confirmation)), calls };
}

function replaceLink(finding: AccountFinding, index: number, next: LinkResult): AccountFinding {
  const before = finding.links[index] as LinkResult;
  if (next.status === 'fail' && before.status !== 'fail') {
    // The chain now breaks at its metric filter (a fail outranks any later error): it ends there, as
    // evaluate.ts ends a chain at its first failing link, and keeps only the resources before the filter.
    const {
      filterName: _f,
      filterPattern: _p,
      metric: _m,
      alarmName: _a,
      alarmArn: _aa,
      topicArn: _t,
      subscriptionArn: _s,
      ...chain
    } = finding.chain;
    return {
      ...finding,
      status: 'NON_COMPLIANT',
      brokenLink: next.link,
      reason: next.detail,
      links: [...finding.links.slice(0, index), next],
      chain,
    };
  }
  const links = finding.links.map((l, i) => (i === index ? next : l));
  let reason = finding.reason;
  if (finding.brokenLink === 'metric-filter' && reason === before.detail) reason = next.detail;
  if (finding.status === 'COMPLIANT' && before.status === 'pass' && next.status === 'warn') {
    // Keep "Chain holds: ...; N warning(s)." in step with the links (evaluate.ts's compliant reason).
    reason = reason.replace(
      /(?:; (\d+) warning\(s\))?\.$/,
      (_m, n: string | undefined) => `; ${Number(n ?? 0) + 1} warning(s).`,
    );
  }
  return { ...finding, links, reason };
}
