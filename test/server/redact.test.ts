/**
 * The shared log redaction (src/core/redact) and the JSON loggers built on it that live outside the chat
 * adapters: the scheduler's jsonLog and the server's (the same logger, component "server").
 */
import { DEFAULT_MAX_DEPTH, jsonLine, redactText, redactValue } from '../../src/core/redact';
import { jsonLog } from '../../src/scheduler';

const SECRETS = [
  'xoxb-1234-5678-SECRETBOT',
  'xoxp-1234-SECRETUSER',
  'xapp-1-A111-SECRETAPP',
  'xoxe.xoxp-1-SECRETREFRESH',
  'eyJhbGciOi.SECRETJWT',
  'wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY',
  'FwoGZXIvYXdzSECRETSESSION',
  'hunter2SECRETPASSWORD',
  'abc123SECRETSIGNING',
  'T1/123/SECRETHOOK',
  'sig=SECRETQUERY',
];

/** An object holding every kind of secret, by field name and by shape. */
function secrets(): Record<string, unknown> {
  return {
    botToken: 'xoxb-1234-5678-SECRETBOT',
    note: 'user token xoxp-1234-SECRETUSER and app token xapp-1-A111-SECRETAPP, refresh xoxe.xoxp-1-SECRETREFRESH',
    headers: { Authorization: 'Bearer eyJhbGciOi.SECRETJWT' },
    header: 'authorization: Bearer eyJhbGciOi.SECRETJWT',
    credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY' },
    sessionToken: 'FwoGZXIvYXdzSECRETSESSION',
    password: 'hunter2SECRETPASSWORD',
    signingSecret: 'abc123SECRETSIGNING',
    response_url: 'https://hooks.slack.com/actions/T1/123/SECRETHOOK',
    hook: 'posting to https://hooks.slack.com/commands/T1/123/SECRETHOOK now',
    presigned: 'https://bucket.s3.amazonaws.com/key?X-Amz-Signature=abc&sig=SECRETQUERY',
  };
}

function expectNoSecret(text: string): void {
  for (const secret of SECRETS) expect(text).not.toContain(secret);
}

/** `inner` wrapped in `depth` levels, alternating objects and arrays. */
function nest(inner: unknown, depth: number): unknown {
  let value = inner;
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { level: value };
  return value;
}

describe('redactValue', () => {
  it('redacts every kind of secret at every depth, and truncates past the limit', () => {
    for (let depth = 0; depth <= DEFAULT_MAX_DEPTH + 4; depth++) {
      const out = JSON.stringify(redactValue(nest(secrets(), depth)));
      expectNoSecret(out);
      if (depth < DEFAULT_MAX_DEPTH) expect(out).toContain('[redacted]');
      else expect(out).toContain('[truncated]');
    }
  });

  it('keeps what is not secret', () => {
    const out = redactValue(secrets()) as Record<string, unknown>;
    expect(out.credentials).toEqual('[redacted]');
    expect(out.note).toBe(
      'user token xoxp-[redacted] and app token xapp-[redacted], refresh xoxe.xoxp-[redacted]',
    );
    expect(out.presigned).toBe('https://bucket.s3.amazonaws.com/key?[redacted]');
    expect(out.hook).toBe('posting to https://hooks.slack.com/commands/[redacted] now');
    expect(redactValue({ event: 'x', count: 3, ok: true, at: new Date(0) })).toEqual({
      event: 'x',
      count: 3,
      ok: true,
      at: '1970-01-01T00:00:00.000Z',
    });
  });

  it('turns errors into name, message and code, redacted, and survives cycles', () => {
    const error = Object.assign(new Error('call failed with token=xoxb-1-SECRETBOT'), { code: 'E1' });
    const cyclic: Record<string, unknown> = { error };
    cyclic.self = cyclic;
    const out = redactValue(cyclic) as Record<string, unknown>;
    expect(out.error).toEqual({ name: 'Error', message: 'call failed with token=[redacted]', code: 'E1' });
    expect(out.self).toBe('[circular]');
  });

  it('redacts secrets written in prose', () => {
    expect(redactText('signing secret is abc123SECRETSIGNING')).toBe('signing secret is [redacted]');
    expect(redactText('{"token":"xyzSECRET"}')).toBe('{"token":"[redacted]"}');
  });
});

describe('the scheduler and server JSON loggers', () => {
  it('write one redacted JSON line per event, whatever the depth', () => {
    for (const component of ['scheduler', 'server']) {
      const lines: string[] = [];
      const log = jsonLog((line) => lines.push(line), component);
      log.info('deep', { detail: nest(secrets(), 6) });
      log.warn('shallow', secrets());
      log.error('error', { error: new Error('Bearer eyJhbGciOi.SECRETJWT rejected') });
      expect(lines).toHaveLength(3);
      for (const line of lines) {
        expectNoSecret(line);
        expect(JSON.parse(line)).toMatchObject({ component });
      }
    }
  });

  it('jsonLine is one line', () => {
    expect(jsonLine({ message: 'a\nb', token: 'x' })).toBe('{"message":"a\\nb","token":"[redacted]"}');
  });
});
