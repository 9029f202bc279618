import client from 'prom-client';
import type { Db } from './db/client.ts';

/** Prometheus metrics. Labels never carry tokens, workspace names or customer data. */
export function createMetrics(db?: Db) {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const httpRequests = new client.Counter({
    name: 'taskline_http_requests_total',
    help: 'HTTP requests by route and status',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [registry],
  });
  const httpDuration = new client.Histogram({
    name: 'taskline_http_request_duration_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['route', 'method'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const toolCalls = new client.Counter({
    name: 'taskline_mcp_tool_calls_total',
    help: 'MCP tool calls by tool and outcome',
    labelNames: ['tool', 'outcome'] as const,
    registers: [registry],
  });
  const toolDuration = new client.Histogram({
    name: 'taskline_mcp_tool_duration_seconds',
    help: 'MCP tool call latency by tool',
    labelNames: ['tool'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  const verifications = new client.Counter({
    name: 'taskline_verification_outcomes_total',
    help: 'Customer verification outcomes',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  if (db) {
    new client.Gauge({
      name: 'taskline_db_pool_connections',
      help: 'Database connections by state',
      labelNames: ['state'] as const,
      registers: [registry],
      collect() {
        const s = db.poolStats();
        this.set({ state: 'in_use' }, s.total - s.idle);
        this.set({ state: 'idle' }, s.idle);
        this.set({ state: 'waiting' }, s.waiting);
      },
    });
  }
  return { registry, httpRequests, httpDuration, toolCalls, toolDuration, verifications };
}
export type Metrics = ReturnType<typeof createMetrics>;
