import { HubError } from './errors/hub-error.ts';

/**
 * Thai national identification number: 13 digits, the last a check digit.
 * check = (11 - (Σ d[i] * (13 - i) for i in 0..11) mod 11) mod 10.
 * Attacker-controlled input: never echo it back in an error.
 */
export function isValidCitizenId(value: string): boolean {
  if (!/^[1-8]\d{12}$/.test(value)) return false;
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(value[i]) * (13 - i);
  return (11 - (sum % 11)) % 10 === Number(value[12]);
}

export function assertCitizenId(value: string): void {
  if (value === '') throw new HubError('ERR_INVALID_CITIZEN_ID', 'subject is required: a 13-digit Thai citizen id');
  if (!/^\d{13}$/.test(value)) {
    throw new HubError('ERR_INVALID_CITIZEN_ID', `subject must be exactly 13 digits (got ${value.length} characters)`);
  }
  if (value[0] === '0' || value[0] === '9') {
    throw new HubError('ERR_INVALID_CITIZEN_ID', 'subject is not a valid Thai citizen id: the first digit must be 1 to 8');
  }
  if (!isValidCitizenId(value)) {
    throw new HubError('ERR_INVALID_CITIZEN_ID', 'subject is not a valid Thai citizen id: check digit does not match');
  }
}

/** Appends the check digit to 12 digits; used to make test and demo ids. */
export function withCheckDigit(first12: string): string {
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(first12[i]) * (13 - i);
  return first12 + String((11 - (sum % 11)) % 10);
}
