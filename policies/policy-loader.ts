import { readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { KeyRing } from '../lib/crypto/key-ring.ts';
import type { PublicJwks } from '../lib/crypto/keys.ts';
import type { NodeKeyLookup } from '../lib/crypto/record-signature.ts';
import { HUB_KEY_OWNER } from '../lib/envelope/request-envelope.ts';
import { HubError } from '../lib/errors/hub-error.ts';
import { checkCrossReferences } from './cross-references.ts';
import { compilePolicySchemas, POLICY_FILES, recordSchemaAjv, type PolicyFile } from './policy-schemas.ts';
import type { Agency, Agreement, Policy, PolicyIssue, Purpose, RecordType } from './policy.types.ts';

export const SUPPORTED_MAJOR = 1;

/** Key ring owner of a node's signing keys (agency ids cannot contain ':'). */
export const nodeKeyOwner = (nodeId: string): string => `node:${nodeId}`;

/** The agencies that provide at least one record type: each has a request topic and a connector principal. */
export function providersOf(policy: Policy): string[] {
  return [...new Set([...policy.recordTypes.values()].map((r) => r.provider))];
}

/** Finds the registered keys of the policy's nodes, for checking signed consent events and audit entries. */
export function nodeKeyLookup(policy: Policy): NodeKeyLookup {
  return (nodeId, kid) => policy.keys.findKeyObject(nodeKeyOwner(nodeId), kid);
}

/** Thrown when a policy folder is refused; `issues` lists every reason found. */
export class PolicyError extends HubError {
  readonly issues: PolicyIssue[];

  constructor(issues: PolicyIssue[]) {
    super('ERR_POLICY_INVALID', `policy refused:\n${issues.map((i) => `  ${i.file} ${i.path || '/'}: ${i.reason}`).join('\n')}`);
    this.issues = issues;
  }
}

type RawFiles = {
  hub: { id: string; jwks?: PublicJwks; jwksFile?: string; nodes: { id: string; jwks?: PublicJwks; jwksFile?: string }[] };
  agencies: { agencies: (Omit<Agency, 'jwks'> & { jwks?: PublicJwks; jwksFile?: string })[] };
  'record-types': { recordTypes: Omit<RecordType, 'fields' | 'source'>[] };
  purposes: { purposes: Purpose[] };
  agreements: { agreements: (Omit<Agreement, 'validFrom' | 'validTo' | 'source'> & { validFrom: string; validTo?: string })[] };
};

const schemas = compilePolicySchemas();

/**
 * Loads and validates a whole policy folder. Every file is checked against its
 * schema, then every cross-reference; nothing is returned unless all of it is
 * valid, so a half-valid policy can never serve.
 */
export async function loadPolicy(dirPath: string): Promise<Policy> {
  const dir = resolve(dirPath);
  const issues: PolicyIssue[] = [];
  const raw = {} as RawFiles;
  for (const name of POLICY_FILES) {
    const parsed = await readPolicyFile(dir, name, issues);
    if (parsed !== undefined) (raw as Record<string, unknown>)[name] = parsed;
  }
  if (issues.length > 0) throw new PolicyError(issues);

  const hubJwks = await resolveJwks(dir, 'hub.json', '', raw.hub, issues);
  const nodeKeys: [string, PublicJwks][] = [];
  for (const [i, n] of raw.hub.nodes.entries()) {
    const jwks = await resolveJwks(dir, 'hub.json', `/nodes/${i}`, n, issues);
    if (nodeKeys.some(([owner]) => owner === nodeKeyOwner(n.id))) issues.push({ file: 'hub.json', path: `/nodes/${i}/id`, reason: `node "${n.id}" is listed twice` });
    else if (jwks) nodeKeys.push([nodeKeyOwner(n.id), jwks]);
  }
  const agencies = new Map<string, Agency>();
  for (const [i, a] of raw.agencies.agencies.entries()) {
    const jwks = await resolveJwks(dir, 'agencies.json', `/agencies/${i}`, a, issues);
    const { jwksFile: _file, ...rest } = a;
    if (jwks) agencies.set(a.id, { ...rest, jwks });
  }
  const recordTypes = new Map<string, RecordType>(
    raw['record-types'].recordTypes.map((r, i) => [
      r.id,
      { ...r, fields: Object.keys(r.schema.properties as object), source: `record-types.json#/recordTypes/${i}` },
    ]),
  );
  const purposes = new Map(raw.purposes.purposes.map((p) => [p.code, p]));
  const agreements: Agreement[] = raw.agreements.agreements.map((a, i) => ({
    ...a,
    validFrom: Date.parse(a.validFrom),
    validTo: a.validTo === undefined ? undefined : Date.parse(a.validTo),
    source: `agreements.json#/agreements/${i}`,
  }));
  issues.push(...checkCrossReferences(raw, agencies, recordTypes, purposes, agreements));
  const recordValidators = compileRecordSchemas(recordTypes, issues);
  if (issues.length > 0 || !hubJwks) throw new PolicyError(issues);

  const keys = await KeyRing.fromJwks([[HUB_KEY_OWNER, hubJwks], ...nodeKeys, ...[...agencies].map(([id, a]) => [id, a.jwks] as [string, PublicJwks])]);
  const nodeIds = new Set(raw.hub.nodes.map((n) => n.id));
  return Object.freeze({ dir, hubId: raw.hub.id, agencies, recordTypes, purposes, agreements: Object.freeze(agreements), nodeIds, keys, recordValidators });
}

async function readPolicyFile(dir: string, name: PolicyFile, issues: PolicyIssue[]): Promise<unknown> {
  const file = `${name}.json`;
  let text: string;
  try {
    text = await readFile(join(dir, file), 'utf8');
  } catch {
    issues.push({ file, path: '', reason: `cannot read ${join(dir, file)}` });
    return undefined;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    issues.push({ file, path: '', reason: `not valid JSON: ${(error as Error).message}` });
    return undefined;
  }
  const version = (value as { formatVersion?: unknown } | null)?.formatVersion;
  if (typeof version === 'string' && /^\d+/.test(version) && parseInt(version, 10) !== SUPPORTED_MAJOR) {
    issues.push({ file, path: '/formatVersion', reason: `format version ${version} is not supported (this hub reads ${SUPPORTED_MAJOR}.x)` });
    return undefined;
  }
  const validate = schemas[name];
  if (!validate(value)) {
    issues.push(...ajvIssues(file, validate));
    return undefined;
  }
  return value;
}

function ajvIssues(file: string, validate: ValidateFunction): PolicyIssue[] {
  return (validate.errors ?? []).map((e: ErrorObject) => ({ file, path: e.instancePath, reason: describeAjvError(e) }));
}

function describeAjvError(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  if (e.keyword === 'additionalProperties') return `unknown property "${String(p.additionalProperty)}"`;
  if (e.keyword === 'enum') return `${e.message ?? 'must be one of'}: ${(p.allowedValues as unknown[]).join(', ')}`;
  return e.message ?? 'is invalid';
}

async function resolveJwks(
  dir: string,
  file: string,
  path: string,
  entry: { jwks?: PublicJwks; jwksFile?: string },
  issues: PolicyIssue[],
): Promise<PublicJwks | undefined> {
  if (entry.jwks) return entry.jwks;
  const target = entry.jwksFile ?? '';
  const full = isAbsolute(target) ? target : join(dir, target);
  try {
    const jwks = JSON.parse(await readFile(full, 'utf8')) as PublicJwks;
    const check = schemas.hub;
    // The JWKS file is checked with the same definition as an inline `jwks`.
    if (!check({ formatVersion: '1', id: 'jwks-check', jwks, nodes: [{ id: 'jwks-check', jwksFile: target }] })) {
      issues.push(...ajvIssues(target, check).map((i) => ({ ...i, path: i.path.replace(/^\/jwks/, '') })));
      return undefined;
    }
    return jwks;
  } catch {
    issues.push({ file, path: `${path}/jwksFile`, reason: `cannot read JWKS file ${full}` });
    return undefined;
  }
}

function compileRecordSchemas(recordTypes: Map<string, RecordType>, issues: PolicyIssue[]): Map<string, ValidateFunction> {
  const ajv = recordSchemaAjv();
  const out = new Map<string, ValidateFunction>();
  [...recordTypes.values()].forEach((r, i) => {
    try {
      out.set(r.id, ajv.compile(r.schema));
    } catch (error) {
      issues.push({ file: 'record-types.json', path: `/recordTypes/${i}/schema`, reason: `not a valid JSON Schema: ${(error as Error).message}` });
    }
  });
  return out;
}
