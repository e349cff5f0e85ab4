import { describe, expect, it } from 'vitest';
import { idNumberProblem, pinProblem } from './checks.ts';

describe('pinProblem', () => {
  it('finds the PINs the server refuses as too simple', () => {
    expect(pinProblem('111111')).toBe('sameDigit');
    for (const pin of ['123456', '654321', '012345', '890123', '210987'])
      expect(pinProblem(pin)).toBe('sequence');
    expect(pinProblem('121212')).toBe('repeatedPattern');
    expect(pinProblem('123123')).toBe('repeatedPattern');
    expect(pinProblem('12345')).toBe('notSixDigits');
    expect(pinProblem('12a456')).toBe('notSixDigits');
  });

  it('lets ordinary PINs through (the birth date is the server’s to check)', () => {
    for (const pin of ['258036', '900101', '135792', '112233']) expect(pinProblem(pin)).toBeNull();
  });
});

describe('idNumberProblem', () => {
  it('accepts the documented sandbox numbers', () => {
    for (const id of [
      '110105199001010010',
      '110105199001019998',
      '11010519900101998X',
      '11010519491231002x',
    ]) {
      expect(idNumberProblem(id)).toBeNull();
    }
  });

  it('names what is wrong', () => {
    expect(idNumberProblem('11010519900101001')).toBe('format');
    expect(idNumberProblem('990105199001010010')).toBe('region');
    expect(idNumberProblem('110105199002300010')).toBe('birthDate');
    expect(idNumberProblem('110105199001010011')).toBe('checksum');
  });
});
