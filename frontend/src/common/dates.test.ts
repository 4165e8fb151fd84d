import { describe, expect, it } from 'vitest';

import { endOfDay, formatDuration, isDay, startOfDay, utcDay } from './dates';

describe('dates', () => {
  it('turns inclusive UTC days into the API bounds', () => {
    expect(startOfDay('2026-11-28')).toBe('2026-11-28T00:00:00Z');
    expect(endOfDay('2026-11-28')).toBe('2026-11-29T00:00:00Z');
    expect(endOfDay('2026-12-31')).toBe('2027-01-01T00:00:00Z');
  });

  it('checks day strings', () => {
    expect(isDay('2026-02-28')).toBe(true);
    expect(isDay('2026-2-28')).toBe(false);
    expect(isDay('yesterday')).toBe(false);
  });

  it('counts days in UTC', () => {
    const now = new Date('2026-03-01T23:30:00Z');
    expect(utcDay(0, now)).toBe('2026-03-01');
    expect(utcDay(-1, now)).toBe('2026-02-28');
  });

  it('writes durations in a readable unit', () => {
    expect(formatDuration(42)).toBe('42 seconds');
    expect(formatDuration(210)).toBe('3.5 minutes');
    expect(formatDuration(93_600)).toBe('1.1 days');
  });
});
