// An audit entry's before/after as a readable list of changes ("role: analyst → manager")
// instead of raw JSON: nested objects become dotted field names, and only what changed shows.
import type { AuditEntry } from '../api/types';
import { i18n } from '../i18n';

export interface FieldChange {
  field: string;
  /** Absent when the entry has no "before" (something created) or the field is new. */
  before?: string;
  /** Absent when the entry has no "after" or the field went away. */
  after?: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function flatten(value: unknown, prefix = '', into: Map<string, string> = new Map()): Map<string, string> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, Json>);
    if (entries.length === 0 && prefix) into.set(prefix, '{}');
    for (const [key, inner] of entries) flatten(inner, prefix ? `${prefix}.${key}` : key, into);
  } else if (prefix) {
    into.set(prefix, show(value));
  }
  return into;
}

/** One value in words: text as it is, lists joined, yes/no, "—" for nothing. */
export function show(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'boolean') return value ? i18n.t('common.yes') : i18n.t('common.no');
  if (Array.isArray(value)) return value.length === 0 ? '—' : value.map(show).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** What the entry changed: every field whose value differs between before and after, in order. */
export function changes(entry: Pick<AuditEntry, 'before' | 'after'>): FieldChange[] {
  const before = entry.before ? flatten(entry.before) : new Map<string, string>();
  const after = entry.after ? flatten(entry.after) : new Map<string, string>();
  const fields = [...new Set([...before.keys(), ...after.keys()])];
  return fields
    .filter((field) => before.get(field) !== after.get(field))
    .map((field) => ({
      field,
      ...(before.has(field) ? { before: before.get(field) } : {}),
      ...(after.has(field) ? { after: after.get(field) } : {}),
    }));
}

/** The entry's details (why, where, how), as "field: value" pairs. */
export function details(entry: Pick<AuditEntry, 'details'>): { field: string; value: string }[] {
  return [...flatten(entry.details ?? {}).entries()].map(([field, value]) => ({ field, value }));
}
