/**
 * deploy/grafana/cis-bot.json uses exactly the metrics cis-bot exports: every panel expression is parsed
 * with the Prometheus project's PromQL grammar (@prometheus-io/lezer-promql), and every metric it selects,
 * every label it matches on and every value it matches exactly must be in the registry's output once
 * each event the port names has been recorded. And every metric of cis-bot's own has a panel.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LRParser } from '@lezer/lr';
import { createPrometheusMetrics, METRIC_NAMES, type PrometheusMetrics } from '../../src/metrics';
import { parseExposition, type Sample } from '../support/prometheus-scrape';

// The grammar ships its types as an ES module; its CommonJS build is what jest loads.
const { parser } = require('@prometheus-io/lezer-promql') as { parser: LRParser };

interface Panel {
  title: string;
  type: string;
  targets?: Array<{ expr: string }>;
  panels?: Panel[];
}

const dashboard = JSON.parse(readFileSync(join(__dirname, '../../deploy/grafana/cis-bot.json'), 'utf8')) as {
  panels: Panel[];
};

function panels(list: Panel[]): Panel[] {
  return list.flatMap((p) => [p, ...panels(p.panels ?? [])]);
}

/** Grafana's own range variables are not PromQL: a duration stands in for them. */
function promql(expr: string): string {
  return expr.replace(/\$__(rate_interval|interval|range)/g, '5m');
}

interface Selector {
  metric: string;
  matchers: Array<{ label: string; op: string; value: string }>;
}

function selectors(expr: string): { selectors: Selector[]; errors: string[] } {
  const text = promql(expr);
  const found: Selector[] = [];
  const errors: string[] = [];
  const cursor = parser.parse(text).cursor();
  do {
    if (cursor.type.isError)
      errors.push(`syntax error at ${cursor.from}: ${text.slice(cursor.from, cursor.from + 20)}`);
    if (cursor.name === 'VectorSelector') {
      const node = cursor.node;
      const id = node.getChild('Identifier');
      const matchers = (node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? []).map(
        (m) => {
          const label = m.getChild('LabelName');
          const op = m.getChild('MatchOp');
          const value = m.getChild('StringLiteral');
          return {
            label: label ? text.slice(label.from, label.to) : '',
            op: op ? text.slice(op.from, op.to) : '',
            value: value ? JSON.parse(text.slice(value.from, value.to)) : '',
          };
        },
      );
      found.push({ metric: id ? text.slice(id.from, id.to) : '', matchers });
    }
  } while (cursor.next());
  return { selectors: found, errors };
}

/** Records every event the Metrics port names, for both platforms and with a failure each. */
function exercised(): PrometheusMetrics {
  const m = createPrometheusMetrics();
  m.auditRecorded({
    control: '4.1',
    trigger: 'slack',
    accounts: [{ accountId: '111111111111', status: 'COMPLIANT' }],
  });
  m.approvalDecision({ kind: 'remediation', decision: 'approve', outcome: 'recorded' });
  m.remediationStep({
    control: '4.1',
    accountId: '111111111111',
    call: 'logs:PutMetricFilter',
    status: 'done',
    durationMs: 40,
  });
  m.digestRun({ schedule: 'daily', trigger: 'scheduled', outcome: 'posted', durationMs: 2000 });
  m.awsCall({ service: 'CloudTrail', operation: 'DescribeTrails', durationMs: 30 });
  m.awsCall({ service: 'CloudTrail', operation: 'DescribeTrails', error: 'AccessDenied', durationMs: 30 });
  m.storeOperation({ store: 'sqlite', operation: 'getApproval', ok: true, durationMs: 1 });
  m.storeOperation({ store: 'postgres', operation: 'getApproval', ok: false, durationMs: 1000 });
  for (const platform of ['slack', 'teams']) {
    m.chatAck({ platform, status: 200, durationMs: 12 });
    m.chatRequest({ platform, request: 'audit', ok: true, durationMs: 900 });
  }
  for (const outcome of ['mapped', 'ignored-foreign', 'ignored-irrelevant', 'malformed'] as const) {
    m.driftEvent(outcome);
  }
  m.driftPollError();
  m.driftReaudit({ accountId: '111111111111', result: 'recorded' });
  for (const transition of ['broke', 'recovered'] as const) {
    m.driftAlert({ control: '4.1', accountId: '111111111111', transition, latencyMs: 1200 });
  }
  m.watchDriftPoller({ lastPollAt: () => Date.now(), oldestPendingAt: () => Date.now() - 5000 });
  m.drillEnded({
    control: '4.1',
    accountId: '111111111111',
    outcome: 'broken',
    cleanup: 'leftovers',
    resumed: true,
    durationMs: 8000,
  });
  m.exceptionChanged({ control: '4.1', accountId: '111111111111', change: 'granted' });
  const soon = new Date(Date.now() + 3 * 24 * 60 * 60 * 1000).toISOString();
  m.watchExceptions({
    valid: async () => [{ control: '4.1', accountId: '111111111111', expiresAt: soon }],
    now: () => new Date(),
  });
  return m;
}

it('every panel expression parses and selects only metrics, labels and values the registry exports', async () => {
  const { samples } = parseExposition(await exercised().registry.metrics());
  const byName = new Map<string, Sample[]>();
  for (const s of samples) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
  const problems: string[] = [];
  const used = new Set<string>();
  const queries = panels(dashboard.panels).flatMap((p) =>
    (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })),
  );
  expect(queries.length).toBeGreaterThan(20);
  for (const { panel, expr } of queries) {
    const parsed = selectors(expr);
    for (const error of parsed.errors) problems.push(`${panel}: ${error}`);
    if (parsed.selectors.length === 0) problems.push(`${panel}: selects no metric`);
    for (const { metric, matchers } of parsed.selectors) {
      used.add(metric);
      const series = byName.get(metric);
      if (!series) {
        problems.push(`${panel}: ${metric} is not exported`);
        continue;
      }
      for (const { label, op, value } of matchers) {
        if (!series.some((s) => label in s.labels))
          problems.push(`${panel}: ${metric} has no label ${label}`);
        else if (op === '=' && !series.some((s) => s.labels[label] === value)) {
          problems.push(`${panel}: ${metric}{${label}="${value}"} never occurs`);
        }
      }
    }
  }
  expect(problems).toEqual([]);
  // Every metric of cis-bot's own is on the dashboard (a histogram through its buckets or count).
  const unused = Object.values(METRIC_NAMES).filter(
    (name) => ![name, `${name}_bucket`, `${name}_count`].some((n) => used.has(n)),
  );
  expect(unused).toEqual([]);
  expect(used).toContain('nodejs_eventloop_lag_p99_seconds');
});

it('a metric the registry does not export is caught', () => {
  const parsed = selectors('sum(rate(cisbot_no_such_metric_total{x="y"}[$__rate_interval]))');
  expect(parsed.errors).toEqual([]);
  expect(parsed.selectors).toEqual([
    { metric: 'cisbot_no_such_metric_total', matchers: [{ label: 'x', op: '=', value: 'y' }] },
  ]);
  expect(selectors('sum(rate(cisbot_audits_total[5m]').errors.length).toBeGreaterThan(0);
});
