/**
 * Metrics for operators: the port's prom-client implementation (prometheus.ts), the decorators that
 * record at boundaries (measured-store.ts, measured-chat.ts; the AWS SDK middleware is src/aws/call-metrics.ts)
 * and the `/metrics` listener (serve.ts).
 */
import type { MetricsConfig } from '../config/schema';
import { type Metrics, NO_METRICS } from '../core/ports/metrics';
import { createPrometheusMetrics } from './prometheus';

export { chatAckTimer, measuredChatCore } from './measured-chat';
export { measuredStore } from './measured-store';
export { ACCOUNT_LABEL, createPrometheusMetrics, METRIC_NAMES, type PrometheusMetrics } from './prometheus';
export { type MetricsServer, serveMetrics } from './serve';

/** The metrics the configuration asks for: prom-client's when `metrics.enabled`, else none. */
export function createMetrics(config: MetricsConfig): Metrics {
  return config.enabled ? createPrometheusMetrics({ accountLabels: config.account_labels }) : NO_METRICS;
}
