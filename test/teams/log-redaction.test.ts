/**
 * The Teams adapter's logger (the bot's pino logger, component "teams") and its error mapping: secrets are redacted at any depth (the
 * shared rules of src/core/redact), stacks included, and a store failure reaches chat as a reference only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeError } from '../../adapters/teams/errors';
import { UsageError } from '../../src/core/errors';
import { StoreError } from '../../src/core/ports/store';
import { createLogger } from '../../src/logger';
import { openStore } from '../../src/store';

const dir = mkdtempSync(join(tmpdir(), 'cis-bot-teams-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function nest(inner: unknown, depth: number): unknown {
  let value = inner;
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { level: value };
  return value;
}

describe('Teams JSON logger', () => {
  it('redacts a nested secret at every depth', () => {
    const lines: string[] = [];
    const log = createLogger('teams', { write: (line) => lines.push(line) });
    for (let depth = 0; depth <= 12; depth++) {
      log.info('event', {
        detail: nest(
          {
            MicrosoftAppPassword: 'app-password-SECRET',
            headers: { authorization: 'Bearer eyJhbGciOi.SECRET' },
            serviceUrl: 'https://smba.trafficmanager.net/emea/?token=SECRET',
          },
          depth,
        ),
      });
    }
    expect(lines).toHaveLength(13);
    for (const line of lines) {
      expect(line).not.toContain('SECRET');
      expect(JSON.parse(line)).toMatchObject({ component: 'teams', msg: 'event' });
    }
  });

  it('redacts the message and stack of an unexpected error before any logger sees them', () => {
    const error = new Error('POST failed: authorization: Bearer eyJhbGciOi.SECRET');
    const { text, log } = describeError(error);
    expect(text).toMatch(/unexpected error \(ref [0-9a-f]{8}\)/);
    expect(JSON.stringify(log)).not.toContain('SECRET');
    expect(log.stack).toEqual(expect.stringContaining('authorization: [redacted]'));
  });
});

describe('Teams error mapping', () => {
  it('shows our own messages, but a store failure only as a reference', () => {
    expect(describeError(new UsageError('Unknown command.')).text).toBe('Unknown command.');
    let storeError: unknown;
    try {
      openStore(dir); // a directory: the SQLite driver refuses it
    } catch (error) {
      storeError = error;
    }
    expect(storeError).toBeInstanceOf(StoreError);
    const { text, log } = describeError(storeError);
    expect(text).toMatch(/^cis-bot's database failed \(ref [0-9a-f]{8}\)/);
    expect(text).not.toContain(dir);
    expect(log).toMatchObject({ code: 'STORE', ref: /ref ([0-9a-f]{8})/.exec(text)?.[1] });
    expect(String(log.message)).toContain(dir);
  });
});
