/**
 * The digest scheduler: node-cron timers per configured schedule, each firing `fire(name, fireTime)`,
 * which posts the schedule's compliance digest exactly once per (schedule, minute) across restarts,
 * overlaps and replicas. Exactly once comes from the store, not from the timer: a run is claimed with a
 * lease (claimScheduleRun) before anything is audited or posted, and completed with the digest summary
 * the next run compares against. At start-up the latest fire time before now is caught up once if it
 * is within `catch_up_minutes` and was never run; older, it is recorded as skipped with a log line.
 *
 * Run keys are the schedule's LOCAL minute (its earliest instant, see dst.ts), so the repeated hour of a
 * fall-back posts once. A run claimed by an owner that then died is not lost: whoever finds it claimed
 * and uncompleted under a live lease (start-up catch-up, or a replica whose own claim lost) arms a
 * one-shot retry at the lease's expiry, which takes the run over and posts it once.
 *
 * Known limit: a process that dies after posting but before completing the run leaves a claimed,
 * uncompleted run; once its lease lapses, the retry (or a catch-up at the next start) may post that
 * digest again. Claims are keyed by minute, so the lease only has to outlast one audit, remediate and
 * post (default 15 min; automatic remediation stops starting accounts at half of it).
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
  type DigestRemediation,
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
import { type CatchUpDeps, catchUp, RETRY_MARGIN_MS, runKey, settle } from './catch-up';
import { type CronMatcher, floorToMinute, MINUTE_MS, minuteKey, nextFireTime } from './cron-time';
import { type AutoRemediate, defaultActionOf, remediateOutcomes } from './default-action';
import { deliver, targetsOf } from './delivery';
import { gapSkippedTimes } from './dst';
import { errorFields, jsonLog, type SchedulerLog } from './log';
import { validateSchedules } from './validate';

export interface SchedulerDeps {
  /** `controls` carries each control's default_action (notify when absent). */
  config: Pick<Config, 'schedules'> & Partial<Pick<Config, 'controls'>>;
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
  /**
   * `default_action: remediate`: remediates one account (RemediationWorkflow.autoRemediate). Without it,
   * such controls are reported as with notify (and a warning is logged at construction).
   */
  autoRemediate?: AutoRemediate;
  /** One-shot timers for lease-expiry retries (tests inject a manual one). Returns a cancel function. */
  setTimer?: (callback: () => void, delayMs: number) => () => void;
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
/** How far back a fire looks for a spring-forward gap that swallowed a scheduled local time. */
const GAP_LOOKBACK_MS = 35 * 24 * 60 * MINUTE_MS;

