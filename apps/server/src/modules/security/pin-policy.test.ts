import { describe, expect, it } from 'vitest';
import { birthDateForms, pinWeakness } from './pin-policy.ts';

const none = { birthDate: null };

describe('PIN policy', () => {
  it('refuses anything but six digits', () => {
    for (const pin of ['12345', '1234567', '12a456', ' 24680', '２４６８０１']) {
      expect(pinWeakness(pin, none)).toBe('notSixDigits');
    }
  });

  it('refuses one digit six times', () => {
    for (const digit of '0123456789') expect(pinWeakness(digit.repeat(6), none)).toBe('sameDigit');
  });

  it('refuses runs up and down, wrapping past 9 as keypads do', () => {
    for (const pin of ['012345', '123456', '456789', '789012', '901234', '654321', '543210', '210987']) {
      expect(pinWeakness(pin, none)).toBe('sequence');
    }
  });

  it('refuses repeated pairs and triples', () => {
    for (const pin of ['121212', '909090', '123123', '580580', '112112']) {
      expect(pinWeakness(pin, none)).toBe('repeatedPattern');
    }
  });

  it('refuses the birth date of the real-name record, once there is one', () => {
    expect(birthDateForms('19900101')).toEqual(['900101']);
    expect(birthDateForms('1990-01-01')).toEqual(['900101']);
    expect(birthDateForms('not a date')).toEqual([]);
    expect(pinWeakness('900101', none)).toBeNull();
    expect(pinWeakness('900101', { birthDate: '19900101' })).toBe('birthDate');
    expect(pinWeakness('820113', { birthDate: '1982-01-13' })).toBe('birthDate');
    expect(pinWeakness('820114', { birthDate: '1982-01-13' })).toBeNull();
  });

  it('accepts ordinary PINs', () => {
    for (const pin of ['135792', '204817', '975310', '123457', '112233', '010203']) {
      expect(pinWeakness(pin, { birthDate: '19900101' })).toBeNull();
    }
  });
});
