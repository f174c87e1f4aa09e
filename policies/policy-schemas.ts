import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const here = dirname(fileURLToPath(import.meta.url));

function schemaFile(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(here, 'schemas', `${name}.schema.json`), 'utf8')) as Record<string, unknown>;
}

/** The policy files' own schemas, compiled once. */
export const POLICY_FILES = ['hub', 'agencies', 'record-types', 'purposes', 'agreements'] as const;
export type PolicyFile = (typeof POLICY_FILES)[number];

export function compilePolicySchemas(): Record<PolicyFile, ValidateFunction> {
  const ajv = addFormats(new Ajv({ allErrors: true, strict: true, strictRequired: false }));
  ajv.addSchema(schemaFile('common'));
  const out = {} as Record<PolicyFile, ValidateFunction>;
  for (const name of POLICY_FILES) out[name] = ajv.compile(schemaFile(name));
  return out;
}

/** An ajv instance for record-type schemas: these are agencies' data contracts. */
export function recordSchemaAjv(): Ajv {
  return addFormats(new Ajv({ allErrors: true, strict: false }));
}
