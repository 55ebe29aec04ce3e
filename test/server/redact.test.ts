/**
 * The shared log redaction (src/core/redact) and the bot's one logger built on it (src/logger.ts, pino),
 * as the scheduler and the server use it.
 */
import { DEFAULT_MAX_DEPTH, redactText, redactValue } from '../../src/core/redact';
import { createLogger } from '../../src/logger';

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
  'SECRETDBPASSWORD',
  'SECRETAPPPASSWORD',
  'SECRETENVKEY',
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
    database: 'could not connect to postgres://cis:SECRETDBPASSWORD@db.internal:5432/cis',
    MicrosoftAppPassword: 'SECRETAPPPASSWORD',
    env: 'AWS_SECRET_ACCESS_KEY=SECRETENVKEY and AWS_SESSION_TOKEN=FwoGZXIvYXdzSECRETSESSION',
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
    expect(redactText('postgres://cis:pa55@db:5432/cis?sslmode=require')).toBe(
      'postgres://cis:[redacted]@db:5432/cis?sslmode=require',
    );
    expect(redactText('DATABASE_URL=postgresql://:pa55@db/cis')).toBe(
      'DATABASE_URL=postgresql://:[redacted]@db/cis',
    );
    expect(redactText('postgres://db.internal:5432/cis')).toBe('postgres://db.internal:5432/cis');
    expect(redactText('AWS_SECRET_ACCESS_KEY=wJalr/K7MDENG export')).toBe(
      'AWS_SECRET_ACCESS_KEY=[redacted] export',
    );
    expect(redactText('MicrosoftAppPassword: s3cr3t')).toBe('MicrosoftAppPassword: [redacted]');
    // A sentence about a secret is not one: configuration errors stay readable.
    expect(redactText('SLACK_BOT_TOKEN is not set: copy the token')).toBe(
      'SLACK_BOT_TOKEN is not set: copy the token',
    );
  });
});

describe('the bot logger, as the scheduler and the server use it', () => {
  it('writes one redacted JSON line per event, whatever the depth', () => {
    for (const component of ['scheduler', 'server']) {
      const lines: string[] = [];
      const log = createLogger(component, { write: (line) => lines.push(line) });
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

  it('writes one line per event, newlines escaped', () => {
    const lines: string[] = [];
    createLogger('server', { write: (line) => lines.push(line) }).info('a\nb', { token: 'x' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('\n');
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ msg: 'a\nb', token: '[redacted]' });
  });
});
