/**
 * The demo's drift-alert step: the real drift-alert poller and re-audit on the demo sandbox's events
 * queue, posting to the terminal instead of a chat thread; then someone working in an account deletes its
 * alarms, and the demo waits for the alert (who, before and after, the Remediate button's target). Loaded
 * by `cis-bot demo` only.
 */
import { CloudWatchClient, DeleteAlarmsCommand, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { CliDemo } from './cli-runtime';
import type { Card } from './core/cards';
import { selectControls } from './core/controls/registry';
import { DriftPoller, DriftReauditor } from './events';
import { createLogger } from './logger';

export interface DemoDriftOutcome {
  /** The alarms someone deleted. */
  deleted: string[];
  /** Alerts posted. */
  alerts: number;
}

export async function demoDriftStep(
  demo: CliDemo,
  control: string,
  accountId: string,
  post: (cards: readonly Card[]) => void,
  timeoutMs = 15_000,
): Promise<DemoDriftOutcome> {
  const { services } = demo;
  const region = services.session.region;
  const log = createLogger('events', { level: 'error' });
  const sqs = new SQSClient(services.session.baseClientConfig(region));
  const reauditor = new DriftReauditor({
    auditor: services.auditor,
    store: services.store,
    posters: new Map([
      ['cli', { platform: 'cli', post: async (_id: string, cards: readonly Card[]) => post(cards) }],
    ]),
    targets: [{ platform: 'cli', id: 'demo', level: 'info' }],
    log,
    clock: { now: () => new Date() },
    replica: 'demo',
    leaseMs: 120_000,
  });
  const poller = new DriftPoller({
    sqs,
    queueUrl: demo.eventsQueueUrl,
    reauditor,
    accounts: services.accounts,
    controls: selectControls([control]),
    log,
    debounceMs: 200,
    debounceMaxMs: 1000,
    waitSeconds: 1,
    busyRetryMs: 200,
    concurrency: 4,
    maxReceives: 5,
  });
  const cw = new CloudWatchClient({
    endpoint: demo.endpoint,
    region,
    credentials: demo.credentialsFor(accountId),
    maxAttempts: 3,
  });
  try {
    await poller.start();
    const { MetricAlarms = [] } = await cw.send(new DescribeAlarmsCommand({}));
    const deleted = MetricAlarms.map((a) => a.AlarmName ?? '').filter(Boolean);
    if (deleted.length > 0) await cw.send(new DeleteAlarmsCommand({ AlarmNames: deleted }));
    const until = Date.now() + timeoutMs;
    while (poller.stats.alerts === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    await poller.idle();
    return { deleted, alerts: poller.stats.alerts };
  } finally {
    cw.destroy();
    await poller.stop();
    sqs.destroy();
  }
}
