/**
 * The Slack adapter's logger (Bolt's Logger over the bot's pino logger) and edge handler: secrets are
 * redacted at any depth (the shared rules of src/core/redact), and a store failure reaches chat as a
 * reference only, its driver text in the log.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { boltLogger } from '../../adapters/slack/log';
import { createSlackAdapter, type SlackAdapter } from '../../adapters/slack/slack-adapter';
import { StoreError } from '../../src/core/ports/store';
import { createLogger } from '../../src/logger';
import { openStore } from '../../src/store';
import { FakeSlackApi } from '../support/fake-slack-api';
import { postSigned, RecordingCore, recordingLogger, slackConfig, slashCommandBody } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'cis-bot-slack-log-'));
let fake: FakeSlackApi | undefined;
let adapter: SlackAdapter | undefined;

afterAll(async () => {
  await adapter?.stop();
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** `inner` wrapped in `depth` levels, alternating objects and arrays. */
function nest(inner: unknown, depth: number): unknown {
  let value = inner;
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { level: value };
  return value;
}

describe('Slack JSON logger', () => {
  it('redacts a nested secret at every depth (the reviewer proof)', () => {
    const lines: string[] = [];
    const log = boltLogger(createLogger('slack', { write: (s) => lines.push(s) }));
    for (let depth = 0; depth <= 12; depth++) {
      log.info({
        event: 'x',
        detail: nest(
          {
            botToken: 'xoxb-1234-SECRET',
            signing: 'sekretSECRET',
            url: 'https://hooks.slack.com/actions/T1/123/SECRET',
            authorization: 'Bearer eyJhbGciOi.SECRET',
            text: 'sent with xoxp-99-SECRET',
          },
          depth,
        ),
      });
    }
    log.info({ event: 'y', list: [[[[[{ authorization: 'Bearer eyJhbGciOi.SECRET' }]]]]] });
    log.warn('signing secret is', 'abc123SECRET');
    log.error(new Error('failed for token=xoxb-1-SECRET'));
    expect(lines).toHaveLength(16);
    for (const line of lines) expect(line).not.toContain('SECRET');
    expect(JSON.parse(lines[14] ?? '{}')).toMatchObject({ msg: 'signing secret is [redacted]' });
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
      level: 'info',
      component: 'slack',
      msg: 'x',
      event: 'x',
    });
  });

  it("writes below the bot's level only when LOG_LEVEL allows it, whatever Bolt sets", () => {
    const lines: string[] = [];
    const log = boltLogger(createLogger('slack', { level: 'info', write: (s) => lines.push(s) }), 'info');
    log.setLevel('debug' as Parameters<typeof log.setLevel>[0]);
    log.debug('request body', { token: 'xoxb-1-SECRET' });
    log.info('kept');
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['kept']);
    expect(log.getLevel()).toBe('debug');
  });
});

describe('Slack edge handler', () => {
  it('shows a store failure as a reference and logs the driver detail under it', async () => {
    let storeError: unknown;
    try {
      openStore(dir); // a directory, not a database file: the driver refuses it
    } catch (error) {
      storeError = error;
    }
    expect(storeError).toBeInstanceOf(StoreError);
    const detail = (storeError as StoreError).message;
    expect(detail).toContain(dir);

    fake = await FakeSlackApi.start();
    const core = new RecordingCore();
    core.onRun = async () => {
      throw storeError;
    };
    const log = recordingLogger();
    adapter = createSlackAdapter({ config: slackConfig(fake.apiUrl), core, logger: log.logger });
    await adapter.start({ port: 0, host: '127.0.0.1' });
    const address = adapter.server?.address();
    if (!address || typeof address === 'string') throw new Error('not listening');
    await postSigned(`http://127.0.0.1:${address.port}/slack/events`, {
      body: slashCommandBody({ text: '4.1 audit', response_url: fake.responseUrl() }),
    });
    await adapter.idle();
    const text = fake.callsTo('chat.update')[0]?.args.text as string;
    expect(text).toMatch(/^:warning: cis-bot's database failed \(ref [0-9a-f]{8}\)/);
    expect(text).not.toContain(dir);
    const ref = /ref ([0-9a-f]{8})/.exec(text)?.[1];
    const line = log.lines.find((l) => l.includes(`"ref":"${ref}"`));
    expect(line).toBeDefined();
    expect(line).toContain(dir);
    expect(line).toContain('"code":"STORE"');
  });
});
