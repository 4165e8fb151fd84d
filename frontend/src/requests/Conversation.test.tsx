import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import * as api from '../api/endpoints';
import type { ConversationEntry } from '../api/types';
import { renderAt } from '../test/render';
import { Conversation } from './Conversation';

vi.mock('../api/endpoints');

function entry(changes: Partial<ConversationEntry> = {}): ConversationEntry {
  return {
    id: `m-${Math.random()}`,
    kind: 'message',
    body: 'Could you send your payslip?',
    created_at: '2026-11-30T10:00:00Z',
    author: { role: 'analyst', name: 'Ana', username: null },
    mine: false,
    ...changes,
  };
}

describe('Conversation for the applicant', () => {
  beforeEach(() => {
    vi.resetAllMocks();
  });

  it('lists messages oldest first with staff by first name and role, and oneself as You, text escaped', async () => {
    vi.mocked(api.listMessages).mockResolvedValue([
      entry(),
      entry({ body: '<b>Sent</b>\nby post', author: { role: 'applicant', name: 'Alice Applicant', username: null }, mine: true }),
    ]);
    renderAt(<Conversation requestId="r-1" audience="applicant" />);

    const items = await screen.findAllByTestId('conversation-entry');
    expect(items).toHaveLength(2);
    const [theirs, mine] = items as [HTMLElement, HTMLElement];
    expect(theirs).toHaveTextContent('Ana (analyst)');
    expect(theirs).toHaveTextContent('Could you send your payslip?');
    expect(mine).toHaveTextContent('You');
    expect(mine).toHaveTextContent('<b>Sent</b>');
    expect(mine.querySelector('b')).toBeNull();
    expect(screen.queryByRole('radiogroup')).toBeNull(); // no notes for the applicant
  });

  it('sends a message, clears the field and reloads the list', async () => {
    vi.mocked(api.listMessages).mockResolvedValue([]);
    vi.mocked(api.postMessage).mockResolvedValue(entry({ mine: true }));
    renderAt(<Conversation requestId="r-1" audience="applicant" />);
    expect(await screen.findByText('No messages yet.')).toBeVisible();

    const field = screen.getByLabelText('Your message');
    await userEvent.type(field, 'When will I hear back?');
    await userEvent.click(screen.getByRole('button', { name: 'Send message' }));

    await waitFor(() => expect(api.postMessage).toHaveBeenCalledWith('r-1', { kind: 'message', body: 'When will I hear back?' }));
    expect(await screen.findByTestId('conversation-posted')).toHaveTextContent('Message sent.');
    expect(field).toHaveValue('');
    expect(vi.mocked(api.listMessages).mock.calls.length).toBeGreaterThanOrEqual(2);
  });

  it('says whether the message is emailed to an approver or only read by staff on the page', async () => {
    vi.mocked(api.listMessages).mockResolvedValue([]);
    const { unmount } = renderAt(<Conversation requestId="r-1" audience="applicant" />);
    expect(await screen.findByText(/Emailed to the approver handling your request/)).toBeVisible();
    unmount();

    renderAt(<Conversation requestId="r-1" audience="applicant" handled={false} />);
    expect(await screen.findByText(/No approver holds your request now/)).toBeVisible();
    expect(screen.getByText(/Write to our staff about your request/)).toBeVisible();
    expect(screen.queryByText(/by email|Emailed to/)).toBeNull(); // nobody is emailed
  });

  it('refuses an empty message without calling the API, and shows the API refusal', async () => {
    vi.mocked(api.listMessages).mockResolvedValue([]);
    vi.mocked(api.postMessage).mockRejectedValue(new Error('The request is not valid.'));
    renderAt(<Conversation requestId="r-1" audience="applicant" />);
    await screen.findByText('No messages yet.');

    await userEvent.click(screen.getByRole('button', { name: 'Send message' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Write something first.');
    expect(api.postMessage).not.toHaveBeenCalled();

    await userEvent.type(screen.getByLabelText('Your message'), 'Hello');
    await userEvent.click(screen.getByRole('button', { name: 'Send message' }));
    await waitFor(() => expect(api.postMessage).toHaveBeenCalled());
    expect(await screen.findByRole('alert')).not.toHaveTextContent('Write something first.');
  });
});

describe('Conversation for staff', () => {
  beforeEach(() => {
    vi.resetAllMocks();
  });

  it('marks internal notes and shows full names', async () => {
    vi.mocked(api.listMessages).mockResolvedValue([
      entry({ kind: 'note', body: 'Checked with the bank.', author: { role: 'manager', name: 'Maria Souza', username: 'msouza' } }),
    ]);
    renderAt(<Conversation requestId="r-1" audience="staff" />);
    const [note] = (await screen.findAllByTestId('conversation-entry')) as [HTMLElement];
    expect(note).toHaveAttribute('data-kind', 'note');
    expect(within(note).getByText('Internal note')).toBeVisible();
    expect(note).toHaveTextContent('Maria Souza (manager)');
  });

  it('starts on an internal note and can switch to a message to the applicant', async () => {
    vi.mocked(api.listMessages).mockResolvedValue([]);
    vi.mocked(api.postMessage).mockImplementation(async (_id, body) => entry({ kind: body.kind, mine: true }));
    renderAt(<Conversation requestId="r-1" audience="staff" />);
    await screen.findByText('No messages yet.');

    expect(screen.getByRole('radio', { name: 'Internal note (staff only)' })).toBeChecked();
    await userEvent.type(screen.getByLabelText('Your note'), 'Income verified.');
    await userEvent.click(screen.getByRole('button', { name: 'Add note' }));
    await waitFor(() => expect(api.postMessage).toHaveBeenLastCalledWith('r-1', { kind: 'note', body: 'Income verified.' }));
    expect(await screen.findByTestId('conversation-posted')).toHaveTextContent('Note added.');

    await userEvent.click(screen.getByRole('radio', { name: 'Message to the applicant' }));
    await userEvent.type(screen.getByLabelText('Your message'), 'All good so far.');
    await userEvent.click(screen.getByRole('button', { name: 'Send message' }));
    await waitFor(() => expect(api.postMessage).toHaveBeenLastCalledWith('r-1', { kind: 'message', body: 'All good so far.' }));
    expect(await screen.findByTestId('conversation-posted')).toHaveTextContent('Message sent.');
  });
});
