import { HubError } from '../../lib/errors/hub-error.ts';
import type { Policy } from '../../policies/policy.types.ts';
import { compileMappings } from '../mapping/compile-mappings.ts';
import { MappedBackend } from '../mapping/mapped-backend.ts';
import type { MappingsConfig } from '../mapping/mapping.types.ts';
import type { Backend, BackendConfig } from './backend.types.ts';
import { FileBackend } from './file-backend.ts';
import { RestBackend } from './http/rest-backend.ts';
import { MemoryBackend } from './memory-backend.ts';
import { PostgresBackend } from './postgres/postgres-backend.ts';
import { withResilience, type BreakerState } from './resilience/resilient-backend.ts';
import { SoapBackend } from './soap/soap-backend.ts';


/** The connector's view of its agency system: fetched, contained, mapped. */
export interface OpenedBackend extends Backend {
  /** The circuit breaker's state; undefined for in-process backends (files, memory), which have none. */
  breakerState(): BreakerState | undefined;
  close(): Promise<void>;
}

/**
 * Opens the configured backend as the connector uses it: the mappings are
 * checked against the record schemas first (a mapping that can never give a
 * valid record stops start-up before anything is connected), then the backend
 * is opened, wrapped in its concurrency limit, safe retries and circuit
 * breaker, and its answers mapped to records.
 */
export async function openBackend(
  config: { agencyId: string; backend: BackendConfig; mappings?: MappingsConfig | undefined },
  policy: Policy,
): Promise<OpenedBackend> {
  checkRecordTypesProvided(config, policy);
  const mapper = compileMappings(config.mappings ?? { records: {} }, policy.recordTypes);
  const backend = config.backend;
  let raw: Backend;
  switch (backend.type) {
    case 'file':
      raw = new FileBackend(backend.dir);
      break;
    case 'memory':
      raw = await MemoryBackend.load(backend.dir);
      break;
    case 'http':
      raw = await RestBackend.open(backend);
      break;
    case 'postgres':
      raw = await PostgresBackend.open(backend);
      break;
    case 'soap':
      raw = await SoapBackend.open(backend);
      break;
  }
  // Files and memory are local reads: no outage to contain.
  const contained =
    backend.type === 'file' || backend.type === 'memory'
      ? undefined
      : withResilience(raw, backend, backend.type);
  const mapped = new MappedBackend(contained ?? raw, mapper);
  return {
    fetch: (recordType, subject, timeoutMs) => mapped.fetch(recordType, subject, timeoutMs),
    breakerState: () => contained?.breakerState(),
    close: async () => {
      await (contained ?? raw).close?.();
    },
  };
}

/**
 * A query, an operation or a mapping for a record type this agency does not
 * provide is a config mistake (a copied file, a typo): say so at start-up
 * rather than serve a backend that is never asked.
 */
function checkRecordTypesProvided(
  config: { agencyId: string; backend: BackendConfig; mappings?: MappingsConfig | undefined },
  policy: Policy,
): void {
  const named = [
    ...Object.keys(
      config.backend.type === 'postgres'
        ? config.backend.queries
        : config.backend.type === 'soap'
          ? config.backend.operations
          : {},
    ).map((t) => [t, `backend.${config.backend.type === 'postgres' ? 'queries' : 'operations'}`] as const),
    ...Object.keys(config.mappings?.records ?? {}).map((t) => [t, 'mappings.records'] as const),
  ];
  const problems = named
    .filter(([type]) => policy.recordTypes.get(type)?.provider !== config.agencyId)
    .map(
      ([type, where]) =>
        `${where}: ${type} is ${policy.recordTypes.has(type) ? `provided by ${policy.recordTypes.get(type)!.provider}, not ${config.agencyId}` : 'not a record type of the policy'}`,
    );
  if (problems.length > 0)
    throw new HubError(
      'ERR_CONFIG_INVALID',
      `connector config for ${config.agencyId} names record types it cannot serve:\n  ${problems.join('\n  ')}`,
    );
}
