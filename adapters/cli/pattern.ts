/**
 * `cis-bot pattern ...`: the filter-pattern engine for people writing patterns (e.g. in Terraform).
 *   pattern compare '<candidate>' [--control 4.1 | --reference '<pattern>'] [--output text|json]
 *     exit 0: the candidate covers the reference (EQUIVALENT or BROADER); 1: it does not (or we
 *     cannot tell: UNKNOWN); 2: a pattern does not parse (the message names the position) or the
 *     options are wrong.
 *     --confirm-with-aws: also send the events the verdict rests on to logs:TestMetricFilter (AWS's own
 *     evaluator, with the SDK's standard credentials and region) and report any disagreement; AWS's
 *     answer is the authority, so a disagreement makes the exit code 1.
 *   pattern test '<pattern>' [--output text|json] < events.jsonl
 *     prints which lines (JSON events or raw log lines) match; exit 0 when at least one matches,
 *     1 when none does (like grep), 2 on a parse error.
 * All I/O goes through `io`, so the lead's main CLI and the tests supply their own.
 */
import type { Command } from 'commander';
import { type AwsConfirmation, confirmPatternWithAws, type SdkClientConfig } from '../../src/cli-runtime';
import { CONTROLS, metricFilterControls } from '../../src/core/controls/registry';
import { type MetricFilterControl, unhandledKind } from '../../src/core/controls/types';
import { judgeFilter } from '../../src/core/evaluate/filter-judge';
import {
  type Comparison,
  comparePatterns,
  covers,
  matchesEvent,
  type Pattern,
  PatternSyntaxError,
  parsePattern,
  withCloudTrailFields,
} from '../../src/core/filter-pattern';
import { isOutputFormat, type OutputFormat } from '../../src/core/inputs';

export interface PatternCliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  stdin: () => Promise<string>;
  setExitCode: (n: number) => void;
  /** Test hook for --confirm-with-aws: SDK client settings (endpoint, retries). */
  clientConfig?: SdkClientConfig;
}

type Output = OutputFormat;

const EXPLAIN: Record<Comparison['verdict'], string> = {
  EQUIVALENT: 'the candidate matches exactly the events the reference matches',
  BROADER: 'the candidate matches every event the reference matches, and more',
  NARROWER: 'the candidate misses some events the reference matches',
  OVERLAPPING: 'each pattern matches events the other misses',
  DISJOINT: 'no event matches both patterns',
  UNKNOWN: 'the engine cannot decide this comparison exactly',
};

function outputOf(value: unknown): Output | null {
  if (value === undefined) return 'text';
  return isOutputFormat(value) ? value : null;
}

/** Parses `text`, or reports the syntax error (with a caret under the position) and returns null. */
function parseOrReport(text: string, label: string, output: Output, io: PatternCliIo): Pattern | null {
  try {
    return parsePattern(text);
  } catch (error) {
    if (!(error instanceof PatternSyntaxError)) throw error;
    if (output === 'json') {
      io.stdout(
        `${JSON.stringify({
          error: error.code,
          pattern: label,
          position: error.position,
          expected: error.expected,
          message: error.message,
        })}\n`,
      );
    } else {
      const shown = text.length > 200 ? `${text.slice(0, 200)}...` : text;
      const caret = error.position <= 200 ? `\n  ${' '.repeat(error.position)}^` : '';
      io.stderr(`${label} pattern: ${error.message}\n  ${shown}${caret}\n`);
    }
    io.setExitCode(2);
    return null;
  }
}

/** Reports a usage mistake (exit code 2); callers return right after. */
function usage(io: PatternCliIo, message: string): void {
  io.stderr(`${message}\n`);
  io.setExitCode(2);
}

function formatEvent(event: Comparison['missed']): string {
  return event === null ? 'none' : JSON.stringify(event);
}

interface CompareOptions {
  control?: string;
  reference?: string;
  output?: string;
  confirmWithAws?: boolean;
}

/** The control `--control` names, from the registry, when it has a pattern; else the usage message. */
function patternControl(id: string): MetricFilterControl | { problem: string } {
  const control = CONTROLS.get(id);
  const withPattern = metricFilterControls()
    .map((c) => c.id)
    .join(', ');
  if (!control) return { problem: `unknown control ${id}: known controls are ${withPattern}` };
  switch (control.kind) {
    case 'metric-filter-chain':
      return control;
    case 'service':
      return { problem: `control ${id} has no filter pattern: controls with one are ${withPattern}` };
    default:
      return unhandledKind(control);
  }
}

/** Asks logs:TestMetricFilter about the events the verdict rests on (src/aws/confirm-pattern.ts). */
function askAws(
  candidate: string,
  reference: string,
  control: MetricFilterControl | undefined,
  io: PatternCliIo,
): Promise<AwsConfirmation> {
  const benign = control?.benignEvents;
  return confirmPatternWithAws({
    candidate,
    reference,
    ...(benign !== undefined ? { benignEvents: benign } : {}),
    ...(io.clientConfig ? { clientConfig: io.clientConfig } : {}),
  });
}

function describeConfirmation(c: AwsConfirmation): string {
  if (c.agreed === true) return `aws: TestMetricFilter agrees with the engine on all ${c.tested} event(s)`;
  if (c.agreed === false) {
    const lines = c.disagreements.map(
      (d) =>
        `  ${d.pattern} pattern, ${d.role} event ${JSON.stringify(d.event)}: AWS ${d.aws ? 'matches' : 'does not match'}, engine ${d.engine ? 'matches' : 'does not match'}`,
    );
    return [
      `aws: TestMetricFilter DISAGREES with the engine (AWS's answer is the authority):`,
      ...lines,
    ].join('\n');
  }
  return `aws: not confirmed (${c.error?.kind === 'access-denied' ? 'access denied to logs:TestMetricFilter' : (c.error?.message ?? 'unknown error')})`;
}

