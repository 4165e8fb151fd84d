// Money is a decimal string end to end: typed in the language's own way ("1,500.50",
// "1.500,50"), sent as the API's decimal string ("1500.50"), shown with the locale-aware
// formatter (i18n/format.ts) and compared as integer cents. Never a float.
import type { Money } from '../api/types';
import { i18n } from '../i18n';
import { formatMoney, numberSeparators } from '../i18n/format';

const MAX_WHOLE_DIGITS = 12;

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function toDecimal(whole: string, fraction: string): Money | null {
  if (whole.length === 0 || whole.length > MAX_WHOLE_DIGITS || fraction.length > 2) return null;
  return `${BigInt(whole).toString()}.${fraction.padEnd(2, '0')}`;
}

/**
 * What a person typed as the API's decimal string ("1500.50"), or null. The language's decimal
 * separator and digit grouping are understood ("1.500,5" in Portuguese); a group separator must
 * be followed by exactly three digits, so "1500.50" still reads as a decimal in Portuguese.
 */
export function parseMoney(input: string, locale?: string): Money | null {
  const text = input.trim().replace(/[\s\u00a0\u202f]/g, '');
  const { decimal, group } = numberSeparators(locale);
  const grouped = new RegExp(`^\\d{1,3}(${escape(group)}\\d{3})+$`);
  const plain = /^\d+$/;
  const wholeOf = (part: string) => (plain.test(part) ? part : grouped.test(part) ? part.split(group).join('') : null);

  const at = text.lastIndexOf(decimal);
  if (at >= 0) {
    const whole = wholeOf(text.slice(0, at) || '0');
    const fraction = text.slice(at + 1);
    if (whole === null || !/^\d{1,2}$/.test(fraction)) return null;
    return toDecimal(whole, fraction);
  }
  const whole = wholeOf(text);
  if (whole !== null) return toDecimal(whole, '');
  // The other common separator as the decimal one ("1500.50" typed in Portuguese).
  const other = /^(\d+)[.,](\d{1,2})$/.exec(text);
  return other ? toDecimal(other[1] ?? '', other[2] ?? '') : null;
}

/** Integer cents, for exact comparisons. */
export function toCents(value: Money): bigint {
  const [whole = '0', fraction = ''] = value.split('.');
  return BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0').slice(0, 2));
}

/**
 * Validate a money field: the message to show, or null when it is fine.
 * `positive` requires an amount above zero.
 */
export function moneyError(
  input: string,
  { required = true, positive = false, max }: { required?: boolean; positive?: boolean; max?: Money } = {},
): string | null {
  if (input.trim() === '') return required ? i18n.t('validation.amountRequired') : null;
  const value = parseMoney(input);
  if (value === null) {
    const { decimal } = numberSeparators();
    return i18n.t('validation.amountFormat', { whole: '1500', decimal: `1500${decimal}50` });
  }
  if (positive && toCents(value) <= 0n) return i18n.t('validation.amountPositive');
  if (max !== undefined && toCents(value) > toCents(max)) return i18n.t('validation.amountMax', { max: formatMoney(max) });
  return null;
}
