/**
 * The scheduler's test world, all real components over loopback: the AWS sandbox (audit-demo scenario)
 * audited by the real auditor through the SDK, the fake Slack Web API behind the real Slack poster
 * (WebClient), the fake Bot Connector behind the real Teams adapter's poster, and a SQLite file store.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { WebClient } from '@slack/web-api';
import { createSlackPoster } from '../../adapters/slack/poster';
import { createAwsAuditor } from '../../src/aws';
import { loadConfig } from '../../src/config/load';
import type { Config } from '../../src/config/schema';
import type { Auditor } from '../../src/core/ports/auditor';
import type { ChatPoster } from '../../src/core/ports/chat';
import type { Logger } from '../../src/core/ports/logger';
import { loadScenario, type Sandbox, type Scenario, startSandbox } from '../../src/sandbox';
import { FAKE_BOT_TOKEN, FakeSlackApi, type FakeSlackOptions } from '../support/fake-slack-api';
import { botAddedToTeam, TEAM } from '../teams/activities';
import { type Harness, startHarness } from '../teams/harness';
import { RecordingCore } from '../teams/recording-core';

export const ROOT = resolve(__dirname, '..', '..');
export const SCENARIO_FILE = join(ROOT, 'src', 'sandbox', 'scenarios', 'audit-demo.yaml');
export const SECURITY_ACCOUNT = '999900000001';
export const MEMBER_ACCOUNTS = [
  '111111111111',
  '222222222222',
  '333333333333',
  '444444444444',
  '555555555555',
  '666666666666',
  '777777777777',
];
export const SLACK_CHANNEL = 'C0DIGEST01';
export const TEAMS_CONVERSATION = TEAM;

export function scenario(): Scenario {
  return loadScenario(SCENARIO_FILE) as Scenario;
}

export function labelsOf(s: Scenario): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const a of s.accounts as Array<{ id: string; label?: string }>) if (a.label) labels[a.id] = a.label;
  return labels;
}

export function configWith(schedules: unknown[], slack = true, teams = true): Config {
  const targets = {
    ...(slack ? { slack: [SLACK_CHANNEL] } : {}),
    ...(teams ? { teams: [TEAMS_CONVERSATION] } : {}),
  };
  return loadConfig({
    document: {
      aws: { region: 'eu-west-2', accounts: MEMBER_ACCOUNTS },
      schedules: schedules.map((s) => ({ targets, ...(s as object) })),
    },
    env: {},
  });
}

export function sandboxAuditor(
  config: Config,
  sandbox: Sandbox,
  labels: Record<string, string>,
): Auditor & { close(): void } {
  const auditor = createAwsAuditor(config.aws, {
    credentials: sandbox.credentialsFor(SECURITY_ACCOUNT),
    clientConfig: { endpoint: sandbox.endpoint, maxAttempts: 2 },
    labels,
  });
  return {
    audit: (r) => auditor.audit(r),
    auditControls: (r) => auditor.auditControls(r),
    close: () => auditor.session.destroy(),
  };
}

export function slackPoster(apiUrl: string): ChatPoster {
  return createSlackPoster(
    new WebClient(FAKE_BOT_TOKEN, { slackApiUrl: apiUrl, retryConfig: { retries: 0 } }),
  );
}

export class ManualClock {
  private t: number;
  constructor(iso: string) {
    this.t = Date.parse(iso);
  }
  now(): Date {
    return new Date(this.t);
  }
  set(iso: string): void {
    this.t = Date.parse(iso);
  }
}

export interface LogLine {
  level: string;
  message: string;
  fields?: Record<string, unknown>;
}

export function captureLog(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    lines.push({ level, message, ...(fields ? { fields } : {}) });
  };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export function tempDir(): { dir: string; file: (name: string) => string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'cis-bot-scheduler-'));
  return {
    dir,
    file: (name) => join(dir, name),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface World {
  sandbox: Sandbox;
  labels: Record<string, string>;
  slack: FakeSlackApi;
  teams: Harness;
  posters: ChatPoster[];
  tmp: ReturnType<typeof tempDir>;
  close(): Promise<void>;
}

export async function startWorld(slackOptions: FakeSlackOptions = {}): Promise<World> {
  const s = scenario();
  const sandbox = await startSandbox({ scenario: s });
  const slack = await FakeSlackApi.start(slackOptions);
  const teams = await startHarness({ core: new RecordingCore() });
  // Teams posts proactively through a reference stored when the bot was added to the team.
  const added = await teams.post(botAddedToTeam(teams.connector.serviceUrl));
  if (added.status >= 300) throw new Error(`conversationUpdate answered ${added.status}`);
  await teams.teams.idle();
  const tmp = tempDir();
  return {
    sandbox,
    labels: labelsOf(s),
    slack,
    teams,
    posters: [slackPoster(slack.apiUrl), teams.teams.poster],
    tmp,
    async close() {
      await teams.close();
      await slack.close();
      await sandbox.close();
      tmp.remove();
    },
  };
}

/** Top-level Slack messages and their threads' replies, in order, as (text, blocks JSON). */
export function slackPosts(
  slack: FakeSlackApi,
  channel = SLACK_CHANNEL,
): Array<{ text: string; blocks: string; replies: string[] }> {
  return slack.channelMessages(channel).map((m) => ({
    text: m.text,
    blocks: JSON.stringify(m.blocks),
    replies: slack.thread(channel, m.ts).map((r) => JSON.stringify(r.blocks)),
  }));
}

/** One-shot timers driven by a ManualClock: what the scheduler's `setTimer` arms, run when the test says. */
export class ManualTimers {
  private readonly timers: Array<{ due: number; callback: () => void; done: boolean }> = [];
  constructor(private readonly clock: ManualClock) {}

  readonly set = (callback: () => void, delayMs: number): (() => void) => {
    const timer = { due: this.clock.now().getTime() + delayMs, callback, done: false };
    this.timers.push(timer);
    return () => {
      timer.done = true;
    };
  };

  /** ISO due times of the timers armed and neither run nor cancelled. */
  pending(): string[] {
    return this.timers.filter((t) => !t.done).map((t) => new Date(t.due).toISOString());
  }

  /** Runs the timers due at the clock's time; returns how many ran. */
  runDue(): number {
    const due = this.timers.filter((t) => !t.done && t.due <= this.clock.now().getTime());
    for (const t of due) {
      t.done = true;
      t.callback();
    }
    return due.length;
  }
}
