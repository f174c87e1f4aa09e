import { describe, expect, it } from 'vitest';
import { assertCitizenId, isValidCitizenId, withCheckDigit } from '../../lib/citizen-id.ts';

describe('Thai citizen id', () => {
  it('accepts ids whose check digit matches (mod 11 over weights 13..2)', () => {
    expect(isValidCitizenId('1101700203450')).toBe(true);
    expect(isValidCitizenId('3100500123458')).toBe(true);
    expect(withCheckDigit('110170020345')).toBe('1101700203450');
  });

  it('rejects a wrong check digit, wrong length, non-digits and a leading 0 or 9', () => {
    for (const bad of ['1101700203451', '110170020345', '11017002034500', '11017002034a0', '0101700203450', '9101700203450']) {
      expect(isValidCitizenId(bad), bad).toBe(false);
    }
  });

  it('explains what is wrong without echoing the id', () => {
    expect.assertions(5);
    expect(() => assertCitizenId('1101700203451')).toThrow(/check digit/);
    expect(() => assertCitizenId('123')).toThrow(/13 digits \(got 3 characters\)/);
    expect(() => assertCitizenId('0' + withCheckDigit('110170020345').slice(1))).toThrow(/first digit/);
    try {
      assertCitizenId('1101700203451');
    } catch (e) {
      expect((e as Error).message).not.toContain('1101700203451');
      expect(e).toMatchObject({ code: 'ERR_INVALID_CITIZEN_ID' });
    }
  });
});
