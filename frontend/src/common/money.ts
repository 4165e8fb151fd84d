// Money is a decimal string end to end. It is shown with Intl.NumberFormat, which formats
// numeric strings exactly (no float rounding), and compared as integer cents.
import type { Money } from '../api/types';

export const CURRENCY = 'USD';

const formatter = new Intl.NumberFormat('en-US', { style: 'currency', currency: CURRENCY });
const MONEY_INPUT = /^\d{1,12}(\.\d{1,2})?$/;

export function formatMoney(value: Money): string {
  return formatter.format(value as Intl.StringNumericLiteral);
}

/** What a person typed ("1,500.5", " 20 ") as the API's decimal string ("1500.50"), or null. */
export function parseMoney(input: string): Money | null {
  const text = input.trim().replace(/,/g, '');
  if (!MONEY_INPUT.test(text)) return null;
  const [whole = '0', fraction = ''] = text.split('.');
  return `${BigInt(whole).toString()}.${fraction.padEnd(2, '0')}`;
}

/** Integer cents, for exact comparisons. */
export function toCents(value: Money): bigint {
  const [whole = '0', fraction = ''] = value.split('.');
  return BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0').slice(0, 2));
}

/**
 * Validate a money field: the message to show, or null when it is fine.
 * `min` is exclusive when `positive` is set (an amount must be above zero).
 */
export function moneyError(
  input: string,
  { required = true, positive = false, max }: { required?: boolean; positive?: boolean; max?: Money } = {},
): string | null {
  if (input.trim() === '') return required ? 'Enter an amount.' : null;
  const value = parseMoney(input);
  if (value === null) return 'Enter an amount such as 1500 or 1500.50 (at most two decimals).';
  if (positive && toCents(value) <= 0n) return 'Enter an amount above zero.';
  if (max !== undefined && toCents(value) > toCents(max)) return `Enter at most ${formatMoney(max)}.`;
  return null;
}
