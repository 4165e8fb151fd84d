import { describe, expect, it } from 'vitest';

import { i18n } from '.';
import {
  currencySymbol,
  dayPattern,
  formatDateTime,
  formatDay,
  formatDayInput,
  formatDuration,
  formatMoney,
  formatPercent,
  parseDayInput,
} from './format';

describe('the one formatter for each kind of value', () => {
  it('formats money exactly, in the language', async () => {
    expect(formatMoney('1500.00')).toBe('$1,500.00');
    expect(formatMoney('9999999999.99')).toBe('$9,999,999,999.99');
    expect(currencySymbol()).toBe('$');
    await i18n.changeLanguage('pt-BR');
    expect(formatMoney('1500.00')).toBe('US$\u00a01.500,00');
    expect(currencySymbol()).toBe('US$');
  });

  it('writes durations with the right plural and unit', async () => {
    expect(formatDuration(1)).toBe('1 second');
    expect(formatDuration(42)).toBe('42 seconds');
    expect(formatDuration(60)).toBe('1 minute');
    expect(formatDuration(210)).toBe('3.5 minutes');
    expect(formatDuration(93_600)).toBe('1.1 days');
    await i18n.changeLanguage('pt-BR');
    expect(formatDuration(1)).toBe('1 segundo');
    expect(formatDuration(210)).toBe('3,5 minutos');
  });

  it('writes every percentage the same way, to two decimals at most', async () => {
    expect(formatPercent('0.4501')).toBe('45.01%');
    expect(formatPercent('0.4500')).toBe('45%');
    expect(formatPercent(0.21)).toBe('21%');
    expect(formatPercent(1 / 3)).toBe('33.33%');
    await i18n.changeLanguage('pt-BR');
    expect(formatPercent('0.1461')).toBe('14,61%');
  });

  it('shows times in UTC, in the language', async () => {
    expect(formatDateTime('2026-11-28T10:05:00Z')).toBe('Nov 28, 2026, 10:05 AM UTC');
    expect(formatDay('2026-11-28')).toBe('Nov 28, 2026');
    await i18n.changeLanguage('pt-BR');
    expect(formatDateTime('2026-11-28T10:05:00Z')).toBe('28 de nov. de 2026, 10:05 UTC');
  });

  it('shows and reads filter days in the pattern the field hints', async () => {
    expect(dayPattern()).toBe('MM/DD/YYYY');
    expect(formatDayInput('2026-11-28')).toBe('11/28/2026');
    expect(parseDayInput('11/28/2026')).toBe('2026-11-28');
    expect(parseDayInput('1/2/2026')).toBe('2026-01-02');
    expect(parseDayInput('2026-11-28')).toBe('2026-11-28');
    expect(parseDayInput('28/11/2026')).toBeNull();
    expect(parseDayInput('02/30/2026')).toBeNull();
    expect(parseDayInput('11/28/26')).toBeNull();

    await i18n.changeLanguage('pt-BR');
    expect(dayPattern()).toBe('DD/MM/AAAA');
    expect(formatDayInput('2026-11-28')).toBe('28/11/2026');
    expect(parseDayInput('28/11/2026')).toBe('2026-11-28');
    expect(parseDayInput('28.11.2026')).toBe('2026-11-28');
    expect(formatDayInput('not a day')).toBe('not a day');
  });
});
