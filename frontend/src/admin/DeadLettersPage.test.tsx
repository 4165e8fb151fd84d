import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import * as api from '../api/endpoints';
import { ApiError } from '../api/errors';
import type { DeadLetterQueue } from '../api/types';
import { renderAt } from '../test/render';
import { DeadLettersPage, formatAge } from './DeadLettersPage';

vi.mock('../api/endpoints');

const SCORE: DeadLetterQueue = {
  queue: 'score',
  dead_letter_queue: 'score-dlq',
  function: 'score',
  depth: 3,
  oldest_age_seconds: 7260,
  sample: '{"Message": "{\\"event_type\\": \\"request.submitted\\"}"}',
  redrive_running: false,
};
const NOTIFY: DeadLetterQueue = {
  queue: 'notify',
  dead_letter_queue: 'notify-dlq',
  function: 'notify',
  depth: 0,
  oldest_age_seconds: null,
  sample: null,
  redrive_running: false,
};

function rowOf(name: string): HTMLElement {
  const row = screen.getByRole('rowheader', { name: new RegExp(name) }).closest('tr');
  if (row === null) throw new Error(`no row for ${name}`);
  return row;
}

describe('DeadLettersPage', () => {
  beforeEach(() => {
    vi.resetAllMocks();
  });

  it('shows each queue with its depth, oldest age and sample; an empty one cannot be redriven', async () => {
    vi.mocked(api.listDeadLetters).mockResolvedValue([SCORE, NOTIFY]);
    renderAt(<DeadLettersPage />, { url: '/admin/dead-letters' });
    expect(await screen.findByRole('table', { name: 'Dead-letter queues' })).toBeVisible();
    expect(screen.getByRole('heading', { level: 1, name: 'Dead-letter queues' })).toBeVisible();

    const score = rowOf('score-dlq');
    expect(within(score).getByText('3')).toBeVisible();
    expect(within(score).getByText('2 h')).toBeVisible();
    expect(within(score).getByText('Show the sample of score-dlq')).toBeVisible();
    expect(within(score).getByRole('button', { name: 'Redrive score-dlq' })).toBeEnabled();

    const notify = rowOf('notify-dlq');
    expect(within(notify).getByText('Empty')).toBeVisible();
    expect(within(notify).getByRole('button', { name: 'Redrive notify-dlq' })).toBeDisabled();
  });

  it('asks before redriving, then redrives, says so and reads the depths again', async () => {
    vi.mocked(api.listDeadLetters)
      .mockResolvedValueOnce([SCORE, NOTIFY])
      .mockResolvedValueOnce([{ ...SCORE, depth: 0, oldest_age_seconds: null, sample: null }, NOTIFY]);
    vi.mocked(api.redriveDeadLetters).mockResolvedValue({ queue: 'score', method: 'move_task', messages: 3, task_handle: 'h' });
    renderAt(<DeadLettersPage />, { url: '/admin/dead-letters' });
    await userEvent.click(await screen.findByRole('button', { name: 'Redrive score-dlq' }));

    const dialog = screen.getByRole('dialog', { name: 'Redrive score-dlq?' });
    expect(dialog).toHaveAccessibleDescription(/The 3 messages in score-dlq go back to the score queue/);
    expect(api.redriveDeadLetters).not.toHaveBeenCalled();
    await userEvent.click(within(dialog).getByRole('button', { name: 'Redrive' }));

    expect(api.redriveDeadLetters).toHaveBeenCalledWith('score');
    expect(await screen.findByText('3 messages are going back to score.')).toBeVisible();
    await vi.waitFor(() => expect(within(rowOf('score-dlq')).getByText('Empty')).toBeVisible());
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });

  it('keeps the dialog open with the reason when the redrive is refused, and cancels', async () => {
    vi.mocked(api.listDeadLetters).mockResolvedValue([SCORE]);
    vi.mocked(api.redriveDeadLetters).mockRejectedValue(
      new ApiError(409, 'redrive_running', 'A redrive of score-dlq is already running.'),
    );
    renderAt(<DeadLettersPage />, { url: '/admin/dead-letters' });
    await userEvent.click(await screen.findByRole('button', { name: 'Redrive score-dlq' }));
    const dialog = screen.getByRole('dialog');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Redrive' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('A redrive of score-dlq is already running.');

    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await vi.waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
  });

  it('says when the queues cannot be read, and tries again', async () => {
    vi.mocked(api.listDeadLetters)
      .mockRejectedValueOnce(new ApiError(503, 'service_unavailable', 'SQS is not answering.'))
      .mockResolvedValueOnce([NOTIFY]);
    renderAt(<DeadLettersPage />, { url: '/admin/dead-letters' });
    expect(await screen.findByText('SQS is not answering.')).toBeVisible();
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('table', { name: 'Dead-letter queues' })).toBeVisible();
  });

  it('writes ages in their largest whole unit', () => {
    expect([formatAge(5.4), formatAge(61), formatAge(7260), formatAge(200000)]).toEqual(['5 s', '1 min', '2 h', '2 d']);
  });
});
