// Operations metrics (Prometheus): one registry per app, read at scrape time.
export { AppMetrics } from './app-metrics.js';
export type { AppMetricsOptions, MetricsSources, SipMetricsSource, WorkerMetricsSource } from './app-metrics.js';
export { METRICS_PATH, registerHttpTiming, registerMetricsRoute } from './route.js';
export type { MetricsRouteOptions } from './route.js';
