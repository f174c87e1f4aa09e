import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { materialiseDemo } from '../../cli/demo-setup.ts';
import { compileMappings, MappingConfigError } from '../../connectors/mapping/compile-mappings.ts';
import { mappingsConfigSchema } from '../../connectors/mapping/mapping-config-schema.ts';
import type { MappingsConfig, RecordMapping } from '../../connectors/mapping/mapping.types.ts';
import { HubError } from '../../lib/errors/hub-error.ts';
import { loadPolicy } from '../../policies/policy-loader.ts';
import type { Policy, RecordType } from '../../policies/policy.types.ts';

const PERSON = 'dopa.civil-registration.person';
const ADDRESS = 'dopa.house-registration.address';
const CITIZEN_ID = '1101700203450';

/** A DOPA-style reporting-view row: upper-case columns, Buddhist-era compact dates, numeric codes. */
const DOPA_ROW = {
  PID: CITIZEN_ID,
  TITLE_TH: 'นาย',
  FNAME_TH: ' สมชาย ',
  LNAME_TH: 'ใจดี',
  FNAME_EN: null,
  BIRTH_DATE_BE: '25270315',
  SEX: '1',
  PROVINCE: '10',
  DEATH_FLAG: 0,
};

const PERSON_MAPPING: RecordMapping = {
  fields: {
    titleTh: { from: 'TITLE_TH' },
    firstNameTh: { from: 'FNAME_TH', transform: { trim: true } },
    lastNameTh: { from: 'LNAME_TH', transform: { trim: true } },
    firstNameEn: { from: 'FNAME_EN', optional: true },
    dateOfBirth: { from: 'BIRTH_DATE_BE', transform: { date: 'iso-be' } },
    gender: { from: 'SEX', transform: { values: { '1': 'male', '2': 'female' } } },
    nationality: { const: 'THA' },
    lifeStatus: { from: 'DEATH_FLAG', transform: { values: { '0': 'alive', '1': 'deceased' } } },
  },
};

const PROVINCES = { '10': 'กรุงเทพมหานคร', '50': 'เชียงใหม่' };

const ADDRESS_MAPPING: RecordMapping = {
  fields: {
    houseCode: { from: 'HOUSE.ID', transform: { string: true } },
    houseNo: { from: 'HOUSE.NO' },
    moo: { from: 'HOUSE.MOO', optional: true, transform: { number: true } },
    subdistrict: { from: 'TAMBON' },
    district: { from: 'AMPHOE' },
    province: { from: 'PROVINCE', transform: { lookup: 'province' } },
    postalCode: { from: 'ZIP', transform: { string: true } },
    registeredSince: { from: 'MOVE_IN', transform: { date: 'thai' } },
  },
};

/** Not in the demo policy: a record type with a nested object, for dotted targets. */
const NESTED: RecordType = {
  id: 'test.nested.person',
  provider: 'DOPA',
  title: 'nested',
  sensitivity: { class: 'general' },
  source: 'test',
  fields: ['name', 'address'],
  schema: {
    type: 'object',
    required: ['name', 'address'],
    properties: {
      name: { type: 'string' },
      address: {
        type: 'object',
        required: ['province'],
        properties: { province: { type: 'string' }, district: { type: 'string' } },
      },
    },
  },
};

let dir: string;
let policy: Policy;
let recordTypes: Map<string, RecordType>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xhub-mapping-'));
  policy = await loadPolicy((await materialiseDemo(dir)).policiesDir);
  recordTypes = new Map([...policy.recordTypes, [NESTED.id, NESTED]]);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function problemsOf(config: MappingsConfig): readonly string[] {
  try {
    compileMappings(config, recordTypes);
  } catch (error) {
    expect(error).toBeInstanceOf(MappingConfigError);
    expect((error as HubError).code).toBe('ERR_CONFIG_INVALID');
    return (error as MappingConfigError).problems;
  }
  throw new Error('expected the mappings to be refused');
}

function mapError(config: MappingsConfig, recordType: string, raw: Record<string, unknown>): HubError {
  try {
    compileMappings(config, recordTypes).map(recordType, raw);
  } catch (error) {
    expect(error).toBeInstanceOf(HubError);
    expect((error as HubError).code).toBe('ERR_RECORD_SCHEMA_INVALID');
    return error as HubError;
  }
  throw new Error('expected the mapping to fail');
}

