/**
 * Witnesses shown as CloudTrail records (issue 16): the fields CloudTrail always writes are added where
 * neither pattern looks, the witness's own fields are kept first and unchanged, and the decorated event
 * still proves the verdict. Checked on every JSON decision of the golden corpus, then case by case.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getMetricFilterControl } from '../../src/core/controls';
import {
  type Comparison,
  comparePatterns,
  type LogEvent,
  matchesEvent,
  parsePattern,
  type SelectorStep,
  withCloudTrailFields,
} from '../../src/core/filter-pattern';
import { selectorsOf } from '../../src/core/filter-pattern/cloudtrail-witness';
import { expectVerifiedWitnesses } from './helpers';

/** CloudTrail's fields that are not optional ("CloudTrail record contents"). */
const ALWAYS = [
  'eventVersion',
  'userIdentity',
  'eventTime',
  'eventSource',
  'eventName',
  'awsRegion',
  'sourceIPAddress',
  'userAgent',
  'requestParameters',
  'responseElements',
  'requestID',
  'eventID',
  'eventType',
  'recipientAccountId',
  'eventCategory',
];

const V41 = getMetricFilterControl('4.1').pattern;
const V43 = getMetricFilterControl('4.3').pattern;

function shown(candidate: string, reference: string): { bare: Comparison; decorated: Comparison } {
  const c = parsePattern(candidate);
  const r = parsePattern(reference);
  const bare = comparePatterns(c, r);
  return { bare, decorated: withCloudTrailFields(bare, c, r) };
}

/**
 * What is wrong with a decorated witness, if anything: it must keep the bare one's fields first with
 * the same values (an object the selectors reach into may gain free fields), add no field a selector
 * names, and carry every always-present field no selector names.
 */
function problems(bare: LogEvent, decorated: LogEvent, sels: (readonly SelectorStep[])[]): string[] {
  const b = bare as Record<string, unknown>;
  const d = decorated as Record<string, unknown>;
  const out: string[] = [];
  const bareKeys = Object.keys(b);
  if (JSON.stringify(Object.keys(d).slice(0, bareKeys.length)) !== JSON.stringify(bareKeys)) {
    out.push('the witness fields are not first');
  }
  for (const key of bareKeys) {
    const value = b[key];
    const container = value !== null && typeof value === 'object';
    if (!container && d[key] !== value) out.push(`${key} changed`);
    if (
      container &&
      JSON.stringify(d[key]).slice(0, JSON.stringify(value).length - 1) !== JSON.stringify(value).slice(0, -1)
    ) {
      out.push(`${key} lost fields`);
    }
  }
  for (const key of Object.keys(d)) {
    if (!Object.hasOwn(b, key) && sels.some((s) => s.length === 1 && s[0] === key)) out.push(`${key} added`);
  }
  for (const f of ALWAYS) {
    if (!sels.some((s) => s[0] === f) && !Object.hasOwn(d, f)) out.push(`${f} missing`);
  }
  return out;
}

