import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import * as api from '../api/endpoints';
import type { AuditEntry } from '../api/types';
import { renderAt } from '../test/render';
import { AuditLogPage, auditErrors, toAuditQuery } from './AuditLogPage';

vi.mock('../api/endpoints');

const NONE = { action: '', entity_type: '', entity_id: '', actor: '', at_from: '', at_to: '' };

const ENTRY: AuditEntry = {
  id: 7,
  at: '2026-11-28T10:00:00Z',
  actor_id: 'u1',
  actor: 'manager1',
  action: 'stage.approved',
  entity_type: 'approval_stage',
  entity_id: 's1',
  before: null,
  after: null,
  details: null,
};

describe('audit log filters', () => {
  it('asks the API for entries by actor username, trimmed', () => {
    expect(toAuditQuery({ ...NONE, actor: ' manager1 ' })).toEqual({ limit: 50, actor: 'manager1' });
    expect(toAuditQuery({ ...NONE, actor: 'system:escalate', action: 'stage.escalated' })).toEqual({
      limit: 50,
      action: 'stage.escalated',
      actor: 'system:escalate',
    });
    expect(toAuditQuery(NONE)).toEqual({ limit: 50 });
  });

  it('explains an actor longer than any username, and leaves it out', () => {
    const long = { ...NONE, actor: 'x'.repeat(65) };
    expect(auditErrors(long)).toEqual({ actor: 'Use at most 64 characters.' });
    expect(toAuditQuery(long)).toEqual({ limit: 50 });
  });
});

describe('AuditLogPage', () => {
  beforeEach(() => {
    vi.resetAllMocks();
    vi.mocked(api.listAudit).mockResolvedValue({ items: [ENTRY], next_cursor: null });
  });

  it('filters by actor username through the URL', async () => {
    renderAt(<AuditLogPage />, { url: '/admin/audit?action=stage.approved' });
    expect(await screen.findByRole('cell', { name: 'manager1' })).toBeVisible();

    await userEvent.click(screen.getByLabelText('Actor'));
    await userEvent.paste('manager1');
    await userEvent.click(screen.getByRole('button', { name: 'Apply filters' }));

    expect(screen.getByTestId('location')).toHaveTextContent('/admin/audit?action=stage.approved&actor=manager1');
    expect(vi.mocked(api.listAudit)).toHaveBeenLastCalledWith({ limit: 50, action: 'stage.approved', actor: 'manager1' }, expect.anything());
    expect(screen.getByLabelText('Actor')).toHaveValue('manager1');
  });
});
