import { describe, expect, it } from 'vitest';

import { i18n } from '../i18n';
import { dayError, endOfDay, isDay, startOfDay, utcDay } from './dates';

describe('dates', () => {
  it('turns inclusive UTC days into the API bounds', () => {
    expect(startOfDay('2026-11-28')).toBe('2026-11-28T00:00:00Z');
    expect(endOfDay('2026-11-28')).toBe('2026-11-29T00:00:00Z');
    expect(endOfDay('2026-12-31')).toBe('2027-01-01T00:00:00Z');
  });

  it('checks day strings, including days that do not exist', () => {
    expect(isDay('2026-02-28')).toBe(true);
    expect(isDay('2026-02-30')).toBe(false);
    expect(isDay('2026-2-28')).toBe(false);
    expect(isDay('yesterday')).toBe(false);
  });

  it('counts days in UTC', () => {
    const now = new Date('2026-03-01T23:30:00Z');
    expect(utcDay(0, now)).toBe('2026-03-01');
    expect(utcDay(-1, now)).toBe('2026-02-28');
  });

  it('asks for a day in the format the field shows, in each language', async () => {
    expect(dayError()).toMatch(/^Enter a date as MM\/DD\/YYYY, such as \d{2}\/\d{2}\/\d{4}\.$/);
    await i18n.changeLanguage('pt-BR');
    expect(dayError()).toMatch(/^Informe a data como DD\/MM\/AAAA, por exemplo \d{2}\/\d{2}\/\d{4}\.$/);
  });
});
