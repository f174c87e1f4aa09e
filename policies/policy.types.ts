import type { ValidateFunction } from 'ajv';
import type { KeyRing } from '../lib/crypto/key-ring.ts';
import type { PublicJwks } from '../lib/crypto/keys.ts';

export type Role = 'consumer' | 'provider' | 'consent-manager' | 'auditor';

export interface Agency {
  id: string;
  name: string;
  nameTh?: string;
  roles: Role[];
  jwks: PublicJwks;
}

export interface RecordType {
  id: string;
  provider: string;
  title: string;
  description?: string;
  schema: Record<string, unknown>;
  /** Top-level properties of the schema: the fields an agreement may name. */
  fields: string[];
}

export interface Purpose {
  code: string;
  title: string;
  description?: string;
}

export interface Agreement {
  id: string;
  consumer: string;
  provider: string;
  recordType: string;
  purposes: string[];
  fields: string[];
  /** Epoch ms. */
  validFrom: number;
  validTo?: number;
  /** Where it was declared: `agreements.json#/agreements/3`. */
  source: string;
}

/** A loaded, validated, immutable policy set. */
export interface Policy {
  dir: string;
  hubId: string;
  agencies: ReadonlyMap<string, Agency>;
  recordTypes: ReadonlyMap<string, RecordType>;
  purposes: ReadonlyMap<string, Purpose>;
  agreements: readonly Agreement[];
  /** Public keys of every agency and of the hub (owner `hub`). */
  keys: KeyRing;
  /** Compiled JSON Schema validator per record type. */
  recordValidators: ReadonlyMap<string, ValidateFunction>;
}

/** One reason a policy folder was refused. */
export interface PolicyIssue {
  file: string;
  path: string;
  reason: string;
}
