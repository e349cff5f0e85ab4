/**
 * The calendar every limit, fee allowance, report and date filter counts in: the civil day,
 * month and year in Asia/Shanghai (domain-rules §1: "calendar day in Asia/Shanghai"). China has
 * kept UTC+8 all year since 1991, so a fixed offset is exact for every date the wallet handles;
 * it is also what `Intl` answers for Asia/Shanghai, which the tests check.
 */
export const SHANGHAI_TIME_ZONE = 'Asia/Shanghai';
const OFFSET_MS = 8 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The calendar day in Asia/Shanghai of an instant, `YYYY-MM-DD`. */
export function shanghaiDate(at: Date): string {
  return new Date(at.getTime() + OFFSET_MS).toISOString().slice(0, 10);
}

/** The calendar day and year in Asia/Shanghai of an instant (the keys of the tier limits). */
export function shanghaiCalendar(at: Date): { day: string; year: string } {
  const day = shanghaiDate(at);
  return { day, year: day.slice(0, 4) };
}

/** True for a real calendar date written `YYYY-MM-DD`. */
export function isCalendarDate(date: string): boolean {
  const match = DATE.exec(date);
  if (!match) return false;
  const utc = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return utc.toISOString().slice(0, 10) === date;
}

/** [from, to) of a calendar day `YYYY-MM-DD` in Asia/Shanghai; throws on anything else. */
export function shanghaiDay(date: string): { from: Date; to: Date } {
  if (!isCalendarDate(date)) throw new RangeError(`not a calendar date: ${date}`);
  const from = new Date(Date.parse(`${date}T00:00:00Z`) - OFFSET_MS);
  return { from, to: new Date(from.getTime() + DAY_MS) };
}

/** [from, to) of the calendar month in Asia/Shanghai that contains an instant. */
export function shanghaiMonth(at: Date): { from: Date; to: Date } {
  const shifted = new Date(at.getTime() + OFFSET_MS);
  const year = shifted.getUTCFullYear();
  const month = shifted.getUTCMonth();
  return {
    from: new Date(Date.UTC(year, month, 1) - OFFSET_MS),
    to: new Date(Date.UTC(year, month + 1, 1) - OFFSET_MS),
  };
}
