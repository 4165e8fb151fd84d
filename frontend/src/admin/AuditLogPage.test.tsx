import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import * as api from '../api/endpoints';
import type { AuditEntry } from '../api/types';
import { emulatePhone, renderAt } from '../test/render';
import { AuditLogPage, auditErrors, KNOWN_ACTIONS, toAuditQuery } from './AuditLogPage';

vi.mock('../api/endpoints');

const NONE = { action: '', entity_type: '', entity_id: '', request_id: '', actor: '', at_from: '', at_to: '' };

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
    expect(auditErrors({ ...NONE, at_from: '2026-13-01' }).at_from).toMatch(/^Enter a date as MM\/DD\/YYYY/);
    expect(toAuditQuery(long)).toEqual({ limit: 50 });
  });

  it("asks for a request's whole trail by its id, and explains an id that is not one", () => {
    const id = '0b5d7e0c-7b1e-4a55-9a4e-3f0f5a0f6a01';
    expect(toAuditQuery({ ...NONE, request_id: ` ${id} ` })).toEqual({ limit: 50, request_id: id });
    expect(auditErrors({ ...NONE, request_id: 'abc' }).request_id).toMatch(/^Enter a credit request id/);
    expect(toAuditQuery({ ...NONE, request_id: 'abc' })).toEqual({ limit: 50 });
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

describe('the audit log list', () => {
  beforeEach(() => vi.resetAllMocks());

  it('filters by an action chosen from the list of recorded actions', async () => {
    vi.mocked(api.listAudit).mockResolvedValue({ items: [ENTRY], next_cursor: null });
    renderAt(<AuditLogPage />, { url: '/admin/audit' });
    await screen.findByRole('cell', { name: 'manager1' });

    await userEvent.click(screen.getByRole('combobox', { name: 'Action' }));
    const options = screen.getAllByRole('option').map((o) => o.textContent);
    expect(options).toHaveLength(KNOWN_ACTIONS.length + 1);
    expect(options).toContain('Stage escalated');
    await userEvent.click(screen.getByRole('option', { name: 'User changed' }));
    await userEvent.click(screen.getByRole('button', { name: 'Apply filters' }));

    expect(screen.getByTestId('location')).toHaveTextContent('/admin/audit?action=user.updated');
  });

  it('shows a change as before → after, not JSON', async () => {
    vi.mocked(api.listAudit).mockResolvedValue({
      items: [{ ...ENTRY, action: 'user.updated', before: { role: 'applicant', is_active: true }, after: { role: 'analyst', is_active: true } }],
      next_cursor: null,
    });
    renderAt(<AuditLogPage />, { url: '/admin/audit' });

    const change = (await screen.findByText('role')).closest('li');
    if (!change) throw new Error('no change item');
    expect(within(change).getByText('applicant').tagName).toBe('DEL');
    expect(within(change).getByText('analyst').tagName).toBe('INS');
    expect(change).toHaveTextContent('role: applicant → changed to analyst');
    expect(screen.getByText('User changed')).toBeVisible();
    expect(document.body).not.toHaveTextContent('{"');
  });

  it('moves focus to the first entry "load older entries" added', async () => {
    const page = (from: number, count: number) => Array.from({ length: count }, (_, i) => ({ ...ENTRY, id: from - i }));
    vi.mocked(api.listAudit)
      .mockResolvedValueOnce({ items: page(100, 50), next_cursor: '51' })
      .mockResolvedValueOnce({ items: page(50, 10), next_cursor: null });
    renderAt(<AuditLogPage />, { url: '/admin/audit' });

    await userEvent.click(await screen.findByRole('button', { name: 'Load older entries' }));

    await vi.waitFor(() => expect(screen.getAllByRole('row')).toHaveLength(61));
    const rows = document.querySelectorAll('[data-list-item]');
    await vi.waitFor(() => expect(rows[50]).toHaveFocus());
  });
});

describe('the audit log on a phone', () => {
  it('shows each entry as a card with its action in words first', async () => {
    vi.resetAllMocks();
    vi.mocked(api.listAudit).mockResolvedValue({ items: [{ ...ENTRY, after: { assignee_id: 'u2' } }], next_cursor: null });
    emulatePhone();
    try {
      renderAt(<AuditLogPage />, { url: '/admin/audit' });
      const card = (await screen.findByText('Stage approved')).closest('li');
      if (!card) throw new Error('no card');
      expect(screen.queryByRole('table')).not.toBeInTheDocument();
      expect(card).toHaveTextContent('Actormanager1');
      expect(card).toHaveTextContent('assignee_id: u2');
      expect(screen.getByRole('button', { name: 'Show filters' })).toHaveAttribute('aria-expanded', 'false');
    } finally {
      vi.restoreAllMocks();
    }
  });
});
