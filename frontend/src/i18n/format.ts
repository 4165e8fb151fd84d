// One locale-aware formatter for each kind of value the app shows: money, dates and times,
// days typed into a filter, durations, percentages and counts. Each follows the current
// language (see index.ts); times are in UTC, the day boundaries the API and dashboard use.
import { currentLocale, i18n } from './index';

/** The currency amounts are in: the API's money has no currency field, the service lends in one. */
export const CURRENCY = 'USD';

export function formatMoney(value: string, locale = currentLocale()): string {
  // Formatting the decimal string itself is exact: no float rounding.
  return new Intl.NumberFormat(locale, { style: 'currency', currency: CURRENCY }).format(value as Intl.StringNumericLiteral);
}

/** The currency's symbol as this locale writes it ("$", "US$"), for an input's adornment. */
export function currencySymbol(locale = currentLocale()): string {
  const parts = new Intl.NumberFormat(locale, { style: 'currency', currency: CURRENCY }).formatToParts(1);
  return parts.find((p) => p.type === 'currency')?.value ?? CURRENCY;
}

/** This locale's decimal and grouping separators ("." and "," in English, "," and "." in Portuguese). */
export function numberSeparators(locale = currentLocale()): { decimal: string; group: string } {
  const parts = new Intl.NumberFormat(locale).formatToParts(12345.6);
  return {
    decimal: parts.find((p) => p.type === 'decimal')?.value ?? '.',
    group: parts.find((p) => p.type === 'group')?.value ?? ',',
  };
}

export function formatNumber(value: number, locale = currentLocale()): string {
  return new Intl.NumberFormat(locale).format(value);
}

/** A ratio as a percentage, to two decimals at most: a four-place decimal string stays exact ("0.4501" → 45.01%). */
export function formatPercent(ratio: number | string, locale = currentLocale()): string {
  const format = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 2 });
  return typeof ratio === 'string' ? format.format(ratio as Intl.StringNumericLiteral) : format.format(ratio);
}

export function formatDateTime(iso: string, locale = currentLocale()): string {
  const text = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(new Date(iso));
  return i18n.t('format.utc', { time: text });
}

/** A UTC day (YYYY-MM-DD) in words: "Nov 28, 2026", "28 de nov. de 2026". */
export function formatDay(day: string, locale = currentLocale()): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(`${day}T00:00:00Z`));
}

const UNITS = [
  { unit: 'second', seconds: 1 },
  { unit: 'minute', seconds: 60 },
  { unit: 'hour', seconds: 3600 },
  { unit: 'day', seconds: 86_400 },
] as const;
export type DurationUnit = (typeof UNITS)[number];

/** The largest unit in which `seconds` is at least 1 (seconds for anything shorter). */
export function durationUnit(seconds: number): DurationUnit {
  return UNITS.filter((u) => seconds >= u.seconds).pop() ?? UNITS[0];
}

/** A value already in `unit`, in words with the unit's right plural: "1 second", "3.5 minutes". */
export function formatInUnit(value: number, unit: DurationUnit, locale = currentLocale()): string {
  return new Intl.NumberFormat(locale, {
    style: 'unit',
    unit: unit.unit,
    unitDisplay: 'long',
    maximumFractionDigits: unit.seconds === 1 ? 0 : 1,
  }).format(value);
}

/** A duration in its largest whole unit: "42 seconds", "3.5 minutes", "1.1 days". */
export function formatDuration(seconds: number, locale = currentLocale()): string {
  const unit = durationUnit(seconds);
  return formatInUnit(seconds / unit.seconds, unit, locale);
}

/** The unit's name, as a chart axis title: "minutes". */
export function unitName(unit: DurationUnit, locale = currentLocale()): string {
  return new Intl.NumberFormat(locale, { style: 'unit', unit: unit.unit, unitDisplay: 'long' })
    .formatToParts(2)
    .filter((p) => p.type === 'unit')
    .map((p) => p.value)
    .join('')
    .trim();
}

// Days typed into filters: in the order and with the separators of the language ("11/28/2026",
// "28/11/2026"), so the field, its hint and its error message all show the same format.

type DayPart = 'day' | 'month' | 'year';

function dayLayout(locale: string): { order: DayPart[]; separator: string } {
  const parts = new Intl.DateTimeFormat(locale, { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: 'UTC' }).formatToParts(
    new Date(Date.UTC(2026, 10, 28)),
  );
  const order = parts.filter((p): p is Intl.DateTimeFormatPart & { type: DayPart } => ['day', 'month', 'year'].includes(p.type)).map((p) => p.type);
  return { order, separator: parts.find((p) => p.type === 'literal')?.value ?? '/' };
}

/** The pattern a person types a day in, in words of their language: "MM/DD/YYYY", "DD/MM/AAAA". */
export function dayPattern(locale = currentLocale()): string {
  const { order, separator } = dayLayout(locale);
  const token = { day: i18n.t('format.dayToken'), month: i18n.t('format.monthToken'), year: i18n.t('format.yearToken') };
  return order.map((part) => token[part]).join(separator);
}

/** A UTC day (YYYY-MM-DD) as the filter field shows it; anything else is left as it is. */
export function formatDayInput(day: string, locale = currentLocale()): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return day;
  const values: Record<DayPart, string> = { year: match[1] ?? '', month: match[2] ?? '', day: match[3] ?? '' };
  const { order, separator } = dayLayout(locale);
  return order.map((part) => values[part]).join(separator);
}

/**
 * What a person typed as a UTC day (YYYY-MM-DD): in the language's order with "/", "." or "-"
 * between the parts, or already as YYYY-MM-DD. Null for anything else, or a day that does not
 * exist (31/02/2026).
 */
export function parseDayInput(text: string, locale = currentLocale()): string | null {
  const value = text.trim();
  let year: string | undefined;
  let month: string | undefined;
  let day: string | undefined;
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(value);
  if (iso) {
    [, year, month, day] = iso;
  } else {
    const parts = value.split(/[/.\-\s]+/);
    const { order } = dayLayout(locale);
    if (parts.length !== 3 || !parts.every((p) => /^\d+$/.test(p))) return null;
    const byPart = Object.fromEntries(order.map((part, i) => [part, parts[i]])) as Record<DayPart, string>;
    ({ year, month, day } = byPart);
  }
  if (!year || !month || !day || year.length !== 4 || month.length > 2 || day.length > 2) return null;
  const result = `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
  const date = new Date(`${result}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === result ? result : null;
}
