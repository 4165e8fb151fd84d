import { describe, expect, it } from 'vitest';

import { i18n } from '../i18n';
import { moneyError, parseMoney, toCents } from './money';

describe('money', () => {
  it('parses what people type in English into the API format', () => {
    expect(parseMoney('1,500.5')).toBe('1500.50');
    expect(parseMoney(' 20 ')).toBe('20.00');
    expect(parseMoney('007.1')).toBe('7.10');
    expect(parseMoney('10,000')).toBe('10000.00');
    expect(parseMoney('1.234')).toBeNull();
    expect(parseMoney('1,50,0')).toBeNull();
    expect(parseMoney('-5')).toBeNull();
    expect(parseMoney('ten')).toBeNull();
  });

  it('reads the Portuguese decimal comma and thousands dot, and a decimal point as typed', () => {
    expect(parseMoney('1.500,5', 'pt-BR')).toBe('1500.50');
    expect(parseMoney('1500,50', 'pt-BR')).toBe('1500.50');
    expect(parseMoney('1.500', 'pt-BR')).toBe('1500.00');
    expect(parseMoney('1500.50', 'pt-BR')).toBe('1500.50');
    expect(parseMoney('1.500.000,00', 'pt-BR')).toBe('1500000.00');
    expect(parseMoney('1,234', 'pt-BR')).toBeNull();
  });

  it('compares as integer cents', () => {
    expect(toCents('10000000.00')).toBe(1_000_000_000n);
    expect(toCents('0.1')).toBe(10n);
  });

  it('validates bounds with messages in the current language', async () => {
    expect(moneyError('')).toBe('Enter an amount.');
    expect(moneyError('', { required: false })).toBeNull();
    expect(moneyError('0', { positive: true })).toBe('Enter an amount above zero.');
    expect(moneyError('10000000.01', { max: '10000000.00' })).toBe('Enter at most $10,000,000.00.');
    expect(moneyError('12.345')).toMatch(/two decimals/);
    expect(moneyError('12.34')).toBeNull();

    await i18n.changeLanguage('pt-BR');
    expect(moneyError('10.000.000,01', { max: '10000000.00' })).toBe('Informe no máximo US$\u00a010.000.000,00.');
    expect(moneyError('12,345')).toBe('Informe um valor como 1500 ou 1500,50 (no máximo duas casas decimais).');
  });
});
