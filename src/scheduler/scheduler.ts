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
 *
 * The parts: produce-digest.ts (audit, build, post, complete one run), schedule-timers.ts (the node-cron
 * tasks and gap logging), lease-retries.ts (retries at a lease's expiry), catch-up.ts (start-up catch-up).
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { CONTROLS, type ControlRegistry, selectControls } from '../core/controls/registry';
import { type DigestTrigger, localTime } from '../core/digest';
import { UsageError } from '../core/errors';
import { type PlatformCatalog, platformLabel } from '../core/platforms';
import type { Auditor } from '../core/ports/auditor';
import type { AutoRemediate } from '../core/ports/auto-remediate';
import type { ChatPoster, Platform } from '../core/ports/chat';
import type { DigestOutcome, DigestPort, ScheduleInfo } from '../core/ports/digests';
import type { Logger } from '../core/ports/logger';
import { type Metrics, NO_METRICS } from '../core/ports/metrics';
import type { FindingsExport } from '../core/ports/security-hub';
import type { ActorRef } from '../core/ports/store';
import type { DigestLimits } from '../core/present/digest-cards';
import type { ControlSettingsMap } from '../core/settings';
import { createLogger } from '../logger';
import { type CatchUpDeps, catchUp, RETRY_MARGIN_MS, runKey, settle } from './catch-up';
import { MINUTE_MS, minuteKey, nextFireTime } from './cron-time';
import { defaultActionOf } from './default-action';
import { leaseRetries, realTimer } from './lease-retries';
import { errorFields } from './log';
import type { SchedulerStore } from './produce-digest';
import { type ProduceDeps, produceDigest } from './produce-digest';
import { scheduleTimers, secondOf } from './schedule-timers';
import type { ScheduleSettings } from './settings';
import { validateSchedules } from './validate';

export interface SchedulerDeps {
  /** `controls` carries each control's default_action (notify when absent). */
  config: { schedules: readonly ScheduleSettings[]; controls?: ControlSettingsMap };
  /** Every platform's settings (labels, how to say a platform is not set up), keyed by platform id. */
  platforms: PlatformCatalog;
  auditor: Auditor;
  store: SchedulerStore;
  /** One per chat platform the schedules post to (the Slack and Teams adapters' posters). */
  posters: readonly ChatPoster[];
  clock?: { now(): Date };
  /** This process/replica, as recorded on claimed runs. Default: host, pid and a random suffix. */
  owner?: string;
  log?: Logger;
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
  /**
   * Sends a run's findings to Security Hub, for schedules with `export: { securityhub: true }` (scheduled
   * runs only). Without it, such schedules log a warning and only post.
   */
  exportFindings?: FindingsExport;
  /** One-shot timers for lease-expiry retries (tests inject a manual one). Returns a cancel function. */
  setTimer?: (callback: () => void, delayMs: number) => () => void;
  /** Where every digest run is counted and timed (by schedule, trigger and outcome); default: nowhere. */
  metrics?: Metrics;
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

/** An on-demand run's key: its exact time, never on a whole minute, so it cannot take a scheduled run's key. */
function onDemandKey(at: Date): string {
  const ms = at.getTime();
  return new Date(ms % MINUTE_MS === 0 ? ms + 1 : ms).toISOString();
}

export function createScheduler(deps: SchedulerDeps): Scheduler {
  const { store, auditor } = deps;
  const registry = deps.controls ?? CONTROLS;
  const clock = deps.clock ?? { now: () => new Date() };
  const owner = deps.owner ?? defaultOwner();
  const log = deps.log ?? createLogger('scheduler');
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const posters = new Map<Platform, ChatPoster>(deps.posters.map((p) => [p.platform, p]));
  validateSchedules(deps.config.schedules, {
    controls: registry,
    platforms: [...posters.keys()],
    catalog: deps.platforms,
  });
  // A section (`controls: ["4"]`) stands for its controls, audited in one pass.
  const schedules = deps.config.schedules.map((s) => ({
    ...s,
    controls: selectControls(s.controls, registry).map((c) => c.id),
  }));
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

  const running = new Set<Promise<unknown>>();
  let started = false;
  let stopped = false;

  function scheduleNamed(name: string | undefined): ScheduleSettings {
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

  function onTimer(schedule: ScheduleSettings, at: Date, trigger: FireOptions['trigger']): void {
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

  const timers = scheduleTimers({ log, clock, onTimer });
  const retries = leaseRetries({
    log,
    clock,
    setTimer,
    settle: (schedule, fireTime) => settle(catchUpDeps, schedule, fireTime),
    track,
    stopped: () => stopped,
  });
  const produceDeps: ProduceDeps = {
    auditor,
    store,
    log,
    clock,
    leaseMs,
    posters,
    platformLabel: (platform: Platform) => platformLabel(deps.platforms, platform),
    owner,
    actionOf,
    autoRemediate: deps.autoRemediate,
    digestLimits: deps.digestLimits,
    exportFindings: deps.exportFindings,
  };

  const metrics = deps.metrics ?? NO_METRICS;
  /** Runs one digest run, recording its outcome (`failed` when it threw) and duration. */
  async function measured<T>(
    schedule: string,
    trigger: string,
    run: () => Promise<T>,
    outcomeOf: (result: T) => string,
  ): Promise<T> {
    const started = performance.now();
    const record = (outcome: string) =>
      metrics.digestRun({ schedule, trigger, outcome, durationMs: performance.now() - started });
    try {
      const result = await run();
      record(outcomeOf(result));
      return result;
    } catch (error) {
      record('failed');
      throw error;
    }
  }

  function fire(scheduleName: string, fireTime: Date, options: FireOptions = {}): Promise<DigestOutcome> {
    return measured(
      scheduleName,
      options.trigger ?? 'scheduled',
      () => fireOnce(scheduleName, fireTime, options),
      (outcome) => outcome,
    );
  }

  async function fireOnce(
    scheduleName: string,
    fireTime: Date,
    options: FireOptions,
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
        retries.retryAt(schedule, new Date(key), new Date(Date.parse(run.leaseUntil) + RETRY_MARGIN_MS), run);
      }
      return 'skipped-duplicate';
    }
    try {
      timers.logGapSkips(schedule, new Date(key));
    } catch (error) {
      // A log line must never keep a claimed run from being posted.
      log.error('could not check for a daylight saving gap', {
        schedule: schedule.name,
        ...errorFields(error),
      });
    }
    const result = await produceDigest(
      produceDeps,
      schedule,
      new Date(key),
      trigger,
      systemActor(schedule.name),
      {},
      key,
    );
    return result.outcome;
  }

  const catchUpDeps: CatchUpDeps = {
    store,
    owner,
    leaseMs,
    log,
    clock,
    fire,
    matcher: (schedule: ScheduleSettings) => timers.taskFor(schedule),
    retryAt: retries.retryAt,
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
        const task = timers.taskFor(schedule);
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
      retries.cancelAll();
      await timers.destroy();
      await idle();
    },

    idle,

    fire,

    async runNow(scheduleName, requestedBy, options = {}) {
      const schedule = scheduleNamed(scheduleName);
      const actor = requestedBy ?? systemActor(schedule.name);
      const at = clock.now();
      const onDemand = (key: string | undefined) =>
        measured(
          schedule.name,
          'on-demand',
          () => produceDigest(produceDeps, schedule, at, 'on-demand', actor, options, key),
          (result) => result.outcome,
        );
      if (options.deliver === 'none') return onDemand(undefined);
      const key = onDemandKey(at);
      if (!(await store.claimScheduleRun(schedule.name, key, owner, leaseMs, at))) {
        throw new UsageError(
          `A digest of "${schedule.name}" is already being posted; try again in a moment.`,
        );
      }
      return track(onDemand(key));
    },

    list(): ScheduleInfo[] {
      const now = clock.now();
      return schedules.map((s) => {
        const next = nextFireTime(timers.taskFor(s), now);
        return {
          name: s.name,
          cron: s.cron,
          timezone: s.timezone,
          level: s.level,
          controls: [...s.controls],
          targets: Object.fromEntries(Object.entries(s.targets).map(([p, ids]) => [p, [...ids]])),
          nextRun: next ? next.toISOString() : '',
          nextRunLocal: next ? localTime(next, s.timezone) : 'never',
        };
      });
    },
  };
}