function realTimer(callback: () => void, delayMs: number): () => void {
  // Node caps delays at 2^31-1 ms; leases are minutes. Unref: a pending retry must not keep a CLI alive.
  const handle = setTimeout(callback, Math.min(Math.max(0, delayMs), 2_147_483_647));
  handle.unref();
  return () => clearTimeout(handle);
}

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
  const setTimer = deps.setTimer ?? realTimer;
  const actionOf = (control: string) => {
    const action = defaultActionOf(deps.config.controls, control);
    return action === 'remediate' && !deps.autoRemediate ? 'notify' : action;
  };
  const unremediable = [...new Set(schedules.flatMap((s) => s.controls))].filter(
    (c) => defaultActionOf(deps.config.controls, c) === 'remediate' && !deps.autoRemediate,
  );
  if (unremediable.length > 0) {
    log.warn(
      'default_action remediate needs the remediation workflow, which this scheduler lacks: notifying',
      {
        controls: unremediable,
      },
    );
  }

  const tasks = new Map<string, ScheduledTask>();
  /** The expressions evaluated in UTC: asks "would it fire at this local wall time" (spring-forward gaps). */
  const utcTasks = new Map<string, ScheduledTask>();
  const running = new Set<Promise<unknown>>();
  /** Pending lease-expiry retries by `schedule|key`, with their cancel functions. */
  const retries = new Map<string, () => void>();
  /** Gap-skipped local times already logged by this process (`schedule|local time`). */
  const gapsLogged = new Set<string>();
  let started = false;
  let stopped = false;

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

  function utcMatcher(schedule: ScheduleConfig): CronMatcher {
    let task = utcTasks.get(schedule.name);
    if (!task) {
      task = createTask(schedule.cron, () => {}, {
        timezone: 'UTC',
        name: `cis-digest-utc:${schedule.name}`,
      });
      utcTasks.set(schedule.name, task);
    }
    return task;
  }

  /**
   * Logs, once, each scheduled local time a spring-forward gap swallowed before this fire time, when this
   * is the first run after the gap (only the run's claimant calls this, so replicas do not repeat it).
   */
  function logGapSkips(schedule: ScheduleConfig, fireTime: Date): void {
    const at = floorToMinute(fireTime);
    const skipped = gapSkippedTimes(
      utcMatcher(schedule),
      new Date(at.getTime() - GAP_LOOKBACK_MS),
      at,
      schedule.timezone,
      secondOf(schedule.cron),
    );
    for (const gap of skipped) {
      const next = nextFireTime(taskFor(schedule), gap.transition);
      if (!next || floorToMinute(next).getTime() !== at.getTime()) continue;
      const id = `${schedule.name}|${gap.localTime}`;
      if (gapsLogged.has(id)) continue;
      gapsLogged.add(id);
      log.warn('scheduled digest time skipped: it did not exist on the local clock (clocks went forward)', {
        schedule: schedule.name,
        localTime: gap.localTime,
        nextRun: minuteKey(at),
      });
    }
  }

  function retryAt(schedule: ScheduleConfig, fireTime: Date, at: Date, holder: { owner: string }): void {
    const key = runKey(fireTime, schedule.timezone);
    const id = `${schedule.name}|${key}`;
    if (stopped || retries.has(id)) return;
    log.info('digest run claimed but not completed by another owner; checking again when its lease ends', {
      schedule: schedule.name,
      fireTime: key,
      holder: holder.owner,
      retryAt: at.toISOString(),
    });
    const cancel = setTimer(() => {
      retries.delete(id);
      if (stopped) return;
      void track(
        settle(catchUpDeps, schedule, fireTime).catch((error: unknown) => {
          log.error('digest retry failed', { schedule: schedule.name, fireTime: key, ...errorFields(error) });
        }),
      );
    }, at.getTime() - clock.now().getTime());
    retries.set(id, cancel);
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
    const startedAt = clock.now();
    const previousRun = await store.lastCompletedScheduleRun(schedule.name);
    const previous = parseDigestSummary(previousRun?.summary);
    const auditTrigger = auditTriggerFor(actor, trigger);
    let outcomes = await auditSchedule({ auditor, store, log }, schedule, auditTrigger, actor);
    let remediations: DigestRemediation[] = [];
    // Automatic remediation belongs to scheduled runs only: an on-demand digest never changes accounts.
    if (deps.autoRemediate && trigger !== 'on-demand' && options.deliver !== 'none') {
      ({ outcomes, remediations } = await remediateOutcomes(
        {
          autoRemediate: deps.autoRemediate,
          log,
          clock,
          deadline: new Date(startedAt.getTime() + leaseMs / 2),
          reaudit: async (control) => {
            const [again] = await auditSchedule(
              { auditor, store, log },
              { ...schedule, controls: [control] },
              auditTrigger,
              actor,
            );
            return again ?? { control, error: 'the control was not audited again' };
          },
        },
        schedule.name,
        outcomes,
        actionOf,
      ));
    }
    const historySince = await failingSinceFromHistory(store, outcomes, at);
    const digest = buildDigest({
      schedule: { name: schedule.name, timezone: schedule.timezone, level: options.level ?? schedule.level },
      outcomes,
      previous,
      at,
      trigger,
      historySince,
      ...(deps.digestLimits ? { limits: deps.digestLimits } : {}),
      skipControls: schedule.controls.filter((c) => actionOf(c) === 'skip'),
      remediations,
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
          ...(summary.skippedByConfig ? { skippedByConfig: summary.skippedByConfig } : {}),
          ...(summary.remediations ? { remediations: summary.remediations } : {}),
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
    // Both instants of a local minute repeated by a fall-back share one key: posted once.
    const key = runKey(fireTime, schedule.timezone);
    const trigger = options.trigger ?? 'scheduled';
    const won = await store.claimScheduleRun(schedule.name, key, owner, leaseMs, clock.now());
    if (!won) {
      log.info('digest run already claimed or completed; not posting it again', {
        schedule: schedule.name,
        fireTime: key,
        owner,
      });
      // Claimed but not completed: its owner is posting it, or died after claiming. Check again when
      // its lease ends, so a crash does not lose the digest.
      const run = await store.getScheduleRun(schedule.name, key);
      if (run && run.completedAt === undefined && Date.parse(run.leaseUntil) > clock.now().getTime()) {
        retryAt(schedule, new Date(key), new Date(Date.parse(run.leaseUntil) + RETRY_MARGIN_MS), run);
      }
      return 'skipped-duplicate';
    }
    try {
      logGapSkips(schedule, new Date(key));
    } catch (error) {
      // A log line must never keep a claimed run from being posted.
      log.error('could not check for a daylight saving gap', {
        schedule: schedule.name,
        ...errorFields(error),
      });
    }
    const result = await produce(schedule, new Date(key), trigger, systemActor(schedule.name), {}, key);
    return result.outcome;
  }

  const catchUpDeps: CatchUpDeps = {
    store,
    owner,
    leaseMs,
    log,
    clock,
    fire,
    matcher: (schedule: ScheduleConfig) => taskFor(schedule),
    retryAt,
  };

  async function idle(): Promise<void> {
    while (running.size > 0) await Promise.allSettled([...running]);
  }

  return {
    async start() {
      if (started) return;
      started = true;
      stopped = false;
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
      stopped = true;
      for (const cancel of retries.values()) cancel();
      retries.clear();
      for (const task of tasks.values()) await task.destroy();
      tasks.clear();
      for (const task of utcTasks.values()) await task.destroy();
      utcTasks.clear();
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
