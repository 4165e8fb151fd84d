import TableCell from '@mui/material/TableCell';
import TableRow from '@mui/material/TableRow';
import { screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { renderAt } from '../test/render';
import { DataTable } from './DataTable';

function table() {
  return renderAt(
    <DataTable label="Fruit" columns={['Name', 'Weight']}>
      <TableRow>
        <TableCell>Apple</TableCell>
        <TableCell>150 g</TableCell>
      </TableRow>
    </DataTable>,
  );
}

/** jsdom has no layout: give every element the widths a phone would. */
function widths(scrollWidth: number, clientWidth: number) {
  vi.spyOn(HTMLElement.prototype, 'scrollWidth', 'get').mockReturnValue(scrollWidth);
  vi.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockReturnValue(clientWidth);
}

describe('a table wider than the screen', () => {
  afterEach(() => vi.restoreAllMocks());

  it('says it scrolls, and its frame is a named region that takes keyboard focus', () => {
    widths(600, 340);
    table();
    expect(screen.getByText('Scroll sideways to see every column.')).toBeVisible();
    const region = screen.getByRole('region', { name: 'Fruit (scrolls sideways)' });
    expect(region).toHaveAttribute('tabindex', '0');
    expect(region).toContainElement(screen.getByRole('table', { name: 'Fruit' }));
  });

  it('adds no tab stop and no hint when the table fits', () => {
    widths(340, 340);
    table();
    expect(screen.queryByText('Scroll sideways to see every column.')).not.toBeInTheDocument();
    expect(screen.queryByRole('region')).not.toBeInTheDocument();
    expect(document.querySelector('[tabindex="0"]')).toBeNull();
  });
});
