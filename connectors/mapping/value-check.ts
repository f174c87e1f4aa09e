import type { ErrorObject, ValidateFunction } from 'ajv';
import { recordSchemaAjv } from '../../policies/policy-schemas.ts';
import type { SchemaNode } from './schema-paths.ts';

/** Why a value fails a field's sub-schema, or undefined when it passes. */
export type ValueCheck = (schema: SchemaNode, value: unknown) => string | undefined;

/**
 * Checks configured values (constants, `values` outputs, code-list entries)
 * against one field's sub-schema, with the ajv setup (formats included) that
 * the policy loader compiles record schemas with. One ajv per record type, so
 * two record types' schemas can reuse an `$id`; the root's definitions are
 * carried into each sub-schema so local `#/definitions/…` references resolve.
 */
export function valueChecker(root: SchemaNode): ValueCheck {
  const ajv = recordSchemaAjv();
  const compiled = new Map<SchemaNode, ValidateFunction | string>();
  const compile = (schema: SchemaNode): ValidateFunction | string => {
    try {
      return ajv.compile(withRootDefinitions(schema, root));
    } catch (error) {
      return `the field's schema cannot be compiled: ${(error as Error).message}`;
    }
  };
  return (schema, value) => {
    let validate = compiled.get(schema);
    if (validate === undefined) {
      validate = compile(schema);
      compiled.set(schema, validate);
    }
    if (typeof validate === 'string') return validate;
    return validate(value) ? undefined : describe(validate.errors?.[0]);
  };
}

function withRootDefinitions(schema: SchemaNode, root: SchemaNode): SchemaNode {
  if (typeof schema !== 'object' || typeof root !== 'object' || schema === root) return schema;
  const carried = Object.fromEntries(
    (['definitions', '$defs'] as const)
      .filter((k) => root[k] !== undefined && schema[k] === undefined)
      .map((k) => [k, root[k]]),
  );
  return { ...schema, ...carried };
}

function describe(error: ErrorObject | undefined): string {
  if (!error) return 'is invalid';
  const where = error.instancePath ? ` at ${error.instancePath}` : '';
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'enum')
    return `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}${where}`;
  return `${error.message ?? 'is invalid'}${where}`;
}
