import { describe, expect, it } from 'vitest';

import { en } from '../i18n/en';
import AUDIT_ACTIONS from './audit-actions.json';
import { changes, details } from './auditChange';

describe('an audit change in words', () => {
  it('lists only the fields that changed, before and after', () => {
    expect(
      changes({
        before: { username: 'bob', role: 'applicant', is_active: true },
        after: { username: 'bob', role: 'analyst', is_active: true },
      }),
    ).toEqual([{ field: 'role', before: 'applicant', after: 'analyst' }]);
  });

  it('names nested fields with dots, and shows booleans, lists and nothing in words', () => {
    expect(
      changes({
        before: { request: { status: 'pending_approval', amount: '50000.00' }, stage_status: 'pending' },
        after: { request: { status: 'approved', amount: '50000.00' }, stage_status: 'approved', reasons: [] },
      }),
    ).toEqual([
      { field: 'request.status', before: 'pending_approval', after: 'approved' },
      { field: 'stage_status', before: 'pending', after: 'approved' },
      { field: 'reasons', after: '—' },
    ]);
    expect(changes({ before: { is_active: true }, after: { is_active: false } })).toEqual([{ field: 'is_active', before: 'yes', after: 'no' }]);
    expect(changes({ before: null, after: { chain: ['analyst', 'manager'] } })).toEqual([{ field: 'chain', after: 'analyst, manager' }]);
    expect(changes({ before: { assignee_id: 'u1' }, after: null })).toEqual([{ field: 'assignee_id', before: 'u1' }]);
  });

  it('shows details as field and value', () => {
    expect(details({ details: { request_id: 'r1', level: 2, via: 'link' } })).toEqual([
      { field: 'request_id', value: 'r1' },
      { field: 'level', value: '2' },
      { field: 'via', value: 'link' },
    ]);
    expect(details({ details: null })).toEqual([]);
  });

  it('has an English label for every action the backend records', () => {
    const labelled = (action: string) =>
      action.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], en.auditActions);
    expect(AUDIT_ACTIONS.filter((action) => typeof labelled(action) !== 'string')).toEqual([]);
  });
});
