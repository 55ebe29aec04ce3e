/**
 * The digest scheduler: node-cron timers per configured schedule, each firing `fire(name, fireTime)`,
 * which posts the schedule's compliance digest exactly once per (schedule, minute) across restarts,
 * overlaps and replicas. Exactly once comes from the store, not from the timer: a run is claimed with a
 * lease (claimScheduleRun) before anything is audited or posted, and completed with the digest summary
 * the next run compares against. At start-up the latest fire time before now is caught up once if it
 * is within `catch_up_minutes` and was never run; older, it is recorded as skipped with a log line.
 *
 * Known limit: a process that dies after posting but before completing the run leaves a claimed,
 * uncompleted run; once its lease lapses, a catch-up at the next start may post that digest again.
 * Claims are keyed by minute, so the lease only has to outlast one audit-and-post (default 15 min).
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { type Logger as CronLogger, createTask, parse, type ScheduledTask } from 'node-cron';
import type { Config, ScheduleConfig } from '../config/schema';
import type { ChatPoster, Platform } from '../core/chat-core';
import { CONTROLS, type ControlRegistry } from '../core/controls/registry';
import {
  buildDigest,
  type DigestDelivery,
  type DigestLimits,
  type DigestOutcome,
  type DigestPort,
  type DigestResult,
  type DigestRunOptions,
  type DigestSummary,
  type DigestTrigger,
  digestReceipt,
  localTime,
  parseDigestSummary,
  type ScheduleInfo,
} from '../core/digest';
import { UsageError } from '../core/errors';
import type { Auditor } from '../core/evaluate/port';
import type { ActorRef, AuditTrigger, Store } from '../core/ports/store';
import { auditSchedule, failingSinceFromHistory } from './audit-run';
import { catchUp } from './catch-up';
import { MINUTE_MS, minuteKey, nextFireTime } from './cron-time';
import { deliver, targetsOf } from './delivery';
import { errorFields, jsonLog, type SchedulerLog } from './log';
import { validateSchedules } from './validate';

export interface SchedulerDeps {
  config: Pick<Config, 'schedules'>;
  auditor: Auditor;
  store: Store;
  /** One per chat platform the schedules post to (the Slack and Teams adapters' posters). */
  posters: readonly ChatPoster[];
  clock?: { now(): Date };
  /** This process/replica, as recorded on claimed runs. Default: host, pid and a random suffix. */
  owner?: string;
  log?: SchedulerLog;
  /** How long a claimed run is ours before another replica may take it over (default 15 minutes). */
  leaseMs?: number;
  /** false: start() catches up but arms no timers (tests that drive fire() with an injected clock). */
  startTimers?: boolean;
  controls?: ControlRegistry;
  digestLimits?: Partial<DigestLimits>;
}

export interface FireOptions {
  trigger?: Extract<DigestTrigger, 'scheduled' | 'catch-up'>;
}

export interface Scheduler extends DigestPort {
  /** Arms the timers, then catches up the latest missed run of each schedule (see the module comment). */
  start(): Promise<void>;
  /** Disarms the timers and waits for runs in progress. */
  stop(): Promise<void>;
  /** The scheduled run of `scheduleName` at `fireTime` (truncated to the minute): what the timers call. */
  fire(scheduleName: string, fireTime: Date, options?: FireOptions): Promise<DigestOutcome>;
  /** Resolves once the runs started by timers so far have finished. */
  idle(): Promise<void>;
}

const DEFAULT_LEASE_MS = 15 * MINUTE_MS;

function defaultOwner(): string {
  return `${hostname()}#${process.pid}#${randomUUID().slice(0, 8)}`;
}

function systemActor(schedule: string): ActorRef {
  return { platform: 'system', userId: `schedule:${schedule}` };
}

function auditTriggerFor(actor: ActorRef, trigger: DigestTrigger): AuditTrigger {
  if (trigger !== 'on-demand') return 'schedule';
  return actor.platform === 'system' ? 'schedule' : actor.platform;
}

/** An on-demand run's key: its exact time, never on a whole minute, so it cannot take a scheduled run's key. */
function onDemandKey(at: Date): string {
  const ms = at.getTime();
  return new Date(ms % MINUTE_MS === 0 ? ms + 1 : ms).toISOString();
}

function cronLogger(log: SchedulerLog): CronLogger {
  const text = (m: string | Error) => (m instanceof Error ? m.message : m);
  return {
    info: (m) => log.info(`node-cron: ${m}`),
    warn: (m) => log.warn(`node-cron: ${m}`),
    error: (m, e) => log.error(`node-cron: ${text(m)}`, e ? errorFields(e) : undefined),
    debug: () => {},
  };
}

