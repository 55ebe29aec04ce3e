/**
 * The registry's contract: every control, walked from the registry (so a new record is covered without
 * touching this file), is complete data the rest of the bot can rely on. Per kind: a chain control's
 * pattern and variants parse and mean what the record says, its benign events stay benign, its defaults
 * are complete and its own; every control names well-formed IAM actions and, for every link, the API
 * calls that can break it. The sandbox half (read actions = what the collector really calls) is in
 * read-actions.test.ts.
 */
import {
  buildRegistry,
  CIS_METRIC_ALARM,
  CIS_V4_SECTION_4,
  CONTROLS,
  type Control,
  getControl,
  getMetricFilterControl,
  type MetricFilterControl,
  metricFilterControls,
  type ServiceControl,
  UnknownControlError,
  unhandledKind,
} from '../../src/core/controls';
import { EVERY_CLOUDTRAIL_EVENT, judgeFilter } from '../../src/core/evaluate/filter-judge';
import { LINKS } from '../../src/core/evaluate/findings';
import { comparePatterns, matchesLogEvent, parsePattern, printPattern } from '../../src/core/filter-pattern';

const ALL = [...CONTROLS.values()].map((c) => [c.id, c] as const);
const IAM_ACTION = /^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$/;
const WRITE_VERB = /:(Put|Create|Delete|Subscribe|Set|Update|Enable|Disable|Tag|Untag)/;

/** A pattern means the same after the engine prints it canonically (the printer and parser agree). */
function expectStableMeaning(pattern: string): void {
  const printed = printPattern(parsePattern(pattern));
  expect(comparePatterns(printed, pattern).verdict).toBe('EQUIVALENT');
  expect(comparePatterns(pattern, pattern).verdict).toBe('EQUIVALENT');
}

function checkChainControl(c: MetricFilterControl): void {
  expect(c.pattern.length).toBeLessThanOrEqual(1024); // CloudWatch Logs' limit for a filter pattern
  expectStableMeaning(c.pattern);
  for (const v of c.variants) {
    expect(v.name).not.toBe('');
    expect(v.why.length).toBeGreaterThan(20);
    expectStableMeaning(v.pattern);
    expect({ variant: v.name, verdict: comparePatterns(v.pattern, c.pattern).verdict }).toEqual({
      variant: v.name,
      verdict: v.relation,
    });
  }

  const reference = parsePattern(c.pattern);
  const every = parsePattern(EVERY_CLOUDTRAIL_EVENT);
  expect(c.benignEvents.length).toBeGreaterThanOrEqual(3);
  for (const e of c.benignEvents) {
    expect(e).not.toHaveProperty('errorCode');
    expect(matchesLogEvent(every, e)).toBe(true); // shaped like a CloudTrail record
    expect(matchesLogEvent(reference, e)).toBe(false);
  }
  // So the CIS pattern is never rejected by its own data.
  expect(judgeFilter(c.pattern, c.pattern, c.benignEvents).covers).toBe(true);

  expect(c.defaults).toMatchObject(CIS_METRIC_ALARM);
  for (const name of [c.defaults.filterName, c.defaults.metricName, c.defaults.alarmName]) {
    expect(name).toMatch(/^[a-z0-9_]+$/);
  }
  // The chain has exactly the links the evaluation checks, and each can be broken by something.
  expect(Object.keys(c.breakingCalls).sort()).toEqual([...LINKS].sort());
  expect(c.readActions).toEqual(
    expect.arrayContaining(['cloudtrail:DescribeTrails', 'logs:DescribeMetricFilters']),
  );
}

function checkServiceControl(c: ServiceControl): void {
  expect(c.guidance.text.length).toBeGreaterThan(20);
  expect(c.guidance.cli).toMatch(/^aws /);
  // Enabling a service is a person's (billing) decision: nothing to grant for a remediation.
  expect(c.remediationActions).toEqual([]);
}

describe('control registry contract', () => {
  it('ids are unique, well formed, and the CIS v4.0.0 number of the control', () => {
    const ids = CIS_V4_SECTION_4.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...CONTROLS.keys()]).toEqual(ids);
    for (const c of CONTROLS.values()) {
      expect(c.id).toMatch(/^[1-9]\d*\.[1-9]\d*$/);
      expect(c.cis['v4.0.0']).toBe(c.id);
    }
  });

  it('names, metrics and alarms of the chain controls are their own (two controls never share an alarm)', () => {
    const chains = metricFilterControls();
    for (const field of ['filterName', 'metricName', 'alarmName'] as const) {
      const names = chains.map((c) => c.defaults[field]);
      expect({ field, unique: new Set(names).size }).toEqual({ field, unique: names.length });
    }
  });

  it.each(ALL)('%s is complete', (_id, c: Control) => {
    expect(c.cis['v3.0.0']).toMatch(/^\d+\.\d+$/);
    expect(c.title).toMatch(/^Ensure .+$/);
    expect(c.rationale.length).toBeGreaterThan(40);
    expect(['low', 'medium', 'high', 'critical']).toContain(c.severity);
    expect(c.readActions.length).toBeGreaterThan(0);
    for (const a of [...c.readActions, ...c.remediationActions]) expect(a).toMatch(IAM_ACTION);
    expect(c.readActions.filter((a) => WRITE_VERB.test(a))).toEqual([]);

    const links = Object.entries(c.breakingCalls);
    expect(links.length).toBeGreaterThan(0);
    for (const [link, calls] of links) {
      expect({ link, calls: calls.length > 0 }).toEqual({ link, calls: true });
      for (const call of calls) {
        expect(call.eventSource).toMatch(/^[a-z0-9-]+\.amazonaws\.com$/);
        expect(call.eventName).toMatch(/^[A-Z][A-Za-z0-9]+$/);
        expect(call.why.length).toBeGreaterThan(15);
      }
    }

    switch (c.kind) {
      case 'metric-filter-chain':
        checkChainControl(c);
        break;
      case 'service':
        checkServiceControl(c);
        break;
      default:
        unhandledKind(c);
    }
  });

  it('4.1 carries the CIS names, the v1.2.0 number and the v2.0.0+ pattern', () => {
    const c = getMetricFilterControl('4.1');
    expect(c.cis).toEqual({ 'v4.0.0': '4.1', 'v3.0.0': '4.1', 'v1.2.0': '3.1' });
    expect(c.title).toBe('Ensure unauthorized API calls are monitored');
    expect(c.defaults).toMatchObject({
      filterName: 'unauthorized_api_calls_metric',
      metricName: 'unauthorized_api_calls_metric',
      alarmName: 'unauthorized_api_calls_alarm',
    });
    expect(c.pattern).toContain('($.eventName!="HeadBucket")');
  });

  it('4.2 offers the SSO variant, NARROWER than its main pattern (successful IAM-user sign-ins only)', () => {
    const c = getMetricFilterControl('4.2');
    const [sso] = c.variants;
    expect(sso?.relation).toBe('NARROWER');
    expect(comparePatterns(sso?.pattern ?? '', c.pattern).missed).toMatchObject({
      eventName: 'ConsoleLogin',
    });
  });

  it('throws on a duplicate id and names unknown controls', () => {
    const first = CIS_V4_SECTION_4[0];
    if (!first) throw new Error('no controls');
    expect(() => buildRegistry([first], [first])).toThrow(/duplicate control id 4\.1/);
    expect(() => getControl('9.9')).toThrow(UnknownControlError);
    expect(() => getControl('9.9')).toThrow(/Unknown control "9\.9"\. Known controls: 4\.1, 4\.2/);
    expect(() => getMetricFilterControl('9.9')).toThrow(UnknownControlError);
  });
});
