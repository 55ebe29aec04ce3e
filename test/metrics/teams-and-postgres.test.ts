/**
 * The metrics of the other platform and the other store: a Teams command through the real bot (its
 * /api/messages ack and the core's work, labelled teams), and database latency per operation measured on
 * a real PostgreSQL store through the same decorator the bot wires (labelled postgres), scraped over HTTP.
 */

import { StoreError } from '../../src/core/ports/store';
import { createLogger } from '../../src/logger';
import { createPrometheusMetrics, METRIC_NAMES, measuredStore, serveMetrics } from '../../src/metrics';
import { startFakeBotConnector } from '../support/fake-bot-connector';
import { freshPostgresStore } from '../support/postgres';
import { scrape, total } from '../support/prometheus-scrape';
import { channelMention } from '../teams/activities';
import { startE2eBot } from '../teams/e2e-helpers';

it('times each Teams request and the core work on its command', async () => {
  const connector = await startFakeBotConnector();
  const metrics = createPrometheusMetrics();
  const e = await startE2eBot({
    document: (run) => ({
      aws: { accounts: run.otherAccounts, region: run.defaultRegion },
      metrics: { enabled: true, port: 0 },
    }),
    env: { CIS_BOT_TEAMS_DEV_NO_AUTH: 'true' },
    metrics,
  });
  try {
    const res = await e.post(channelMention(connector.serviceUrl, 'cis 4.1 audit --account 333333333333'));
    expect(res.status).toBe(200);
    await e.bot.teams?.idle();
    const s = await scrape(`http://127.0.0.1:${e.bot.metrics?.port}/metrics`);
    expect(total(s, `${METRIC_NAMES.chatAckDuration}_count`, { platform: 'teams', status: '200' })).toBe(1);
    expect(
      total(s, `${METRIC_NAMES.chatRequestDuration}_count`, {
        platform: 'teams',
        request: 'audit',
        result: 'ok',
      }),
    ).toBe(1);
    expect(total(s, METRIC_NAMES.audits, { control: '4.1', trigger: 'teams', result: 'non_compliant' })).toBe(
      1,
    );
    expect(total(s, `${METRIC_NAMES.chatAckDuration}_count`, { platform: 'slack' })).toBe(0);
  } finally {
    await e.close();
    await connector.close();
  }
});

it('times every PostgreSQL store operation by name and result, failures included', async () => {
  const { store: pg } = await freshPostgresStore();
  const metrics = createPrometheusMetrics();
  const store = measuredStore(pg, metrics, 'postgres');
  const served = await serveMetrics(metrics, {
    port: 0,
    host: '127.0.0.1',
    log: createLogger('metrics-test'),
  });
  try {
    const now = new Date('2026-01-01T00:00:00.000Z');
    expect(await store.acquireLease('account:111111111111', 'me', 60_000, now)).toBeDefined();
    await store.getLease('account:111111111111');
    await store.getLease('account:222222222222');
    // A run id recorded twice rejects: counted as an error of recordAuditRun.
    const run = {
      id: 'run-1',
      control: '4.1',
      startedAt: now.toISOString(),
      finishedAt: now.toISOString(),
      trigger: 'cli' as const,
      accounts: [{ accountId: '111111111111', status: 'COMPLIANT' as const, reason: 'ok', finding: {} }],
    };
    await store.recordAuditRun(run);
    await expect(store.recordAuditRun(run)).rejects.toBeInstanceOf(StoreError);
    const s = await scrape(`http://127.0.0.1:${served.port}/metrics`);
    const count = `${METRIC_NAMES.storeOperationDuration}_count`;
    expect(total(s, count, { store: 'postgres', operation: 'acquireLease', result: 'ok' })).toBe(1);
    expect(total(s, count, { store: 'postgres', operation: 'getLease', result: 'ok' })).toBe(2);
    expect(total(s, count, { store: 'postgres', operation: 'recordAuditRun', result: 'ok' })).toBe(1);
    expect(total(s, count, { store: 'postgres', operation: 'recordAuditRun', result: 'error' })).toBe(1);
    // Only the recorded run counts as an audit.
    expect(total(s, METRIC_NAMES.audits, { control: '4.1', trigger: 'cli', result: 'compliant' })).toBe(1);
    expect(total(s, `${METRIC_NAMES.storeOperationDuration}_sum`, { store: 'postgres' })).toBeGreaterThan(0);
  } finally {
    await served.close();
    await store.close();
  }
});
