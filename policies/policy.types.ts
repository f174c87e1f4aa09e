import type { ValidateFunction } from 'ajv';
import type { KeyRing } from '../lib/crypto/key-ring.ts';
import type { PublicJwks } from '../lib/crypto/keys.ts';

export type Role = 'consumer' | 'provider' | 'consent-manager' | 'auditor';

/** PDPA s.26 categories of sensitive data. */
export type SensitiveCategory =
  | 'racial'
  | 'ethnic'
  | 'political-opinion'
  | 'religious-philosophical-belief'
  | 'sexual-behaviour'
  | 'criminal-record'
  | 'health'
  | 'disability'
  | 'trade-union'
  | 'genetic'
  | 'biometric';

export type Sensitivity = { class: 'general' } | { class: 'sensitive'; category: SensitiveCategory };

/** PDPA s.19 consent, or one of the s.24 bases. */
export type LawfulBasisCode = 'consent' | 'research-statistics' | 'vital-interest' | 'contract' | 'public-task' | 'legitimate-interest' | 'legal-obligation';

export interface LawfulBasis {
  basis: LawfulBasisCode;
  /** The provision relied on; present for every basis but consent. */
  statute?: string;
  /** A s.26 exception to explicit consent, for sensitive record types. */
  s26Exception?: { exception: string; citation: string; safeguards?: string };
}

export interface Agency {
  id: string;
  name: string;
  nameTh?: string;
  roles: Role[];
  jwks: PublicJwks;
  /** Client certificates bound to this agency, by SHA-256 of their DER (lower-case hex). */
  tlsClientCertificates?: { sha256: string }[];
}

export interface RecordType {
  id: string;
  provider: string;
  title: string;
  description?: string;
  schema: Record<string, unknown>;
  sensitivity: Sensitivity;
  /** Where it was declared: `record-types.json#/recordTypes/2`. */
  source: string;
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
  lawfulBasis: LawfulBasis;
  /** Epoch ms. */
  validFrom: number;
  validTo?: number;
  /** Deliveries under it stay out of the citizen's own access log for `days`, as `citation` allows. */
  deferDisclosure?: { days: number; citation: string };
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
  /** Exchange nodes of the deployment, by id: each signs the consent events and audit entries it writes. */
  nodeIds: ReadonlySet<string>;
  /** Public keys of every agency, of the hub (owner `hub`) and of every node (owner `node:<id>`). */
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
