/**
 * Platforms are data: a chat platform the code base has never heard of ("matrix") is served by giving the
 * core its settings and the scheduler a poster for it, and nothing else. Levels, the allow-list, approvers
 * and schedule targets all follow the platform's settings, keyed by its id.
 */

import { coreSettings } from '../../src/config/core-settings';
import { loadConfig } from '../../src/config/load';
import { authorizeApprover } from '../../src/core/approvals';
import type { Card } from '../../src/core/cards';
import { ChatService } from '../../src/core/chat/chat-service';
import { parseCommand } from '../../src/core/commands';
import { RemediationRefused, UsageError } from '../../src/core/errors';
import type { PlatformSettings } from '../../src/core/platforms';
import type { ChatPoster, CommandContext } from '../../src/core/ports/chat';
import type { CoreSettings } from '../../src/core/settings';
import { createLogger } from '../../src/logger';
import { type CoreServices, createCoreServices } from '../../src/runtime';
import { bundledScenario, type SandboxRun, startSandboxRun } from '../../src/sandbox-run';
import { deliver, targetsOf, validateSchedules } from '../../src/scheduler';
import { openStore } from '../../src/store';

const MATRIX: PlatformSettings = {
  id: 'matrix',
  label: 'Matrix',
  allowedConversations: ['!secops:example.org', '!alerts:example.org'],
  levels: { '!alerts:example.org': 'error' },
  approvers: { users: ['@ann:example.org'], groups: [], requireDistinctApprover: true },
  wording: {
    approvers: 'Matrix user ids in approvals.matrix.users',
    distinctApproverSetting: 'approvals.matrix.require_distinct_approver',
    allowedConversationsSetting: 'matrix.allowed_rooms',
    targets: 'Matrix rooms',
    targetsSetting: 'Matrix room ids under targets.matrix',
    notConfigured: 'Matrix is not configured (set MATRIX_TOKEN)',
  },
};

let run: SandboxRun;
let services: CoreServices;
let settings: CoreSettings;
let chat: ChatService;

beforeAll(async () => {
  run = await startSandboxRun(bundledScenario('audit-demo'), { roleAccounts: [] });
  const config = loadConfig({
    document: { aws: { region: run.defaultRegion }, notifications: { default_level: 'verbose' } },
    env: {},
  });
  services = createCoreServices({
    config,
    session: run.session,
    region: run.defaultRegion,
    store: openStore(':memory:'),
  });
  const base = coreSettings(config);
  const platforms = { ...base.platforms, matrix: MATRIX };
  settings = { ...base, platforms, approvals: { ...base.approvals, platforms } };
  chat = new ChatService({
    settings,
    auditor: services.auditor,
    store: services.store,
    approvals: services.approvals,
    accounts: services.accounts,
  });
});

afterAll(async () => {
  await services?.store.close();
  await run?.close();
});

const inRoom = (room: string): CommandContext => ({
  actor: { platform: 'matrix', userId: '@bob:example.org' },
  conversation: { platform: 'matrix', id: room },
});

test("a conversation's level comes from its platform's settings", () => {
  expect(chat.levelFor({ platform: 'matrix', id: '!alerts:example.org' })).toBe('error');
  expect(chat.levelFor({ platform: 'matrix', id: '!secops:example.org' })).toBe('verbose');
  expect(chat.levelFor({ platform: 'nowhere', id: 'x' })).toBe('verbose');
});

test("the platform's allow-list holds in the core, for commands and clicks", async () => {
  expect((await chat.run(parseCommand('help'), inRoom('!secops:example.org'))).length).toBe(1);
  await expect(chat.run(parseCommand('help'), inRoom('!random:example.org'))).rejects.toThrow(
    new UsageError(
      'cis-bot does not take commands in this conversation; ask an admin to add it to matrix.allowed_rooms.',
    ),
  );
  const click = await chat.click(
    { actionId: 'cis:approve', value: 'ap-1' },
    inRoom('!random:example.org'),
    async () => {},
  );
  expect(click).toEqual({
    kind: 'refused',
    message:
      'cis-bot does not take button clicks in this conversation; ask an admin to add it to matrix.allowed_rooms.',
  });
});

test("approvers are the platform's, and refusals point at its configuration", () => {
  const approval = { id: 'ap1', requestedBy: { platform: 'matrix', userId: '@bob:example.org' } };
  expect(() =>
    authorizeApprover(settings.approvals, { platform: 'matrix', userId: '@ann:example.org' }, approval),
  ).not.toThrow();
  expect(() =>
    authorizeApprover(settings.approvals, { platform: 'matrix', userId: '@eve:example.org' }, approval),
  ).toThrow(
    new RemediationRefused(
      'forbidden',
      '@eve:example.org may not approve remediations on matrix: approvers are the Matrix user ids in approvals.matrix.users.',
    ),
  );
});

test("schedules post to the platform's conversations through its poster", async () => {
  const schedule = {
    name: 'daily',
    cron: '0 7 * * *',
    timezone: 'UTC',
    controls: ['4.1'],
    accounts: [],
    level: 'info' as const,
    targets: { matrix: ['!secops:example.org'] },
    catch_up_minutes: 60,
  };
  expect(() => validateSchedules([schedule], { platforms: [], catalog: settings.platforms })).toThrow(
    /"daily": targets Matrix rooms but Matrix is not configured \(set MATRIX_TOKEN\)\./,
  );
  expect(() =>
    validateSchedules([schedule], { platforms: ['matrix'], catalog: settings.platforms }),
  ).not.toThrow();
  const posted: Array<[string, readonly Card[]]> = [];
  const poster: ChatPoster = {
    platform: 'matrix',
    post: async (room, cards) => {
      posted.push([room, cards]);
    },
  };
  const card: Card = { summary: 'digest', elements: [{ type: 'text', text: 'all compliant' }] };
  const deliveries = await deliver(
    new Map([['matrix', poster]]),
    targetsOf(schedule),
    [card],
    createLogger('test', { write: () => {} }),
    {},
  );
  expect(deliveries).toEqual([{ platform: 'matrix', id: '!secops:example.org' }]);
  expect(posted).toEqual([['!secops:example.org', [card]]]);
});
