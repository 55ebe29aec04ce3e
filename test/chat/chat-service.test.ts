/**
 * The chat core with the real auditor, workflow and store over the AWS sandbox: what chat users may name
 * is bounded by the configuration (an account from `--account` or from a button's value is client data),
 * and refusals change nothing.
 */

import { loadConfig } from '../../src/config/load';
import { parseCommand } from '../../src/core/commands';
import { UsageError } from '../../src/core/errors';
import { ACTION_REMEDIATE, type CommandContext } from '../../src/core/ports/chat';
import { type CoreServices, createCoreServices } from '../../src/runtime';
import { bundledScenario, type SandboxRun, startSandboxRun } from '../../src/sandbox-run';
import { openStore } from '../../src/store';

const DEV = '333333333333';
const ctx: CommandContext = {
  actor: { platform: 'slack', userId: 'U0ALICE001' },
  conversation: { platform: 'slack', id: 'C0SECOPS01' },
};

let run: SandboxRun;
let services: CoreServices;

beforeAll(async () => {
  run = await startSandboxRun(bundledScenario('audit-demo'), { roleAccounts: [] });
  const config = loadConfig({ document: { aws: { accounts: [DEV], region: run.defaultRegion } }, env: {} });
  services = createCoreServices({
    config,
    session: run.session,
    region: run.defaultRegion,
    store: openStore(':memory:'),
  });
});

afterAll(async () => {
  await services?.store.close();
  await run?.close();
});

test('an account that is not configured is refused before any AWS call, in a command or a button', async () => {
  run.sandbox.resetCalls();
  const other = run.otherAccounts.find((a) => a !== DEV) as string;
  await expect(services.chat.run(parseCommand(`4.1 audit --account ${other}`), ctx)).rejects.toThrow(
    new UsageError(`Not a configured account: ${other}. Configured: ${DEV}.`),
  );
  const click = await services.chat.click(
    { actionId: ACTION_REMEDIATE, value: JSON.stringify({ control: '4.1', accountId: other }) },
    ctx,
    async () => {},
  );
  expect(click).toEqual({
    kind: 'refused',
    message: `Not a configured account: ${other}. Configured: ${DEV}.`,
  });
  const forged = await services.chat.click(
    { actionId: ACTION_REMEDIATE, value: '{"control":' },
    ctx,
    async () => {},
  );
  expect(forged.kind).toBe('refused');
  expect(run.sandbox.calls).toEqual([]);
  expect(await services.store.listAuditLog({})).toEqual([]);
});

test('a configured account is audited and recorded, and status reads it back', async () => {
  const cards = await services.chat.run(parseCommand(`4.1 audit --account ${DEV} --level error`), ctx);
  expect(cards.map((c) => c.summary).join('\n')).toMatch(/NON-COMPLIANT in 333333333333/);
  const status = await services.chat.run(parseCommand('4.1 status'), ctx);
  expect(status[0]?.summary).toBe('4.1: 0 of 1 accounts compliant at their last audit');
});

test("the core's own refusals (a conversation not allowed, an unknown button) are on the audit log", async () => {
  const config = loadConfig({
    document: {
      aws: { accounts: [DEV], region: run.defaultRegion },
      slack: { allowed_channels: ['C0ALLOWED1'] },
    },
    env: {},
  });
  const strict = createCoreServices({
    config,
    session: run.session,
    region: run.defaultRegion,
    store: openStore(':memory:'),
  });
  try {
    await expect(strict.chat.run(parseCommand('4.1 status'), ctx)).rejects.toThrow(/does not take commands/);
    const click = await strict.chat.click({ actionId: ACTION_REMEDIATE, value: '{}' }, ctx, async () => {});
    expect(click.kind).toBe('refused');
    const allowed = { ...ctx, conversation: { platform: 'slack', id: 'C0ALLOWED1' } };
    const unknown = await strict.chat.click({ actionId: 'cis:nope', value: 'x' }, allowed, async () => {});
    expect(unknown).toEqual({ kind: 'refused', message: 'Unknown action cis:nope.' });
    const refused = (await strict.store.listAuditLog({ kinds: ['refused'] })).reverse();
    expect(refused.map((r) => [r.actor?.userId, r.detail])).toEqual([
      [
        'U0ALICE001',
        { reason: 'conversation-not-allowed', by: 'core', request: 'status', conversation: ctx.conversation },
      ],
      [
        'U0ALICE001',
        {
          reason: 'conversation-not-allowed',
          by: 'core',
          request: ACTION_REMEDIATE,
          conversation: ctx.conversation,
        },
      ],
      [
        'U0ALICE001',
        { reason: 'unknown-action', by: 'core', request: 'cis:nope', conversation: allowed.conversation },
      ],
    ]);
  } finally {
    await strict.store.close();
  }
});
