import { describe, expect, it } from 'vitest';

import { formatMoney, moneyError, parseMoney, toCents } from './money';

describe('money', () => {
  it('formats decimal strings exactly', () => {
    expect(formatMoney('1500.00')).toBe('$1,500.00');
    expect(formatMoney('9999999999.99')).toBe('$9,999,999,999.99');
    expect(formatMoney('0.10')).toBe('$0.10');
  });

  it('parses what people type into the API format', () => {
    expect(parseMoney('1,500.5')).toBe('1500.50');
    expect(parseMoney(' 20 ')).toBe('20.00');
    expect(parseMoney('007.1')).toBe('7.10');
    expect(parseMoney('1.234')).toBeNull();
    expect(parseMoney('-5')).toBeNull();
    expect(parseMoney('ten')).toBeNull();
  });

  it('compares as integer cents', () => {
    expect(toCents('10000000.00')).toBe(1_000_000_000n);
    expect(toCents('0.1')).toBe(10n);
  });

  it('validates bounds with messages', () => {
    expect(moneyError('')).toBe('Enter an amount.');
    expect(moneyError('', { required: false })).toBeNull();
    expect(moneyError('0', { positive: true })).toBe('Enter an amount above zero.');
    expect(moneyError('10000000.01', { max: '10000000.00' })).toBe('Enter at most $10,000,000.00.');
    expect(moneyError('12.345')).toMatch(/two decimals/);
    expect(moneyError('12.34')).toBeNull();
  });
});
