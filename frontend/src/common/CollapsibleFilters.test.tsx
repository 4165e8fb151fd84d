import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { emulatePhone, renderAt } from '../test/render';
import { CollapsibleFilters } from './CollapsibleFilters';

function filters(active = 0) {
  return renderAt(
    <CollapsibleFilters label="Filter fruit" active={active} onSubmit={(e) => e.preventDefault()}>
      <button type="submit">Apply filters</button>
    </CollapsibleFilters>,
  );
}

describe('collapsible filters', () => {
  afterEach(() => vi.restoreAllMocks());

  it('are open on a wide screen, and say how many apply', () => {
    filters(2);
    expect(screen.getByRole('button', { name: 'Hide filters' })).toHaveAttribute('aria-expanded', 'true');
    expect(screen.getByText('2 filters applied')).toBeVisible();
    expect(screen.getByRole('search', { name: 'Filter fruit' })).toBeVisible();
  });

  it('start folded on a phone, and open on request', async () => {
    emulatePhone();
    filters();
    const toggle = screen.getByRole('button', { name: 'Show filters' });
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    expect(screen.getByText('No filters applied')).toBeVisible();
    expect(screen.queryByRole('search', { name: 'Filter fruit' })).not.toBeInTheDocument();

    await userEvent.click(toggle);
    expect(screen.getByRole('button', { name: 'Hide filters' })).toHaveAttribute('aria-expanded', 'true');
    expect(await screen.findByRole('search', { name: 'Filter fruit' })).toBeVisible();
  });
});