export function createScheduler(deps: SchedulerDeps): Scheduler {
  const { store, auditor } = deps;
  const schedules = deps.config.schedules;
  const clock = deps.clock ?? { now: () => new Date() };
  const owner = deps.owner ?? defaultOwner();
  const log = deps.log ?? jsonLog();
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const posters = new Map<Platform, ChatPoster>(deps.posters.map((p) => [p.platform, p]));
  validateSchedules(schedules, { controls: deps.controls ?? CONTROLS, platforms: [...posters.keys()] });

  const tasks = new Map<string, ScheduledTask>();
  const running = new Set<Promise<unknown>>();
  let started = false;

  function scheduleNamed(name: string | undefined): ScheduleConfig {
    const schedule = name === undefined ? schedules[0] : schedules.find((s) => s.name === name);
    if (schedule) return schedule;
    if (schedules.length === 0) throw new UsageError('No digest schedules are configured.');
    throw new UsageError(
      `Unknown schedule "${name}". Schedules: ${schedules.map((s) => s.name).join(', ')}.`,
    );
  }

  function track<T>(work: Promise<T>): Promise<T> {
    running.add(work);
    void work.then(
      () => running.delete(work),
      () => running.delete(work),
    );
    return work;
  }

  function onTimer(schedule: ScheduleConfig, at: Date, trigger: FireOptions['trigger']): void {
    void track(
      fire(schedule.name, at, { ...(trigger ? { trigger } : {}) }).catch((error: unknown) => {
        log.error('digest run failed', {
          schedule: schedule.name,
          fireTime: minuteKey(at),
          ...errorFields(error),
        });
      }),
    );
  }

  function taskFor(schedule: ScheduleConfig): ScheduledTask {
    const existing = tasks.get(schedule.name);
    if (existing && existing.getStatus() !== 'destroyed') return existing;
    const task = createTask(
      schedule.cron,
      (ctx) => {
        onTimer(schedule, ctx.date, 'scheduled');
      },
      {
        timezone: schedule.timezone,
        name: `cis-digest:${schedule.name}`,
        // A slot reached up to a minute late (a busy event loop) still runs as scheduled.
        missedExecutionTolerance: MINUTE_MS,
        logger: cronLogger(log),
      },
    );
    // Later than that, node-cron calls it missed: catch it up if the schedule allows.
    task.on('execution:missed', (ctx) => {
      const late = clock.now().getTime() - ctx.date.getTime();
      if (schedule.catch_up_minutes > 0 && late <= schedule.catch_up_minutes * MINUTE_MS) {
        log.warn('digest timer fired late; catching the run up', {
          schedule: schedule.name,
          fireTime: minuteKey(ctx.date),
        });
        onTimer(schedule, ctx.date, 'catch-up');
      } else {
        log.warn('digest run missed by the timer and not caught up', {
          schedule: schedule.name,
          fireTime: minuteKey(ctx.date),
        });
      }
    });
    tasks.set(schedule.name, task);
    return task;
  }

  function secondOf(cron: string): number {
    return parse(cron).second[0] ?? 0;
  }

  /** Audits, builds, posts (unless asked not to) and, for a claimed run (`key`), completes it. */
  async function produce(
    schedule: ScheduleConfig,
    at: Date,
    trigger: DigestTrigger,
    actor: ActorRef,
    options: DigestRunOptions,
    key: string | undefined,
  ): Promise<DigestResult> {
    const previousRun = await store.lastCompletedScheduleRun(schedule.name);
    const previous = parseDigestSummary(previousRun?.summary);
    const outcomes = await auditSchedule(
      { auditor, store, log },
      schedule,
      auditTriggerFor(actor, trigger),
      actor,
    );
    const historySince = await failingSinceFromHistory(store, outcomes, at);
    const digest = buildDigest({
      schedule: { name: schedule.name, timezone: schedule.timezone, level: options.level ?? schedule.level },
      outcomes,
      previous,
      at,
      trigger,
      historySince,
      ...(deps.digestLimits ? { limits: deps.digestLimits } : {}),
    });
    let deliveries: DigestDelivery[] = [];
    let outcome: DigestOutcome;
    if (options.deliver === 'none') outcome = 'returned';
    else if (digest.cards.length === 0) outcome = 'nothing-to-post';
    else {
      const context = { schedule: schedule.name, fireTime: key, trigger };
      deliveries = await deliver(posters, targetsOf(schedule), digest.cards, log, context);
      const ok = deliveries.filter((d) => d.error === undefined).length;
      outcome = ok === deliveries.length ? 'posted' : ok > 0 ? 'partially-posted' : 'not-posted';
    }
    const summary: DigestSummary = { ...digest.summary, deliveries };
    if (key !== undefined) {
      await store.completeScheduleRun(schedule.name, key, summary, clock.now());
      await store.appendAuditLog({
        at: clock.now().toISOString(),
        kind: 'digest',
        actor,
        platform: actor.platform,
        ...(schedule.controls.length === 1 ? { control: schedule.controls[0] as string } : {}),
        detail: {
          schedule: schedule.name,
          fireTime: key,
          trigger,
          outcome,
          counts: summary.counts,
          fixed: digest.changes.fixed.map((i) => ({ control: i.control, accountId: i.accountId })),
          newlyFailing: digest.changes.newlyFailing.map((i) => ({
            control: i.control,
            accountId: i.accountId,
          })),
          deliveries,
        },
      });
      log.info('digest run completed', { schedule: schedule.name, fireTime: key, trigger, outcome, owner });
    }
    const result = {
      schedule: schedule.name,
      at: at.toISOString(),
      outcome,
      cards: digest.cards,
      summary,
      deliveries,
    };
    return { ...result, receipt: digestReceipt(result, schedule.timezone) };
  }

  async function fire(
    scheduleName: string,
    fireTime: Date,
    options: FireOptions = {},
  ): Promise<DigestOutcome> {
    const schedule = scheduleNamed(scheduleName);
    const key = minuteKey(fireTime);
    const trigger = options.trigger ?? 'scheduled';
    const won = await store.claimScheduleRun(schedule.name, key, owner, leaseMs, clock.now());
    if (!won) {
      log.info('digest run already claimed or completed; not posting it again', {
        schedule: schedule.name,
        fireTime: key,
        owner,
      });
      return 'skipped-duplicate';
    }
    const result = await produce(schedule, new Date(key), trigger, systemActor(schedule.name), {}, key);
    return result.outcome;
  }

  const catchUpDeps = {
    store,
    owner,
    leaseMs,
    log,
    clock,
    fire,
    matcher: (schedule: ScheduleConfig) => taskFor(schedule),
  };

  async function idle(): Promise<void> {
    while (running.size > 0) await Promise.allSettled([...running]);
  }

  return {
    async start() {
      if (started) return;
      started = true;
      for (const schedule of schedules) {
        const task = taskFor(schedule);
        if (deps.startTimers !== false) await task.start();
      }
      for (const schedule of schedules) {
        try {
          await track(catchUp(catchUpDeps, schedule, secondOf(schedule.cron)));
        } catch (error) {
          // One schedule's failed catch-up must not keep the bot (or the other schedules) from starting.
          log.error('digest catch-up failed', { schedule: schedule.name, ...errorFields(error) });
        }
      }
      log.info('digest scheduler started', {
        owner,
        schedules: schedules.map((s) => s.name),
        timers: deps.startTimers !== false,
      });
    },

    async stop() {
      started = false;
      for (const task of tasks.values()) await task.destroy();
      tasks.clear();
      await idle();
    },

    idle,

    fire,

    async runNow(scheduleName, requestedBy, options = {}) {
      const schedule = scheduleNamed(scheduleName);
      const actor = requestedBy ?? systemActor(schedule.name);
      const at = clock.now();
      if (options.deliver === 'none') return produce(schedule, at, 'on-demand', actor, options, undefined);
      const key = onDemandKey(at);
      if (!(await store.claimScheduleRun(schedule.name, key, owner, leaseMs, at))) {
        throw new UsageError(
          `A digest of "${schedule.name}" is already being posted; try again in a moment.`,
        );
      }
      return track(produce(schedule, at, 'on-demand', actor, options, key));
    },

    list(): ScheduleInfo[] {
      const now = clock.now();
      return schedules.map((s) => {
        const next = nextFireTime(taskFor(s), now);
        return {
          name: s.name,
          cron: s.cron,
          timezone: s.timezone,
          level: s.level,
          controls: [...s.controls],
          targets: { slack: [...s.targets.slack], teams: [...s.targets.teams] },
          nextRun: next ? next.toISOString() : '',
          nextRunLocal: next ? localTime(next, s.timezone) : 'never',
        };
      });
    },
  };
}
