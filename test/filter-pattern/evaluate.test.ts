/** The evaluator's semantics, one documented (or decided) rule per case. */
import { matchesEvent, matchesLogEvent, parsePattern } from '../../src/core/filter-pattern';

const m = (pattern: string, event: unknown): boolean =>
  matchesEvent(parsePattern(pattern), typeof event === 'string' ? event : JSON.stringify(event));

describe('JSON patterns', () => {
  it.each<[string, unknown, boolean]>([
    // AWS documentation examples
    ['{ $.eventType = "UpdateTrail" }', { eventType: 'UpdateTrail' }, true],
    ['{ $.sourceIPAddress != 123.123.* }', { sourceIPAddress: '111.111.111.111' }, true],
    ['{ $.arrayKey[0] = "value" }', { arrayKey: ['value', 'another value'] }, true],
    ['{ $.objectList[1].id = 2 }', { objectList: [{ id: 1 }, { id: 2 }] }, true],
    ['{ $.SomeObject IS NULL }', { SomeObject: null }, true],
    ['{ $.SomeOtherObject NOT EXISTS }', { SomeObject: null }, true],
    ['{ $.ThisFlag IS TRUE }', { ThisFlag: true }, true],
    ['{ $.users = 1 }', { users: [1, 2, 3] }, false],
    ['{ $.users != 1 }', { users: [1, 2, 3] }, false],
    ['{ $.coordinates[0][1] = 1 }', { coordinates: [[0, 1, 2]] }, true],
    ['{ $.latency = * }', { latency: 12 }, true],
    // case-sensitive, wildcards anywhere
    ['{ $.e = "AccessDenied*" }', { e: 'accessdenied' }, false],
    ['{ $.e = "*Denied*" }', { e: 'AccessDeniedException' }, true],
    ['{ $.e = "Ev*ent" }', { e: 'EvXYZent' }, true],
    ['{ $.e = "Ev*ent" }', { e: 'Event' }, true],
    // != on an absent field does not match; on null/number/boolean it does
    ['{ $.e != "x" }', {}, false],
    ['{ $.e != "x" }', { e: null }, true],
    ['{ $.e != "x" }', { e: 5 }, true],
    ['{ $.e != "x" }', { e: { nested: 1 } }, false],
    // = * : present non-null scalar
    ['{ $.e = * }', { e: '' }, true],
    ['{ $.e = * }', { e: false }, true],
    ['{ $.e = * }', { e: null }, false],
    ['{ $.e = * }', { e: {} }, false],
    ['{ $.e = * }', {}, false],
    // numbers compare numerically and only against numbers
    ['{ $.n = 400 }', { n: 400.0 }, true],
    ['{ $.n = 400 }', { n: '400' }, false],
    ['{ $.n = "400" }', { n: 400 }, false],
    ['{ $.n >= 1e3 }', { n: 1000 }, true],
    ['{ $.n < 5 }', { n: '4' }, false],
    ['{ $.n != 400 }', { n: '400' }, true],
    // NOT EXISTS: absent, including under a non-object parent
    ['{ $.a.b NOT EXISTS }', { a: 'text' }, true],
    ['{ $.a.b NOT EXISTS }', { a: { b: null } }, false],
    ['{ $.a NOT EXISTS }', { a: {} }, false],
    ['{ $.l[2] NOT EXISTS }', { l: [1, 2] }, true],
    // regex: search semantics on strings
    ['{ $.e = %Denied% }', { e: 'AccessDeniedException' }, true],
    ['{ $.e = %^Denied% }', { e: 'AccessDenied' }, false],
    ['{ $.e != %^Access% }', { e: 'Client.UnauthorizedOperation' }, true],
    // own properties only
    ['{ $.constructor NOT EXISTS }', {}, true],
    ['{ $.__proto__ = "x" }', '{"__proto__":"x"}', true],
  ])('%s on %j is %s', (pattern, event, expected) => {
    expect(m(pattern, event)).toBe(expected);
  });

  it('never matches a line that is not a JSON object', () => {
    for (const line of ['not json', '[1,2]', '42', '"text"', '{"a": 1', '']) {
      expect(m('{ $.a NOT EXISTS }', line)).toBe(false);
    }
  });

  it('applies the 4.1 precedence: exclusions bind to the AccessDenied clause only', () => {
    const p =
      '{ ($.errorCode ="*UnauthorizedOperation") || ($.errorCode ="AccessDenied*") && ($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }';
    expect(m(p, { errorCode: 'Client.UnauthorizedOperation', eventName: 'HeadBucket' })).toBe(true);
    expect(m(p, { errorCode: 'AccessDenied', eventName: 'HeadBucket', sourceIPAddress: '1.2.3.4' })).toBe(
      false,
    );
    expect(m(p, { errorCode: 'AccessDenied', eventName: 'GetObject', sourceIPAddress: '1.2.3.4' })).toBe(
      true,
    );
    expect(m(p, { errorCode: 'AccessDenied', eventName: 'GetObject' })).toBe(false);
  });

  it('matchesLogEvent accepts parsed events too', () => {
    const p = parsePattern('{ $.a = 1 }');
    expect(matchesLogEvent(p, { a: 1 })).toBe(true);
    expect(matchesLogEvent(p, '{"a":2}')).toBe(false);
    expect(matchesLogEvent(parsePattern('"a"'), { a: 1 })).toBe(true);
  });
});