const withField = (
  mapping: RecordMapping,
  target: string,
  rule: RecordMapping['fields'][string] | undefined,
): RecordMapping => {
  const fields = { ...mapping.fields };
  if (rule === undefined) delete fields[target];
  else fields[target] = rule;
  return { fields };
};

describe('record mapping at run time', () => {
  it('maps a DOPA row to a valid person record: renames, trims, BE date, values map, constant', () => {
    const mapper = compileMappings({ records: { [PERSON]: PERSON_MAPPING } }, recordTypes);
    const record = mapper.map(PERSON, DOPA_ROW);
    expect(record).toEqual({
      titleTh: 'นาย',
      firstNameTh: 'สมชาย',
      lastNameTh: 'ใจดี',
      dateOfBirth: '1984-03-15',
      gender: 'male',
      nationality: 'THA',
      lifeStatus: 'alive',
    });
    // The citizen id column is not mapped, so it does not travel; FNAME_EN was null, so the optional field is absent.
    expect(Object.values(record)).not.toContain(CITIZEN_ID);
    expect(policy.recordValidators.get(PERSON)?.(record)).toBe(true);
  });

  it('maps nested source paths, code lists, numbers and Thai dates to a valid address record', () => {
    const mapper = compileMappings(
      { records: { [ADDRESS]: ADDRESS_MAPPING }, codeLists: { province: PROVINCES, unused: { a: 'b' } } },
      recordTypes,
    );
    const record = mapper.map(ADDRESS, {
      HOUSE: { ID: 10010012345, NO: '99/1', MOO: '4' },
      TAMBON: 'พระบรมมหาราชวัง',
      AMPHOE: 'พระนคร',
      PROVINCE: 10,
      ZIP: 10200,
      MOVE_IN: '๑ ม.ค. พ.ศ. ๒๕๕๐',
    });
    expect(record).toMatchObject({
      houseCode: '10010012345',
      moo: 4,
      province: 'กรุงเทพมหานคร',
      postalCode: '10200',
      registeredSince: '2007-01-01',
    });
    expect(policy.recordValidators.get(ADDRESS)?.(record)).toBe(true);
  });

  it('builds nested targets from dotted paths', () => {
    const mapper = compileMappings(
      {
        records: {
          [NESTED.id]: {
            fields: {
              name: { from: 'n' },
              'address.province': { from: 'p' },
              'address.district': { from: 'd', optional: true },
            },
          },
        },
      },
      recordTypes,
    );
    expect(mapper.map(NESTED.id, { n: 'x', p: 'y' })).toEqual({ name: 'x', address: { province: 'y' } });
  });

  it('passes a record type without a mapping through unchanged', () => {
    const raw = { cardHolder: true, programmeRound: '2567' };
    expect(compileMappings({ records: {} }, recordTypes).map('fpo.welfare-card.status', raw)).toBe(raw);
  });

  it('names the record type, field and source of a missing required value, never the value', () => {
    const config = { records: { [PERSON]: PERSON_MAPPING } };
    const missing = mapError(config, PERSON, { ...DOPA_ROW, LNAME_TH: undefined });
    expect(missing.message).toBe(
      `mapping of ${PERSON}: field lastNameTh (from LNAME_TH): missing from the backend's answer`,
    );
    // null is missing too.
    expect(mapError(config, PERSON, { ...DOPA_ROW, SEX: null }).message).toContain(
      'field gender (from SEX): missing',
    );
  });

  it('refuses a value it cannot convert without putting the value in the message', () => {
    const config = { records: { [PERSON]: PERSON_MAPPING } };
    for (const [column, value] of [
      ['BIRTH_DATE_BE', '19840315'],
      ['BIRTH_DATE_BE', '25270231'],
      ['SEX', '9'],
    ] as const) {
      const error = mapError(config, PERSON, { ...DOPA_ROW, [column]: value });
      expect(error.message).toMatch(new RegExp(`^mapping of ${PERSON}: field \\w+ \\(from ${column}\\): `));
      expect(error.message).not.toContain(value);
      expect(error.message).not.toContain(CITIZEN_ID);
    }
    const address = { records: { [ADDRESS]: ADDRESS_MAPPING }, codeLists: { province: PROVINCES } };
    const raw = {
      HOUSE: { ID: '1', NO: '1' },
      TAMBON: 't',
      AMPHOE: 'a',
      PROVINCE: '99',
      ZIP: '10200',
      MOVE_IN: '1 ม.ค. 2550',
    };
    expect(mapError(address, ADDRESS, raw).message).toBe(
      `mapping of ${ADDRESS}: field province (from PROVINCE): code not in the code list province`,
    );
  });

  it('follows only own properties of the source', () => {
    const mapper = compileMappings(
      {
        records: {
          [NESTED.id]: { fields: { name: { from: 'constructor.name' }, 'address.province': { const: 'x' } } },
        },
      },
      recordTypes,
    );
    expect(() => mapper.map(NESTED.id, {})).toThrow(/field name \(from constructor\.name\): missing/);
  });
});

