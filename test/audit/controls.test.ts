/** The control registry's contract: every control is complete data the rest of the bot can rely on. */
import {
  buildRegistry,
  CIS_V4_SECTION_4,
  CONTROLS,
  getControl,
  UnknownControlError,
} from '../../src/core/controls';
import { comparePatterns, parsePattern } from '../../src/core/filter-pattern';

describe('control registry', () => {
  it('holds 4.1 to 4.15 in order', () => {
    expect([...CONTROLS.keys()]).toEqual(Array.from({ length: 15 }, (_, i) => `4.${i + 1}`));
  });

  it.each([...CONTROLS.values()].map((c) => [c.id, c] as const))('%s is complete', (_id, c) => {
    expect(c.cis['v4.0.0']).toBe(c.id);
    expect(c.cis['v3.0.0']).toBe(c.id);
    expect(c.title).toMatch(/^Ensure .+ monitored$/);
    expect(c.rationale.length).toBeGreaterThan(40);
    expect(['low', 'medium', 'high', 'critical']).toContain(c.severity);
    expect(c.kind).toBe('metric-filter-chain');
    // The reference pattern parses and is equivalent to itself under the engine (sanity of the data).
    expect(() => parsePattern(c.pattern)).not.toThrow();
    expect(comparePatterns(c.pattern, c.pattern).verdict).toBe('EQUIVALENT');
    expect(c.defaults).toMatchObject({
      metricNamespace: 'CISBenchmark',
      metricValue: '1',
      statistic: 'Sum',
      period: 300,
      threshold: 1,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      evaluationPeriods: 1,
    });
    expect(c.defaults.metricName).toMatch(/^[a-z0-9_]+$/);
    expect(c.defaults.alarmName).toMatch(/^[a-z0-9_]+$/);
    expect(c.readActions).toEqual(
      expect.arrayContaining([
        'cloudtrail:DescribeTrails',
        'logs:DescribeMetricFilters',
        'cloudwatch:DescribeAlarmsForMetric',
      ]),
    );
    for (const a of [...c.readActions, ...c.remediationActions])
      expect(a).toMatch(/^(cloudtrail|logs|cloudwatch|sns):[A-Z][A-Za-z]+$/);
  });

  it('4.1 carries the CIS names, the v1.2.0 number and the v2.0.0+ pattern', () => {
    const c = getControl('4.1');
    expect(c.cis).toEqual({ 'v4.0.0': '4.1', 'v3.0.0': '4.1', 'v1.2.0': '3.1' });
    expect(c.title).toBe('Ensure unauthorized API calls are monitored');
    expect(c.defaults).toMatchObject({
      filterName: 'unauthorized_api_calls_metric',
      metricName: 'unauthorized_api_calls_metric',
      alarmName: 'unauthorized_api_calls_alarm',
    });
    expect(c.pattern).toContain('($.eventName!="HeadBucket")');
  });

  it('throws on a duplicate id and names unknown controls', () => {
    const first = CIS_V4_SECTION_4[0];
    if (!first) throw new Error('no controls');
    expect(() => buildRegistry([first], [first])).toThrow(/duplicate control id 4\.1/);
    expect(() => getControl('9.9')).toThrow(UnknownControlError);
    expect(() => getControl('9.9')).toThrow(/Unknown control "9\.9"\. Known controls: 4\.1, 4\.2/);
  });
});
