import type { Agency, Agreement, PolicyIssue, Purpose, RecordType } from './policy.types.ts';

interface RawIds {
  agencies: { agencies: { id: string }[] };
  'record-types': { recordTypes: { id: string }[] };
  purposes: { purposes: { code: string }[] };
  agreements: { agreements: { id: string }[] };
}

/**
 * Checks what a schema cannot: ids are unique and every reference between
 * files points at something that exists and may play that part.
 */
export function checkCrossReferences(
  raw: RawIds,
  agencies: ReadonlyMap<string, Agency>,
  recordTypes: ReadonlyMap<string, RecordType>,
  purposes: ReadonlyMap<string, Purpose>,
  agreements: readonly Agreement[],
): PolicyIssue[] {
  const issues: PolicyIssue[] = [
    ...duplicates('agencies.json', '/agencies', raw.agencies.agencies.map((a) => a.id)),
    ...duplicates('record-types.json', '/recordTypes', raw['record-types'].recordTypes.map((r) => r.id)),
    ...duplicates('purposes.json', '/purposes', raw.purposes.purposes.map((p) => p.code)),
    ...duplicates('agreements.json', '/agreements', raw.agreements.agreements.map((a) => a.id)),
    ...sharedCertificates(agencies),
  ];
  [...recordTypes.values()].forEach((r, i) => {
    const provider = agencies.get(r.provider);
    if (!provider) issues.push({ file: 'record-types.json', path: `/recordTypes/${i}/provider`, reason: `unknown agency "${r.provider}"` });
    else if (!provider.roles.includes('provider')) {
      issues.push({ file: 'record-types.json', path: `/recordTypes/${i}/provider`, reason: `agency "${r.provider}" does not have the provider role` });
    }
  });
  agreements.forEach((a, i) => issues.push(...checkAgreement(a, `/agreements/${i}`, agencies, recordTypes, purposes)));
  return issues;
}

function checkAgreement(
  a: Agreement,
  at: string,
  agencies: ReadonlyMap<string, Agency>,
  recordTypes: ReadonlyMap<string, RecordType>,
  purposes: ReadonlyMap<string, Purpose>,
): PolicyIssue[] {
  const issues: PolicyIssue[] = [];
  const add = (path: string, reason: string) => issues.push({ file: 'agreements.json', path: `${at}${path}`, reason });
  const consumer = agencies.get(a.consumer);
  if (!consumer) add('/consumer', `unknown agency "${a.consumer}"`);
  else if (!consumer.roles.includes('consumer')) add('/consumer', `agency "${a.consumer}" does not have the consumer role`);
  if (!agencies.has(a.provider)) add('/provider', `unknown agency "${a.provider}"`);
  const recordType = recordTypes.get(a.recordType);
  if (!recordType) add('/recordType', `unknown record type "${a.recordType}"`);
  else {
    if (recordType.provider !== a.provider) add('/provider', `record type "${a.recordType}" is provided by ${recordType.provider}, not ${a.provider}`);
    a.fields.forEach((f, j) => {
      if (!recordType.fields.includes(f)) add(`/fields/${j}`, `record type "${a.recordType}" has no field "${f}"`);
    });
  }
  a.purposes.forEach((p, j) => {
    if (!purposes.has(p)) add(`/purposes/${j}`, `unknown purpose "${p}"`);
  });
  if (a.validTo !== undefined && a.validTo <= a.validFrom) add('/validTo', 'validTo must be after validFrom');
  // A person who consented must be able to see the use of that consent (PDPA s.19, s.30).
  if (a.deferDisclosure && a.lawfulBasis.basis === 'consent') add('/deferDisclosure', `agreement "${a.id}" rests on consent: its disclosures cannot be kept from the person who consented`);
  if (a.lawfulBasis.s26Exception && recordType?.sensitivity.class === 'general') {
    add('/lawfulBasis/s26Exception', `record type "${a.recordType}" is not sensitive: a s.26 exception does not apply`);
  }
  return issues;
}

function duplicates(file: string, at: string, ids: string[]): PolicyIssue[] {
  const seen = new Set<string>();
  const out: PolicyIssue[] = [];
  ids.forEach((id, i) => {
    if (seen.has(id)) out.push({ file, path: `${at}/${i}`, reason: `duplicate id "${id}"` });
    seen.add(id);
  });
  return out;
}

/** A client certificate names one agency: bound to two, it could not tell the node who is calling. */
function sharedCertificates(agencies: ReadonlyMap<string, Agency>): PolicyIssue[] {
  const owner = new Map<string, string>();
  const out: PolicyIssue[] = [];
  [...agencies.values()].forEach((a, i) => {
    for (const { sha256 } of a.tlsClientCertificates ?? []) {
      const first = owner.get(sha256);
      if (first !== undefined && first !== a.id) out.push({ file: 'agencies.json', path: `/agencies/${i}/tlsClientCertificates`, reason: `certificate ${sha256.slice(0, 16)}… is already bound to agency ${first}` });
      owner.set(sha256, a.id);
    }
  });
  return out;
}
