/**
 * Live chat's service hours, in Asia/Shanghai (settings SUPPORT_CHAT_OPENS_AT_HOUR and
 * SUPPORT_CHAT_CLOSES_AT_HOUR, 09–21 by default): from the opening hour up to, not including,
 * the closing hour, every day.
 */
import { SHANGHAI_TIME_ZONE } from '../../platform/calendar.ts';

const hourFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: SHANGHAI_TIME_ZONE,
  hour: '2-digit',
  hourCycle: 'h23',
});

export interface ServiceHours {
  opensAtHour: number;
  closesAtHour: number;
}

export function shanghaiHour(at: Date): number {
  return Number(hourFormat.format(at));
}

export function withinServiceHours(at: Date, hours: ServiceHours): boolean {
  const hour = shanghaiHour(at);
  return hour >= hours.opensAtHour && hour < hours.closesAtHour;
}