async function compareCommand(candidateText: string, opts: CompareOptions, io: PatternCliIo): Promise<void> {
  const output = outputOf(opts.output);
  if (output === null) {
    usage(io, `--output must be text or json, not ${String(opts.output)}`);
    return;
  }
  if (opts.control !== undefined && opts.reference !== undefined) {
    usage(io, 'give either --control or --reference, not both');
    return;
  }
  let referenceText: string;
  let referenceLabel: string;
  let control: MetricFilterControl | undefined;
  if (opts.reference !== undefined) {
    referenceText = opts.reference;
    referenceLabel = 'the reference pattern';
  } else {
    const found = patternControl(opts.control ?? '4.1');
    if ('problem' in found) {
      usage(io, found.problem);
      return;
    }
    control = found;
    referenceText = control.pattern;
    referenceLabel = `the CIS v4.0.0 ${control.id} pattern`;
  }
  const candidate = parseOrReport(candidateText, 'candidate', output, io);
  if (candidate === null) return;
  const reference = parseOrReport(referenceText, 'reference', output, io);
  if (reference === null) return;
  // Witness events shown as CloudTrail records (the fields CloudTrail always writes, where neither
  // pattern looks; re-checked with both patterns).
  const result = withCloudTrailFields(comparePatterns(candidate, reference), candidate, reference);
  // Against a control, apply the audit's own rule: a filter that fires on everything, or on ordinary
  // successful calls, does not count even when it is formally BROADER (same answer as `cis-bot audit`).
  const rejection = control
    ? judgeFilter(candidateText, referenceText, control.benignEvents).rejection
    : undefined;
  const accepted = covers(result) && rejection === undefined;
  const aws = opts.confirmWithAws ? await askAws(candidateText, referenceText, control, io) : undefined;
  if (output === 'json') {
    io.stdout(
      `${JSON.stringify({
        verdict: result.verdict,
        missed: result.missed,
        extra: result.extra,
        ...(result.note !== undefined ? { note: result.note } : {}),
        ...(rejection !== undefined ? { rejected: rejection.detail } : {}),
        ...(aws !== undefined ? { awsConfirmation: aws } : {}),
      })}\n`,
    );
  } else {
    const lines = [
      `verdict: ${result.verdict} against ${referenceLabel}: ${EXPLAIN[result.verdict]}`,
      `missed (the reference matches it, the candidate does not): ${formatEvent(result.missed)}`,
      `extra (the candidate matches it, the reference does not): ${formatEvent(result.extra)}`,
    ];
    if (result.note !== undefined) lines.push(`note: ${result.note}`);
    if (rejection !== undefined) lines.push(`rejected: it ${rejection.detail}`);
    lines.push(accepted ? 'covers: yes' : 'covers: no');
    if (aws !== undefined) lines.push(describeConfirmation(aws));
    io.stdout(`${lines.join('\n')}\n`);
  }
  io.setExitCode(accepted && aws?.agreed !== false ? 0 : 1);
}

async function testCommand(patternText: string, opts: { output?: string }, io: PatternCliIo): Promise<void> {
  const output = outputOf(opts.output);
  if (output === null) {
    usage(io, `--output must be text or json, not ${String(opts.output)}`);
    return;
  }
  const pattern = parseOrReport(patternText, 'the', output, io);
  if (pattern === null) return;
  const input = await io.stdin();
  const matches: { line: number; event: string }[] = [];
  let total = 0;
  input.split('\n').forEach((raw, i) => {
    const event = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (event.trim() === '') return;
    total++;
    if (matchesEvent(pattern, event)) matches.push({ line: i + 1, event });
  });
  if (output === 'json') {
    io.stdout(`${JSON.stringify({ total, matched: matches.length, matches })}\n`);
  } else {
    for (const m of matches) io.stdout(`line ${m.line}: ${m.event}\n`);
    io.stdout(`${matches.length} of ${total} event${total === 1 ? '' : 's'} matched\n`);
  }
  io.setExitCode(matches.length > 0 ? 0 : 1);
}

/** Adds `pattern compare` and `pattern test` to `program`. */
export function registerPatternCommands(program: Command, io: PatternCliIo): void {
  const pattern = program
    .command('pattern')
    .description('parse, test and compare CloudWatch Logs metric-filter patterns');
  pattern
    .command('compare')
    .description('compare a pattern with a CIS control pattern (default 4.1) or another pattern')
    .argument('<candidate>', 'the filter pattern to judge')
    .option('--control <id>', 'compare with the pattern of this CIS v4.0.0 control (default 4.1)')
    .option('--reference <pattern>', 'compare with this pattern instead of a control')
    .option('--output <format>', 'text or json', 'text')
    .option(
      '--confirm-with-aws',
      "also ask AWS's own evaluator (logs:TestMetricFilter, standard AWS credentials) about the witness events",
    )
    .action(async (candidate: string, opts: CompareOptions) => {
      await compareCommand(candidate, opts, io);
    });
  pattern
    .command('test')
    .description('print which log events (one per line on stdin, JSON or text) the pattern matches')
    .argument('<pattern>', 'the filter pattern')
    .option('--output <format>', 'text or json', 'text')
    .action(async (text: string, opts: { output?: string }) => {
      await testCommand(text, opts, io);
    });
}
