import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import { SubmitButton } from './SubmitButton';

describe('SubmitButton', () => {
  it('cannot be pressed while busy, even when its caller enables it', () => {
    render(
      <SubmitButton busy busyLabel="Saving…" disabled={false}>
        Save
      </SubmitButton>,
    );
    expect(screen.getByRole('button', { name: 'Saving…' })).toBeDisabled();
  });

  it('is disabled by its caller when idle', () => {
    const { rerender } = render(
      <SubmitButton busy={false} busyLabel="Saving…" disabled>
        Save
      </SubmitButton>,
    );
    expect(screen.getByRole('button', { name: 'Save' })).toBeDisabled();
    rerender(
      <SubmitButton busy={false} busyLabel="Saving…">
        Save
      </SubmitButton>,
    );
    expect(screen.getByRole('button', { name: 'Save' })).toBeEnabled();
  });
});
