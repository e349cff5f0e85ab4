import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPlausibleLegalName, maskIdNumber, maskName, parseIdNumber } from './id-number.ts';

const TODAY = new Date('2026-11-21T00:00:00Z');

describe('resident ID numbers (domain-rules §2 vectors)', () => {
  it.each(['11010519491231002X', '440524188001010014', '513101198201130014', '11010519491231002x'])(
    'accepts %s',
    (value) => {
      const parsed = parseIdNumber(value, TODAY);
      expect(parsed.ok).toBe(true);
      if (parsed.ok) expect(parsed.id.value).toBe(value.toUpperCase());
    },
  );

  it('reads the birth date and sex', () => {
    const parsed = parseIdNumber('11010519491231002X', TODAY);
    expect(parsed).toEqual({
      ok: true,
      id: { value: '11010519491231002X', birthDate: { year: 1949, month: 12, day: 31 }, sex: 'female' },
    });
  });

  it.each([
    ['513101198201130015', 'checksum'],
    ['5131011982011300', 'format'],
    ['51310119820113001Y', 'format'],
    ['991011198201130014', 'region'],
    ['110105194902300010', 'birthDate'], // 30 February
    ['110105203001010016', 'birthDate'], // in the future
  ] as const)('refuses %s (%s)', (value, problem) => {
    expect(parseIdNumber(value, TODAY)).toEqual({ ok: false, problem });
  });

  it('any single changed digit breaks the checksum', () => {
    fc.assert(
      fc.property(fc.integer({ min: 6, max: 16 }), fc.integer({ min: 1, max: 9 }), (position, delta) => {
        const valid = '513101198201130014';
        const digit = (Number.parseInt(valid[position]!, 10) + delta) % 10;
        const changed = `${valid.slice(0, position)}${digit}${valid.slice(position + 1)}`;
        expect(parseIdNumber(changed, TODAY).ok).toBe(false);
      }),
    );
  });

  it('masks numbers and names', () => {
    expect(maskIdNumber('11010519491231002X')).toBe('1101**********002X');
    expect(maskName('李明')).toBe('*明');
    expect(maskName('欧阳红')).toBe('**红');
    expect(isPlausibleLegalName('李明')).toBe(true);
    expect(isPlausibleLegalName('买买提·艾力')).toBe(true);
    expect(isPlausibleLegalName('x')).toBe(false);
    expect(isPlausibleLegalName('<script>')).toBe(false);
  });
});
