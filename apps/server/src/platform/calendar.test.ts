import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  SHANGHAI_TIME_ZONE,
  isCalendarDate,
  shanghaiCalendar,
  shanghaiDate,
  shanghaiDay,
  shanghaiMonth,
} from './calendar.ts';

const INTL_DATE = new Intl.DateTimeFormat('en-CA', {
  timeZone: SHANGHAI_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

describe('the Asia/Shanghai calendar', () => {
  it('turns the day at 16:00 UTC', () => {
    expect(shanghaiDate(new Date('2026-11-21T15:59:59.999Z'))).toBe('2026-11-21');
    expect(shanghaiDate(new Date('2026-11-21T16:00:00.000Z'))).toBe('2026-11-22');
    expect(shanghaiCalendar(new Date('2026-12-31T16:00:00Z'))).toEqual({ day: '2027-01-01', year: '2027' });
  });

  it('agrees with Intl for Asia/Shanghai at any instant from 1992 to 2100', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1992, 0, 1), max: Date.UTC(2100, 0, 1) }), (ms) => {
        const at = new Date(ms);
        expect(shanghaiDate(at)).toBe(INTL_DATE.format(at));
      }),
    );
  });

  it('gives a day as [local midnight, next local midnight)', () => {
    expect(shanghaiDay('2026-11-22')).toEqual({
      from: new Date('2026-11-21T16:00:00Z'),
      to: new Date('2026-11-22T16:00:00Z'),
    });
    expect(() => shanghaiDay('2026-02-30')).toThrow(RangeError);
    expect(isCalendarDate('2028-02-29')).toBe(true);
    expect(isCalendarDate('2027-02-29')).toBe(false);
    expect(isCalendarDate('2026-1-01')).toBe(false);
  });

  it('gives the month that contains an instant, across a year end', () => {
    expect(shanghaiMonth(new Date('2026-01-31T16:30:00Z'))).toEqual({
      from: new Date('2026-01-31T16:00:00Z'),
      to: new Date('2026-02-28T16:00:00Z'),
    });
    expect(shanghaiMonth(new Date('2026-12-31T17:00:00Z'))).toEqual({
      from: new Date('2026-12-31T16:00:00Z'),
      to: new Date('2027-01-31T16:00:00Z'),
    });
  });
});
