import { Ajv, type JSONSchemaType } from 'ajv';
import { HubError } from '../errors/hub-error.ts';

export interface EnvBinding {
  /** Environment variable name. */
  env: string;
  /** How to read its string value. */
  parse?: 'string' | 'int' | 'bool' | 'list' | 'json';
}

/**
 * Loads a config object once: explicit values win, then environment, then
 * defaults; the result is validated against a JSON Schema and frozen. An
 * invalid config stops the process with the key and the reason.
 */
export function loadConfig<T extends object>(
  name: string,
  schema: JSONSchemaType<T>,
  bindings: Partial<Record<keyof T, EnvBinding>>,
  defaults: Partial<T>,
  explicit: Partial<T>,
  env: NodeJS.ProcessEnv = process.env,
): Readonly<T> {
  const fromEnv: Record<string, unknown> = {};
  for (const [key, binding] of Object.entries(bindings) as [string, EnvBinding][]) {
    const raw = env[binding.env];
    if (raw === undefined || raw === '') continue;
    fromEnv[key] = parseEnv(raw, binding, name);
  }
  const merged = { ...defaults, ...fromEnv, ...dropUndefined(explicit) };
  const validate = new Ajv({ allErrors: true, useDefaults: false, discriminator: true }).compile(schema);
  if (!validate(merged)) {
    const reasons = (validate.errors ?? []).map((e) => {
      const key = e.instancePath.replace(/^\//, '') || String((e.params as { missingProperty?: string }).missingProperty ?? '');
      const binding = bindings[key as keyof T];
      return `${key}${binding ? ` (env ${binding.env})` : ''}: ${e.message ?? 'is invalid'}`;
    });
    throw new HubError('ERR_CONFIG_INVALID', `invalid ${name} config:\n  ${reasons.join('\n  ')}`);
  }
  return Object.freeze(merged);
}

function parseEnv(raw: string, binding: EnvBinding, name: string): unknown {
  switch (binding.parse ?? 'string') {
    case 'int': {
      const n = Number(raw);
      if (!Number.isInteger(n)) throw new HubError('ERR_CONFIG_INVALID', `invalid ${name} config: ${binding.env} must be an integer`);
      return n;
    }
    case 'bool':
      if (raw === 'true' || raw === '1') return true;
      if (raw === 'false' || raw === '0') return false;
      throw new HubError('ERR_CONFIG_INVALID', `invalid ${name} config: ${binding.env} must be true or false`);
    case 'list':
      return raw.split(',').map((s) => s.trim()).filter(Boolean);
    case 'json':
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        throw new HubError('ERR_CONFIG_INVALID', `invalid ${name} config: ${binding.env} is not valid JSON`);
      }
    default:
      return raw;
  }
}

function dropUndefined<T extends object>(value: Partial<T>): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
