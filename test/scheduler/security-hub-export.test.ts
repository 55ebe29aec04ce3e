/**
 * `schedules[].export.securityhub`: a scheduled digest run also sends its findings to the Security Hub of
 * the account cis-bot runs as (the real SDK client against the sandbox's Security Hub), and its digest
 * says so; an on-demand digest (`/cis digest now`) exports nothing; an export that loses findings is
 * posted with what failed and why.
 */

import { createFindingsExport } from '../../src/aws/security-hub';
import { AwsSession } from '../../src/aws/session';
import { platformCatalog } from '../../src/config/platform-settings';
import { enableHub } from '../../src/sandbox/securityhub-hub';
import { createScheduler } from '../../src/scheduler';
import { openStore } from '../../src/store';
import {
  captureLog,
  configWith,
  ManualClock,
  SECURITY_ACCOUNT,
  sandboxAuditor,
  slackPosts,
  startWorld,
  type World,
} from './helpers';

const REGION = 'eu-west-2';
const MONDAY_0700 = '2025-03-03T07:00:00.000Z';
const EXPORTING = {
  name: 'daily',
  cron: '0 7 * * 1-5',
  timezone: 'Europe/London',
  catch_up_minutes: 60,
  export: { securityhub: true },
};

let world: World;
let session: AwsSession;
beforeEach(async () => {
  world = await startWorld();
  session = new AwsSession({
    region: REGION,
    credentials: world.sandbox.credentialsFor(SECURITY_ACCOUNT),
    clientConfig: { endpoint: world.sandbox.endpoint, maxAttempts: 2 },
  });
});
afterEach(async () => {
  session.destroy();
  await world.close();
});

function setup() {
  const config = configWith([EXPORTING]);
  const store = openStore(world.tmp.file('cis.db'));
  const auditor = sandboxAuditor(config, world.sandbox, world.labels);
  const log = captureLog();
  const scheduler = createScheduler({
    config,
    platforms: platformCatalog(config),
    auditor,
    store,
    posters: world.posters,
    clock: new ManualClock('2025-03-03T07:00:02Z'),
    owner: 'replica-a',
    log,
    startTimers: false,
    exportFindings: createFindingsExport(session, REGION, { name: 'cis-bot', version: 'test' }),
  });
  const close = async () => {
    await scheduler.stop();
    auditor.close();
    store.close();
  };
  return { scheduler, store, log, close };
}

const imports = () => world.sandbox.calls.filter((c) => c.operation === 'BatchImportFindings');
const postedText = () => JSON.stringify(slackPosts(world.slack));

test('a scheduled run exports every finding and says so in the digest; an on-demand digest does not export', async () => {
  const region = world.sandbox.state.region(SECURITY_ACCOUNT, REGION);
  const hub = enableHub(region, REGION, { standards: [] });
  const { scheduler, store, close } = setup();
  try {
    expect(await scheduler.fire('daily', new Date(MONDAY_0700))).toBe('posted');
    expect(hub.findings.size).toBe(7);
    expect(imports()).toHaveLength(1);
    expect(postedText()).toContain('Security Hub (999900000001, eu-west-2): 7 of 7 finding(s) imported');
    const [entry] = (await store.listAuditLog({ limit: 50 })).filter((e) => e.kind === 'digest');
    expect(entry?.detail).toMatchObject({ securityHub: { findings: 7, imported: 7, failed: 0 } });

    await scheduler.runNow('daily', { platform: 'slack', userId: 'U0ALICE' }, { deliver: 'none' });
    expect(imports()).toHaveLength(1);
  } finally {
    await close();
  }
});

test('findings that did not reach Security Hub are posted with the error', async () => {
  const { scheduler, close } = setup();
  try {
    // No hub enabled in the security account: every finding fails.
    expect(world.sandbox.state.region(SECURITY_ACCOUNT, REGION).securityHub).toBeUndefined();
    expect(await scheduler.fire('daily', new Date(MONDAY_0700))).toBe('posted');
    expect(postedText()).toContain('Security Hub export incomplete.');
    expect(postedText()).toContain('InvalidAccessException');
  } finally {
    await close();
  }
});
