import { Gauge, type Registry } from 'prom-client';
import type { ConsentLog } from './consent-log.ts';

/**
 * How far this node's consent view trails the consent topic, read at each
 * scrape. A view that trails past consentLagToleranceMs, or cannot learn the
 * topic's end, stops consent decisions (fails closed): `current` says so.
 */
export function consentViewMetrics(registry: Registry, consents: ConsentLog): void {
  new Gauge({
    name: 'xhub_consent_view_lag_records',
    help: "Consent events on the topic not yet applied to this node's consent view, as of the last end offsets learned",
    registers: [registry],
    collect() {
      this.set(consents.lag());
    },
  });
  new Gauge({
    name: 'xhub_consent_view_end_offsets_age_seconds',
    help: "Seconds since this node last learned the consent topic's end offsets (polled every 200 ms; growing means it cannot)",
    registers: [registry],
    collect() {
      const at = consents.endOffsetsKnownAt();
      this.set(at === 0 ? 0 : (Date.now() - at) / 1000);
    },
  });
  new Gauge({
    name: 'xhub_consent_view_current',
    help: '1 while the consent view is current enough to decide on consent, 0 while it fails closed (ERR_CONSENT_VIEW_STALE)',
    registers: [registry],
    collect() {
      this.set(consents.isCurrent() ? 1 : 0);
    },
  });
}
