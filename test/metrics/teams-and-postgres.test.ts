/**
 * The metrics of the other platform and the other store: a Teams command through the real bot (its
 * /api/messages ack and the core's work, labelled teams), and database latency per operation measured on
 * a real PostgreSQL store through the same decorator the bot wires (labelled postgres), scraped over HTTP;
 * and two replicas on one PostgreSQL database agreeing on the exception gauges (read from it at scrape time).
 */

import { AwsSession } from '../../src/aws/session';
import { loadConfig } from '../../src/config/load';
import { StoreError } from '../../src/core/ports/store';
import { createLogger } from '../../src/logger';
import { createPrometheusMetrics, METRIC_NAMES, measuredStore, serveMetrics } from '../../src/metrics';
import { createCoreServices } from '../../src/runtime';
import { startSandbox } from '../../src/sandbox';
import { ACCOUNT, compliantRegion, configDoc, REGION, scenarioWith } from '../remediation/helpers';
import { startFakeBotConnector } from '../support/fake-bot-connector';
import { freshPostgresStore } from '../support/postgres';
import { type Scrape, scrape, total } from '../support/prometheus-scrape';

const DAY = 24 * 60 * 60 * 1000;

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

it('replicas on one PostgreSQL database report the same exception gauges; each counts the grants and revocations it made', async () => {
  const { store: first, openPeer } = await freshPostgresStore();
  const second = await openPeer();
  const sandbox = await startSandbox({ scenario: scenarioWith(compliantRegion()) });
  const config = loadConfig({ document: configDoc(), env: {} });
  const session = new AwsSession({
    region: REGION,
    credentials: sandbox.credentialsFor(ACCOUNT),
    clientConfig: { endpoint: sandbox.endpoint, maxAttempts: 1 },
  });
  const log = createLogger('metrics-test');
  // Two replicas: each its own registry and /metrics, wired by the composition root over its own connection.
  const replicas = [first, second].map((store) => {
    const metrics = createPrometheusMetrics();
    return { metrics, services: createCoreServices({ config, session, store, metrics }) };
  });
  const served = await Promise.all(
    replicas.map((r) => serveMetrics(r.metrics, { port: 0, host: '127.0.0.1', log })),
  );
  const scrapeAll = () => Promise.all(served.map((s) => scrape(`http://127.0.0.1:${s.port}/metrics`)));
  try {
    const [a, b] = replicas.map((r) => r.services.store);
    if (!a || !b) throw new Error('two replicas expected');
    const now = Date.now();
    const actor = { platform: 'slack', userId: 'U0BOB00001' };
    const grant = (id: string, control: string, days: number) => ({
      id,
      control,
      accountId: ACCOUNT,
      reason: 'vendor scanner',
      until: new Date(now + days * DAY).toISOString().slice(0, 10),
      expiresAt: new Date(now + (days + 1) * DAY).toISOString(),
      requestedBy: { platform: 'slack', userId: 'U0ALICE001' },
      approvedBy: actor,
      grantedAt: new Date(now).toISOString(),
    });
    // Replica A grants two (one expiring within 14 days); a resumed save of the same id counts once.
    await a.saveException(grant('e-1', '4.1', 5));
    await a.saveException(grant('e-2', '4.3', 60));
    await a.saveException({ ...grant('e-1', '4.1', 5), grantedAt: new Date(now + 1000).toISOString() });
    let [sa, sb] = await scrapeAll();
    for (const s of [sa, sb]) {
      if (!s) throw new Error('no scrape');
      expect(total(s, METRIC_NAMES.exceptionsAccepted, { control: '4.1' })).toBe(1);
      expect(total(s, METRIC_NAMES.exceptionsAccepted, { control: '4.3' })).toBe(1);
      expect(total(s, METRIC_NAMES.exceptionsExpiringSoon, { control: '4.1' })).toBe(1);
      expect(total(s, METRIC_NAMES.exceptionsExpiringSoon)).toBe(1);
    }
    expect(total(sa as Scrape, METRIC_NAMES.exceptionChanges, { change: 'granted' })).toBe(2);
    expect(total(sb as Scrape, METRIC_NAMES.exceptionChanges)).toBe(0);

    // Replica B revokes one; of two revocations of it, only the one that won counts.
    expect(await b.revokeException('e-1', actor, new Date().toISOString())).toBeDefined();
    expect(await a.revokeException('e-1', actor, new Date().toISOString())).toBeUndefined();
    [sa, sb] = await scrapeAll();
    for (const s of [sa, sb]) {
      if (!s) throw new Error('no scrape');
      expect(total(s, METRIC_NAMES.exceptionsAccepted, { control: '4.1' })).toBe(0);
      expect(total(s, METRIC_NAMES.exceptionsAccepted, { control: '4.3' })).toBe(1);
      expect(total(s, METRIC_NAMES.exceptionsExpiringSoon)).toBe(0);
    }
    expect(total(sb as Scrape, METRIC_NAMES.exceptionChanges, { control: '4.1', change: 'revoked' })).toBe(1);
    expect(total(sa as Scrape, METRIC_NAMES.exceptionChanges, { change: 'revoked' })).toBe(0);
  } finally {
    await Promise.all(served.map((s) => s.close()));
    session.destroy();
    await sandbox.close();
    await first.close();
    await second.close();
  }
});
