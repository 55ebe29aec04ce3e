/**
 * The one redaction every log line goes through (Slack, Teams, scheduler, server, start-up): removes
 * Slack tokens, bearer credentials, secret-named fields (AWS secret keys and session tokens, signing
 * secrets, passwords), passwords in URLs and URL query strings / Slack hook paths, at any depth. Values nested deeper than
 * the limit become '[truncated]' rather than being written unredacted.
 */

/** Past this many levels of objects/arrays a value is replaced by '[truncated]'. */
export const DEFAULT_MAX_DEPTH = 8;

const TEXT_PATTERNS: ReadonlyArray<[RegExp, string]> = [
  // Slack bot/user/app/refresh tokens: xoxb-, xoxp-, xoxa-, xoxe-, xoxe.xoxp-, xapp-.
  [/\b(xox[a-z](?:\.xox[a-z])?|xapp)-[A-Za-z0-9-]+/g, '$1-[redacted]'],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [redacted]'],
  // Slack response_url / incoming-webhook paths are credentials in themselves.
  [/(https?:\/\/[^/\s"']+\/(?:commands|actions|services|workflows|triggers)\/)[^\s"'?#]+/g, '$1[redacted]'],
  // Query strings may carry signatures (presigned URLs) or tokens.
  [/(https?:\/\/[^\s"'?#]+\?)[^\s"'#]+/g, '$1[redacted]'],
  // A password in a URL's user info: postgres://cis:PASSWORD@db:5432/cis, or without a user name
  // (postgresql://:PASSWORD@db/cis, which libpq accepts).
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:@/"']*:)[^\s@/"']+@/gi, '$1[redacted]@'],
  // `token=...`, `"secret": "..."`, `password is ...`, `AWS_SECRET_ACCESS_KEY=...`, `MicrosoftAppPassword: ...`;
  // not the words of a sentence about one ("SLACK_BOT_TOKEN is not set" stays readable).
  [
    /((?:token|secret|password|passwd|signature|authorization|credential)[\w-]*["']?(?:\s*[:=]\s*|\s+is\s+(?!(?:not|missing|empty|invalid|required|expired|wrong|too|set|unset|a|an|the)\b))["']?)(?:Bearer\s+)?[^"'&\s,}]+/gi,
    '$1[redacted]',
  ],
];

/** Field names whose values are secrets whatever they look like. */
const SECRET_KEY =
  /token|secret|password|passwd|signing|signature|authorization|cookie|credential|response_?url|api_?key|private_?key/i;

/** Removes anything that looks like a credential from a string. */
export function redactText(text: string): string {
  return TEXT_PATTERNS.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text);
}

/** True when a field of this name holds a secret (its value is never logged). */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

export interface RedactOptions {
  maxDepth?: number;
}

/**
 * A copy of `value` fit for a log line: secret-named fields are '[redacted]', strings are passed through
 * redactText, errors become {name, message, code, stack?}, and anything deeper than maxDepth becomes
 * '[truncated]'. Never throws (cycles become '[circular]').
 */
export function redactValue(value: unknown, options: RedactOptions = {}): unknown {
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  const seen = new WeakSet<object>();
  const walk = (v: unknown, key: string, depth: number): unknown => {
    if (key !== '' && isSecretKey(key) && v !== undefined && v !== null && v !== '') return '[redacted]';
    if (typeof v === 'string') return redactText(v);
    if (typeof v === 'bigint') return v.toString();
    if (v === null || typeof v !== 'object') return typeof v === 'function' ? undefined : v;
    if (depth >= maxDepth) return '[truncated]';
    if (seen.has(v)) return '[circular]';
    seen.add(v);
    try {
      if (v instanceof Error) {
        const code = (v as { code?: unknown }).code;
        return {
          name: v.name,
          message: redactText(v.message),
          ...(code !== undefined ? { code: walk(code, '', depth + 1) } : {}),
        };
      }
      if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString();
      if (Array.isArray(v)) return v.map((item) => walk(item, '', depth + 1));
      const toJSON = (v as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') return walk(toJSON.call(v), key, depth);
      return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, walk(item, k, depth + 1)]));
    } finally {
      seen.delete(v);
    }
  };
  return walk(value, '', 0);
}

/** `redactValue` for the fields of one log line. */
export function redactFields(
  fields: Record<string, unknown>,
  options?: RedactOptions,
): Record<string, unknown> {
  return redactValue(fields, options) as Record<string, unknown>;
}
