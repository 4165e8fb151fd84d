// Times are shown, and date filters are read, in UTC: the same day boundaries the API and the
// dashboard use, whatever the viewer's time zone.

const dateTime = new Intl.DateTimeFormat('en-GB', {
  dateStyle: 'medium',
  timeStyle: 'short',
  timeZone: 'UTC',
});
const dateOnly = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' });
const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function formatDateTime(iso: string): string {
  return `${dateTime.format(new Date(iso))} UTC`;
}

export function formatDay(day: string): string {
  return dateOnly.format(new Date(`${day}T00:00:00Z`));
}

export function isDay(value: string): boolean {
  return DAY.test(value) && !Number.isNaN(new Date(`${value}T00:00:00Z`).getTime());
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

const UNITS = [
  { name: 'seconds', seconds: 1 },
  { name: 'minutes', seconds: 60 },
  { name: 'hours', seconds: 3600 },
  { name: 'days', seconds: 86_400 },
];

/** The largest unit in which `seconds` is at least 1 (seconds for anything shorter). */
export function durationUnit(seconds: number): { name: string; seconds: number } {
  return UNITS.filter((u) => seconds >= u.seconds).pop() ?? { name: 'seconds', seconds: 1 };
}

/** A duration in words: "42 seconds", "3.5 minutes", "26.0 hours". */
export function formatDuration(seconds: number): string {
  const unit = durationUnit(seconds);
  const value = seconds / unit.seconds;
  return `${unit.seconds === 1 ? Math.round(value) : value.toFixed(1)} ${unit.name}`;
}