describe('record mapping checked at start-up', () => {
  const person = (mapping: RecordMapping): MappingsConfig => ({ records: { [PERSON]: mapping } });

  it('refuses a target field that the record schema does not have', () => {
    expect(problemsOf(person(withField(PERSON_MAPPING, 'nickname', { from: 'NICK' })))).toEqual([
      `mapping for ${PERSON}: field nickname: not a property of the record schema`,
    ]);
  });

  it('refuses a mapping that leaves a required field unproduced or optional', () => {
    expect(problemsOf(person(withField(PERSON_MAPPING, 'lastNameTh', undefined)))).toEqual([
      `mapping for ${PERSON}: field lastNameTh: required by the record schema, but no rule produces it`,
    ]);
    expect(
      problemsOf(person(withField(PERSON_MAPPING, 'lastNameTh', { from: 'LNAME_TH', optional: true }))),
    ).toEqual([
      `mapping for ${PERSON}: field lastNameTh: required by the record schema, but its rule is optional`,
    ]);
  });

  it('refuses a constant or a values-map output that the field schema refuses', () => {
    const [constant] = problemsOf(person(withField(PERSON_MAPPING, 'gender', { const: 'M' })));
    expect(constant).toBe(
      `mapping for ${PERSON}: field gender: the constant is refused by the field's schema: must be one of "male", "female"`,
    );
    const [values] = problemsOf(
      person(
        withField(PERSON_MAPPING, 'gender', {
          from: 'SEX',
          transform: { values: { '1': 'male', '2': 'F' } },
        }),
      ),
    );
    expect(values).toMatch(/field gender: values map entry "2" gives a value the field's schema refuses/);
    const [pattern] = problemsOf(person(withField(PERSON_MAPPING, 'nationality', { const: 'TH' })));
    expect(pattern).toMatch(/field nationality: the constant is refused.*pattern/);
  });

  it('refuses a lookup to an unknown code list, and code-list entries the field refuses', () => {
    expect(
      problemsOf({ records: { [ADDRESS]: ADDRESS_MAPPING }, codeLists: { provinces: PROVINCES } }),
    ).toEqual([`mapping for ${ADDRESS}: field province: code list province is not defined in codeLists`]);
    const mapping = withField(ADDRESS_MAPPING, 'postalCode', { from: 'ZIP', transform: { lookup: 'zip' } });
    const zip = { a: '10200', b: '102', c: 'x', d: 'y', e: 'z' };
    const problems = problemsOf({ records: { [ADDRESS]: mapping }, codeLists: { province: PROVINCES, zip } });
    expect(problems[0]).toMatch(
      /field postalCode: code list zip entry "b" gives a value the field's schema refuses: must match pattern/,
    );
    expect(problems.at(-1)).toBe(
      `mapping for ${ADDRESS}: field postalCode: code list zip: and 1 more entries the field's schema refuses`,
    );
  });

  it('refuses a date into a field that is not a string, or whose format is not a date', () => {
    const rd = {
      taxYear: { from: 'YEAR', transform: { date: 'iso-be' } },
      assessableIncome: { const: 0 },
      taxPaid: { const: 0 },
      filingStatus: { const: 'filed' },
    } as const;
    expect(problemsOf({ records: { 'rd.income-tax.annual-summary': { fields: rd } } })).toEqual([
      'mapping for rd.income-tax.annual-summary: field taxYear: a date transform gives a string, but the field is not string-typed',
    ]);
    const moph = {
      immunizations: { const: 'none' },
      lastUpdated: { from: 'UPDATED', transform: { date: 'iso' } },
    } as const;
    const problems = problemsOf({ records: { 'moph.immunization.history': { fields: moph } } });
    expect(problems).toContain(
      `mapping for moph.immunization.history: field lastUpdated: an ISO date (YYYY-MM-DD) is refused by the field's schema: must match format "date-time"`,
    );
    expect(problems).toContain(
      `mapping for moph.immunization.history: field immunizations: the constant is refused by the field's schema: must be array`,
    );
  });

  it('refuses number and string transforms into fields of the other type', () => {
    const problems = problemsOf(
      person(withField(PERSON_MAPPING, 'titleTh', { from: 'TITLE', transform: { number: true } })),
    );
    expect(problems).toEqual([
      `mapping for ${PERSON}: field titleTh: a number transform gives a number, but the field is not number-typed`,
    ]);
  });

  it('checks nested objects: unknown nested fields, required nested fields, whole-and-parts conflicts', () => {
    const nested = (fields: RecordMapping['fields']): MappingsConfig => ({
      records: { [NESTED.id]: { fields } },
    });
    expect(problemsOf(nested({ name: { from: 'n' }, 'address.district': { from: 'd' } }))).toEqual([
      `mapping for ${NESTED.id}: field address.province: required by the record schema, but no rule produces it`,
    ]);
    expect(
      problemsOf(nested({ name: { from: 'n' }, 'address.province': { from: 'p', optional: true } })),
    ).toEqual([
      `mapping for ${NESTED.id}: field address: required by the record schema, but every rule inside it is optional`,
      `mapping for ${NESTED.id}: field address.province: required by the record schema, but its rule is optional`,
    ]);
    expect(
      problemsOf(
        nested({
          name: { from: 'n' },
          address: { from: 'a' },
          'address.city': { from: 'c' },
          'name.first': { from: 'f' },
        }),
      ),
    ).toEqual([
      `mapping for ${NESTED.id}: field address.city: not a property of the record schema`,
      `mapping for ${NESTED.id}: field name.first: name is not an object with properties in the record schema`,
    ]);
    expect(
      problemsOf(nested({ name: { from: 'n' }, address: { from: 'a' }, 'address.province': { from: 'p' } })),
    ).toEqual([
      `mapping for ${NESTED.id}: field address.province: also set as a whole by the rule for address`,
    ]);
  });

  it('reports every problem of every record type together, one per line', () => {
    let error: unknown;
    try {
      compileMappings(
        {
          records: {
            'no.such.type': { fields: {} },
            [PERSON]: withField(withField(PERSON_MAPPING, 'gender', { const: 'M' }), 'lifeStatus', undefined),
            [ADDRESS]: ADDRESS_MAPPING,
          },
        },
        recordTypes,
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MappingConfigError);
    const lines = (error as Error).message.split('\n');
    expect(lines[0]).toBe('mappings refused:');
    expect(lines.slice(1)).toEqual([
      '  mapping for no.such.type: no such record type in the policy',
      expect.stringMatching(/^ {2}mapping for dopa.civil-registration.person: field gender: /),
      '  mapping for dopa.civil-registration.person: field lifeStatus: required by the record schema, but no rule produces it',
      '  mapping for dopa.house-registration.address: field province: code list province is not defined in codeLists',
    ]);
  });
});

describe('mappings config schema', () => {
  const validate = new Ajv({ allErrors: true, discriminator: true }).compile(mappingsConfigSchema);

  it('accepts the mappings used above', () => {
    expect(
      validate({
        records: { [PERSON]: PERSON_MAPPING, [ADDRESS]: ADDRESS_MAPPING },
        codeLists: { province: PROVINCES },
      }),
    ).toBe(true);
  });

  it.each([
    ['an unknown top-level key', { records: {}, extra: 1 }],
    ['no records', { codeLists: {} }],
    ['a rule with both from and const', { records: { x: { fields: { a: { from: 'A', const: 1 } } } } }],
    [
      'an unknown transform',
      { records: { x: { fields: { a: { from: 'A', transform: { upper: true } } } } } },
    ],
    [
      'an unknown date format',
      { records: { x: { fields: { a: { from: 'A', transform: { date: 'ymd' } } } } } },
    ],
    [
      'two transforms in one',
      { records: { x: { fields: { a: { from: 'A', transform: { trim: true, number: true } } } } } },
    ],
    ['an empty path segment', { records: { x: { fields: { 'a..b': { from: 'A' } } } } }],
    ['a non-string code', { records: {}, codeLists: { p: { '10': 10 } } }],
  ])('refuses %s', (_name, config) => {
    expect(validate(config)).toBe(false);
  });
});
