// anyOf rather than a `type` list: the config loader's ajv runs in strict mode, which warns on union types.
const anyOfTypes = (...types: string[]) => ({ anyOf: types.map((type) => ({ type })) });

/** A dotted path of non-empty segments: `PERSON.NAME`, `address.province`. */
const DOTTED_PATH = { type: 'string', pattern: '^[^.]+(\\.[^.]+)*$' };

const exactly = (key: string, value: Record<string, unknown>) => ({
  type: 'object',
  additionalProperties: false,
  required: [key],
  properties: { [key]: value },
});

const TRANSFORM_SCHEMA = {
  oneOf: [
    exactly('date', { enum: ['iso', 'iso-be', 'dmy-be', 'dmy', 'thai'] }),
    exactly('lookup', { type: 'string', minLength: 1 }),
    exactly('values', {
      type: 'object',
      minProperties: 1,
      additionalProperties: anyOfTypes('string', 'number', 'boolean'),
    }),
    exactly('number', { const: true }),
    exactly('string', { const: true }),
    exactly('trim', { const: true }),
  ],
};

const FIELD_RULE_SCHEMA = {
  oneOf: [
    {
      type: 'object',
      additionalProperties: false,
      required: ['from'],
      properties: { from: DOTTED_PATH, optional: { type: 'boolean' }, transform: TRANSFORM_SCHEMA },
    },
    exactly('const', anyOfTypes('string', 'number', 'boolean', 'null')),
  ],
};

/**
 * JSON Schema of `MappingsConfig` (mapping.types.ts), for the connector's
 * config schema. It checks the shape only; whether a mapping can give a valid
 * record is checked against the record schemas by compileMappings.
 */
export const mappingsConfigSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['records'],
  properties: {
    records: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['fields'],
        properties: {
          fields: { type: 'object', propertyNames: DOTTED_PATH, additionalProperties: FIELD_RULE_SCHEMA },
        },
      },
    },
    codeLists: {
      type: 'object',
      additionalProperties: { type: 'object', additionalProperties: { type: 'string' } },
    },
  },
} as const;
