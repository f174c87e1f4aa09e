import { Counter, type Registry } from 'prom-client';
import type { HubError } from '../../lib/errors/hub-error.ts';
import type { Logger } from '../../lib/log.ts';
import type { AuditWriter } from '../audit/audit-writer.ts';
import { shortMethod, type CallContext } from './call-context.ts';

export type SecurityEvent = 'auth_failure' | 'role_denied';

/** Which refusals are security events: every failed authentication, and every role denial. */
export function securityEventOf(error: HubError): SecurityEvent | undefined {
  if (error.code.startsWith('ERR_AUTH_')) return 'auth_failure';
  if (error.code === 'ERR_ROLE_REQUIRED') return 'role_denied';
  return undefined;
}

/**
 * Makes refused calls visible: a warn line (code, method, agency when
 * authenticated, peer; never the token), a counter for alerting, and for a
 * role denial of an authenticated agency an audit entry, since that agency is
 * accountable for what it tried.
 */
export class SecurityEvents {
  private readonly counter: Counter<'event' | 'code'>;

  private readonly log: Logger;
  private readonly audit: AuditWriter;

  constructor(registry: Registry, log: Logger, audit: AuditWriter) {
    this.log = log;
    this.audit = audit;
    this.counter = new Counter({
      name: 'xhub_security_events_total',
      help: 'Calls refused for security reasons: failed authentication (auth_failure) or a missing role (role_denied), by error code',
      labelNames: ['event', 'code'] as const,
      registers: [registry],
    });
  }

  /** Records the event if `error` is one; resolves once any audit entry is durable (or has failed, which is logged). */
  async record(error: HubError, ctx: CallContext): Promise<void> {
    const event = securityEventOf(error);
    if (!event) return;
    this.counter.inc({ event, code: error.code });
    const method = shortMethod(ctx.method);
    this.log.warn({ event, code: error.code, method, ...(ctx.agency ? { agency: ctx.agency } : {}), peer: ctx.peer }, 'call refused');
    if (event !== 'role_denied' || !ctx.agency) return;
    await this.audit
      .append({ kind: 'access-denied', actor: ctx.agency, decision: 'deny', reason: error.code, detail: method })
      .catch((cause: unknown) => this.log.error({ err: cause, method }, 'audit entry for a refused call could not be written'));
  }
}
