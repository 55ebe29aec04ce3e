/**
 * The node-cron tasks behind the scheduler: one timer per schedule (a fire reached late is caught up if
 * the schedule allows), a twin of each expression evaluated in UTC to find the local times a
 * spring-forward gap swallowed, and the once-per-process log line for each of those.
 */
import { type Logger as CronLogger, createTask, parse, type ScheduledTask } from 'node-cron';
import type { DigestTrigger } from '../core/digest';
import type { Logger } from '../core/ports/logger';
import { type CronMatcher, floorToMinute, MINUTE_MS, minuteKey, nextFireTime } from './cron-time';
import { gapSkippedTimes } from './dst';
import { errorFields } from './log';
import type { ScheduleSettings } from './settings';

/** How far back a fire looks for a spring-forward gap that swallowed a scheduled local time. */
const GAP_LOOKBACK_MS = 35 * 24 * 60 * MINUTE_MS;

export interface TimerDeps {
  log: Logger;
  clock: { now(): Date };
  /** What a timer (or a late one the schedule catches up) runs. */
  onTimer(
    schedule: ScheduleSettings,
    at: Date,
    trigger: Extract<DigestTrigger, 'scheduled' | 'catch-up'>,
  ): void;
}

export interface ScheduleTimers {
  /** The schedule's task, created on first use (start() arms it): its timer and its time-zone matcher. */
  taskFor(schedule: ScheduleSettings): ScheduledTask;
  /**
   * Logs, once, each scheduled local time a spring-forward gap swallowed before this fire time, when this
   * is the first run after the gap (only the run's claimant calls this, so replicas do not repeat it).
   */
  logGapSkips(schedule: ScheduleSettings, fireTime: Date): void;
  /** Disarms and forgets every task. */
  destroy(): Promise<void>;
}

function cronLogger(log: Logger): CronLogger {
  const text = (m: string | Error) => (m instanceof Error ? m.message : m);
  return {
    info: (m) => log.info(`node-cron: ${m}`),
    warn: (m) => log.warn(`node-cron: ${m}`),
    error: (m, e) => log.error(`node-cron: ${text(m)}`, e ? errorFields(e) : undefined),
    debug: () => {},
  };
}

export function secondOf(cron: string): number {
  return parse(cron).second[0] ?? 0;
}

export function scheduleTimers(deps: TimerDeps): ScheduleTimers {
  const { log, clock, onTimer } = deps;
  const tasks = new Map<string, ScheduledTask>();
  /** The expressions evaluated in UTC: asks "would it fire at this local wall time" (spring-forward gaps). */
  const utcTasks = new Map<string, ScheduledTask>();
  /** Gap-skipped local times already logged by this process (`schedule|local time`). */
  const gapsLogged = new Set<string>();

  function taskFor(schedule: ScheduleSettings): ScheduledTask {
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

  function utcMatcher(schedule: ScheduleSettings): CronMatcher {
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

  function logGapSkips(schedule: ScheduleSettings, fireTime: Date): void {
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

  return {
    taskFor,
    logGapSkips,
    async destroy() {
      for (const task of tasks.values()) await task.destroy();
      tasks.clear();
      for (const task of utcTasks.values()) await task.destroy();
      utcTasks.clear();
    },
  };
}
