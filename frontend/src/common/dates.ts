// Day arithmetic for filters: UTC days (YYYY-MM-DD), the same day boundaries the API and the
// dashboard use, whatever the viewer's time zone. Showing and reading days is i18n/format.ts's.
import { i18n } from '../i18n';
import { dayPattern, formatDayInput } from '../i18n/format';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function isDay(value: string): boolean {
  if (!DAY.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/** The message for a day that could not be read: in the format the field shows, with an example. */
export function dayError(): string {
  return i18n.t('validation.date', { pattern: dayPattern(), example: formatDayInput(utcDay(0)) });
}

/** The start of a UTC day (YYYY-MM-DD) as an API timestamp. */
export function startOfDay(day: string): string {
  return `${day}T00:00:00Z`;
}

/** The start of the day after, for the API's exclusive upper bounds: `to` is inclusive here. */
export function endOfDay(day: string): string {
  const next = new Date(`${day}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return next.toISOString().replace('.000Z', 'Z');
}

/** A UTC day, `offset` days from today. */
export function utcDay(offset = 0, now: Date = new Date()): string {
  const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + offset));
  return day.toISOString().slice(0, 10);
}
