import { describe, expect, it } from 'vitest';

import { accessRole, navFor, roleLabel } from './roles';

describe('approver levels the credit policy defines', () => {
  it('have an approver’s access, as the API gives them', () => {
    expect(accessRole('credit_committee')).toBe('analyst');
    expect(accessRole('manager')).toBe('manager');
    expect(navFor('credit_committee').map((item) => item.label)).toEqual(navFor('analyst').map((item) => item.label));
  });

  it('are named in words', () => {
    expect(roleLabel('credit_committee')).toBe('Credit committee');
    expect(roleLabel('risk_officer')).toBe('Risk officer');
  });
});
