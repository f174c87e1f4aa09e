import { status } from '@grpc/grpc-js';
import { Counter, Histogram, type Registry } from 'prom-client';
import { shortMethod } from './call-context.ts';
import { STATUS_BY_CODE } from './status-map.ts';
import type { CompletedCall } from './unary.ts';

/**
 * The node's call metrics, fed by the unary wrapper as each call completes.
 * Labels are the method (`Exchange/RequestRecord`), the gRPC status name, the
 * hub's reason code and the authenticated agency id: all from fixed sets, none
 * from the request (which holds citizen ids) or the token.
 */
export function rpcMetrics(registry: Registry): (call: CompletedCall) => void {
  const duration = new Histogram({
    name: 'xhub_rpc_duration_seconds',
    help: 'Time from a call reaching its handler to its answer, by method and gRPC status',
    labelNames: ['method', 'status'] as const,
    // An exchange waits for a provider: from a cache-like answer up to the longest deadline (maxTimeoutMs 30 s).
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const outcomes = new Counter({
    name: 'xhub_rpc_outcomes_total',
    help: 'Completed calls by method and outcome: OK, or the reason code the caller got (xhub-error-code); for Exchange/RequestRecord these are the exchange outcomes',
    labelNames: ['method', 'code'] as const,
    registers: [registry],
  });
  const byAgency = new Counter({
    name: 'xhub_agency_requests_total',
    help: 'Completed calls by the calling agency (once its token verified; "unauthenticated" otherwise) and method',
    labelNames: ['agency', 'method'] as const,
    registers: [registry],
  });
  return ({ ctx, code, seconds }) => {
    const method = shortMethod(ctx.method);
    duration.observe({ method, status: status[code === 'OK' ? status.OK : STATUS_BY_CODE[code]] }, seconds);
    outcomes.inc({ method, code });
    byAgency.inc({ agency: ctx.agency ?? 'unauthenticated', method });
  };
}