describe('witnesses shown as CloudTrail records', () => {
  const golden = JSON.parse(readFileSync(join(__dirname, 'golden', 'decisions.json'), 'utf8')) as {
    decisions: { candidate: string; reference: string }[];
  };
  const jsonPairs = golden.decisions.filter(
    (d) => d.candidate.startsWith('{') && d.reference.startsWith('{'),
  );

  it(`still prove the verdict, on every JSON decision of the golden corpus (${jsonPairs.length})`, () => {
    const wrong: string[] = [];
    let decoratedCount = 0;
    for (const { candidate, reference } of jsonPairs) {
      const c = parsePattern(candidate);
      const r = parsePattern(reference);
      const bare = comparePatterns(c, r);
      const decorated = withCloudTrailFields(bare, c, r);
      const sels = [...selectorsOf(c), ...selectorsOf(r)];
      for (const role of ['missed', 'extra'] as const) {
        const b = bare[role];
        const d = decorated[role];
        if (b === null || d === null) {
          if (b !== d) wrong.push(`${candidate} vs ${reference}: ${role} appeared or vanished`);
          continue;
        }
        const line = JSON.stringify(d);
        const inC = matchesEvent(c, line);
        const inR = matchesEvent(r, line);
        if (role === 'missed' ? !inR || inC : !inC || inR)
          wrong.push(`${candidate} vs ${reference}: ${role} no longer proves it`);
        for (const p of problems(b, d, sels)) wrong.push(`${candidate} vs ${reference}: ${role} ${p}`);
        if (JSON.stringify(b) !== line) decoratedCount++;
      }
    }
    expect(wrong.slice(0, 10)).toEqual([]);
    expect(decoratedCount).toBeGreaterThan(1000);
  });

  it('fills a 4.13 witness with an EC2 call record around the engine event name', () => {
    const narrower = getMetricFilterControl('4.13').pattern.replace(
      '($.eventName = CreateRouteTable) || ',
      '',
    );
    const { decorated } = shown(narrower, getMetricFilterControl('4.13').pattern);
    expect(decorated.missed).toMatchObject({
      eventName: 'CreateRouteTable',
      eventSource: 'ec2.amazonaws.com',
      eventVersion: '1.09',
      userIdentity: { type: 'IAMUser', userName: 'alice' },
      awsRegion: 'us-east-1',
      sourceIPAddress: '203.0.113.10',
      eventType: 'AwsApiCall',
      recipientAccountId: '111122223333',
    });
    expect(Object.keys(decorated.missed as object)[0]).toBe('eventName');
  });

  it('never touches a field the patterns constrain: 4.1 keeps the engine sourceIPAddress and eventName', () => {
    const { bare, decorated } = shown(V41.replace(' }', ' && ($.eventName != "GetObject") }'), V41);
    const b = bare.missed as Record<string, unknown>;
    const d = decorated.missed as Record<string, unknown>;
    expect(d.eventName).toBe('GetObject');
    expect(d.sourceIPAddress).toBe(b.sourceIPAddress);
    expect(d.errorCode).toBe(b.errorCode);
    // Free fields are filled: the event source follows the event name.
    expect(d).toMatchObject({ eventSource: 's3.amazonaws.com', eventTime: expect.any(String) });
  });

  it('fills userIdentity beside a constrained identity type: a root record for 4.3', () => {
    const { bare, decorated } = shown('{ $.userIdentity.type = "Root" }', V43);
    const bareIdentity = (bare.extra as { userIdentity: Record<string, unknown> }).userIdentity;
    const identity = (decorated.extra as { userIdentity: Record<string, unknown> }).userIdentity;
    expect(bareIdentity.type).toBe('Root');
    // The engine's identity fields (type, and invokedBy when the witness has it) first and unchanged,
    // then a root caller's fields.
    expect(Object.keys(identity).slice(0, Object.keys(bareIdentity).length)).toEqual(
      Object.keys(bareIdentity),
    );
    expect(identity).toMatchObject({ ...bareIdentity, arn: 'arn:aws:iam::111122223333:root' });
    expect(identity).not.toHaveProperty('userName');
    expectVerifiedWitnesses('{ $.userIdentity.type = "Root" }', V43, decorated);
  });

  it('keeps the bare witness when the decoration would change what a pattern says of it', () => {
    // A term pattern reads the raw text: "alice" appears in the decorated record's identity.
    const candidate = parsePattern('alice');
    const reference = parsePattern('{ $.a = 1 }');
    const comparison: Comparison = { verdict: 'NARROWER', missed: { a: 1 }, extra: null };
    expect(withCloudTrailFields(comparison, candidate, reference).missed).toEqual({ a: 1 });
  });

  it('leaves raw-line witnesses and the comparison it was given alone', () => {
    const c = parsePattern('?AccessDenied ?UnauthorizedOperation');
    const r = parsePattern('AccessDenied');
    const bare = Object.freeze(comparePatterns(c, r));
    const decorated = withCloudTrailFields(bare, c, r);
    expect(decorated).toEqual(bare);
    expect(decorated).not.toBe(bare);
    const frozen = Object.freeze({
      verdict: 'NARROWER' as const,
      missed: Object.freeze({ eventName: 'X' }),
      extra: null,
    });
    withCloudTrailFields(frozen, parsePattern('{ $.eventName = Y }'), parsePattern('{ $.eventName = X }'));
    expect(frozen.missed).toEqual({ eventName: 'X' });
  });
});
