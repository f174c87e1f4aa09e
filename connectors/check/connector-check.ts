import { performance } from 'node:perf_hooks';
import { assertCitizenId } from '../../lib/citizen-id.ts';
import { HubError, isHubError } from '../../lib/errors/hub-error.ts';
import { firstSchemaError } from '../../lib/schema-error.ts';
import { loadPolicy } from '../../policies/policy-loader.ts';
import { openBackend } from '../backends/open-backend.ts';
import type { ConnectorCheckConfig } from '../config.ts';

/** What one agreement would hand out of the checked record. */
export interface AgreementDelivery {
  agreement: string;
  consumer: string;
  purposes: string[];
  lawfulBasis: string;
  /** Fields the agreement names that the mapped record has: what the consumer would receive. */
  fields: string[];
  /** Fields the agreement names that the mapped record lacks. */
  missing: string[];
}

export type RecordCheck =
  | {
      recordType: string;
      outcome: 'found';
      ms: number;
      record: Record<string, unknown>;
      /** `valid`, or where and why the schema refused it. */ schema: string;
      deliveries: AgreementDelivery[];
    }
  | { recordType: string; outcome: 'not-found'; ms: number }
  | { recordType: string; outcome: 'error'; ms: number; code: string; message: string };

export interface CheckReport {
  agencyId: string;
  backend: string;
  checks: RecordCheck[];
  /** True when every record type was found, mapped and valid. */
  ok: boolean;
}

/**
 * The integrator's first command on site: fetch one citizen's record of each
 * record type the agency provides (or of one), from the real backend, without
 * Kafka; map it, check it against its schema and show what each agreement
 * would deliver. The same code path as the running connector (openBackend).
 */
export async function checkConnector(
  config: ConnectorCheckConfig,
  subject: string,
  only?: string,
  timeoutMs = 10_000,
): Promise<CheckReport> {
  assertCitizenId(subject);
  const policy = await loadPolicy(config.policiesDir);
  const agency = policy.agencies.get(config.agencyId);
  if (!agency?.roles.includes('provider'))
    throw new HubError('ERR_CONFIG_INVALID', `agency ${config.agencyId} is not a provider in the policy`);
  const types = [...policy.recordTypes.values()]
    .filter((t) => t.provider === config.agencyId)
    .map((t) => t.id);
  if (only !== undefined && !types.includes(only)) {
    throw new HubError(
      'ERR_UNKNOWN_RECORD_TYPE',
      `${config.agencyId} does not provide ${only} (it provides ${types.join(', ') || 'nothing'})`,
    );
  }
  const backend = await openBackend(config, policy);
  const checks: RecordCheck[] = [];
  try {
    for (const recordType of only === undefined ? types : [only]) {
      const started = performance.now();
      const ms = () => Math.round((performance.now() - started) * 10) / 10;
      try {
        const record = await backend.fetch(recordType, subject, timeoutMs);
        if (!record) {
          checks.push({ recordType, outcome: 'not-found', ms: ms() });
          continue;
        }
        const validate = policy.recordValidators.get(recordType)!;
        const schema = validate(record) ? 'valid' : firstSchemaError(validate);
        const deliveries = policy.agreements
          .filter((a) => a.provider === config.agencyId && a.recordType === recordType)
          .map((a) => ({
            agreement: a.id,
            consumer: a.consumer,
            purposes: a.purposes,
            lawfulBasis: a.lawfulBasis.basis,
            fields: a.fields.filter((f) => Object.hasOwn(record, f)),
            missing: a.fields.filter((f) => !Object.hasOwn(record, f)),
          }));
        checks.push({ recordType, outcome: 'found', ms: ms(), record, schema, deliveries });
      } catch (error) {
        const e = isHubError(error)
          ? error
          : new HubError('ERR_BACKEND_UNAVAILABLE', 'agency backend failed with an unexpected error');
        checks.push({ recordType, outcome: 'error', ms: ms(), code: e.code, message: e.message });
      }
    }
  } finally {
    await backend.close();
  }
  return {
    agencyId: config.agencyId,
    backend: config.backend.type,
    checks,
    ok: checks.length > 0 && checks.every((c) => c.outcome === 'found' && c.schema === 'valid'),
  };
}