describe('term patterns', () => {
  it.each<[string, string, boolean]>([
    ['ERROR', '[ERROR] A fatal exception has occurred', true],
    ['ERROR', 'Exiting with ERRORCODE: -1', true],
    ['"ERROR" - "Exiting"', 'Exiting with ERRORCODE: -1', false],
    ['ERROR Exception', '[ERROR] Caught IllegalArgumentException', true],
    ['"Failed to process the request"', '[WARN] Failed to process the request', true],
    ['"Failed to process the request"', 'Failed to process: the request', false],
    ['Failed to process the request', 'the request Failed to process', true],
    ['?ERROR ?WARN', 'WARN message', true],
    ['?ERROR ?WARN', 'INFO message', false],
    ['ERROR -WARN', 'ERROR WARN message', false],
    ['ERROR -WARN', 'ERROR message', true],
    ['error', 'ERROR', false],
    ['%AUTHORIZED%', '[ERROR 401] UNAUTHORIZED REQUEST', true],
    ['%^\\[ERROR%', '[ERROR 401] x', true],
    ['', 'anything at all', true],
  ])('%p on %p is %s', (pattern, line, expected) => {
    expect(m(pattern, line)).toBe(expected);
  });
});

describe('space-delimited patterns', () => {
  const apache = '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534';
  it.each<[string, string, boolean]>([
    ['[ip, user, username, timestamp, request, status_code, bytes]', apache, true],
    ['[ip, user, username, timestamp, request, status_code]', apache, false],
    ['[..., status_code, bytes]', apache, true],
    ['[ip, user, ...]', apache, true],
    ['[ip, user, username, timestamp, request = *html*, status_code = 4*, bytes]', apache, true],
    ['[ip, user, username, timestamp, request, status_code = 4* && bytes > 1000, bytes]', apache, true],
    ['[ip, user, username, timestamp, request, status_code = 4* && bytes > 2000, bytes]', apache, false],
    ['[ip, user, username, timestamp, request, status_code = 403 || status_code = 404, bytes]', apache, true],
    // AWS's own example: the empty slot after the trailing comma is a 7th (anonymous) field.
    ['[..., request=*.html*, status_code=4*,]', apache, true],
    ['[..., request=*.html*, status_code=4*, bytes]', apache, true],
    ['[w1=ERROR, w2]', 'ERROR message', true],
    ['[w1=ERROR, w2]', 'ERROR WARN message', false],
    ['[w1=ERROR || w1=WARN, w2]', 'WARN message', true],
    ['[w1!=ERROR && w1!=WARN, w2]', 'INFO message', true],
    ['[a, b > 10]', 'x notanumber', false],
    ['[a, b != 10]', 'x notanumber', true],
  ])('%p on the line is %s', (pattern, line, expected) => {
    expect(m(pattern, line)).toBe(expected);
  });
});
