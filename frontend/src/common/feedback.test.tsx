import TableCell from '@mui/material/TableCell';
import TableRow from '@mui/material/TableRow';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';

import { ApiError } from '../api/errors';
import { DataTable } from './DataTable';
import { EmptyState, LoadMoreButton, PagedListView } from './feedback';
import type { PagedList } from './usePagedList';

function list(changes: Partial<PagedList<string>> = {}): PagedList<string> {
  return {
    items: [],
    error: undefined,
    loading: false,
    hasMore: false,
    loadingMore: false,
    loadMoreError: undefined,
    loadMore: vi.fn(),
    reload: vi.fn(),
    appendedAt: null,
    ...changes,
  };
}

function view(paged: PagedList<string>) {
  return render(
    <PagedListView list={paged} errorTitle="The fruit could not be loaded" loadingLabel="Loading fruit…" empty={<EmptyState title="No fruit yet." />}>
      <ul>
        {paged.items.map((item) => (
          <li key={item}>{item}</li>
        ))}
      </ul>
      <LoadMoreButton list={paged}>Load more fruit</LoadMoreButton>
    </PagedListView>,
  );
}

describe('PagedListView', () => {
  it('shows progress while the first page loads, then says when the list is empty', () => {
    const { rerender } = view(list({ loading: true }));
    expect(screen.getByRole('status')).toHaveTextContent('Loading fruit…');

    rerender(
      <PagedListView list={list()} errorTitle="The fruit could not be loaded" loadingLabel="Loading fruit…" empty={<EmptyState title="No fruit yet." />}>
        <ul />
      </PagedListView>,
    );
    expect(screen.queryByRole('status')).not.toBeInTheDocument();
    expect(screen.getByText('No fruit yet.')).toBeVisible();
    expect(screen.queryByRole('list')).not.toBeInTheDocument();
  });

  it('shows the error with a retry, even while a retry loads', async () => {
    const paged = list({ loading: true, error: new ApiError(503, 'unavailable', 'The service is unavailable.') });
    view(paged);
    expect(screen.getByText('The fruit could not be loaded:')).toBeVisible();
    expect(screen.getByText('The service is unavailable.')).toBeVisible();
    expect(screen.queryByText('Loading fruit…')).not.toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(paged.reload).toHaveBeenCalledOnce();
  });

  it('keeps the items shown while they reload, and loads more on request', async () => {
    const paged = list({ items: ['apple', 'pear'], loading: true, hasMore: true });
    view(paged);
    expect(screen.getAllByRole('listitem').map((li) => li.textContent)).toEqual(['apple', 'pear']);
    expect(screen.queryByText('Loading fruit…')).not.toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Load more fruit' }));
    expect(paged.loadMore).toHaveBeenCalledOnce();
  });

  it('shows the next page loading, and why it failed below the items', () => {
    const { rerender } = view(list({ items: ['apple'], hasMore: true, loadingMore: true }));
    expect(screen.getByRole('button', { name: 'Loading more…' })).toBeDisabled();

    const failed = list({ items: ['apple'], hasMore: true, loadMoreError: new ApiError(0, 'network_error', 'The server cannot be reached.') });
    rerender(
      <PagedListView list={failed} errorTitle="The fruit could not be loaded" loadingLabel="Loading fruit…" empty={null}>
        <ul>
          <li>apple</li>
        </ul>
        <LoadMoreButton list={failed}>Load more fruit</LoadMoreButton>
      </PagedListView>,
    );
    expect(screen.getByRole('button', { name: 'Load more fruit' })).toBeEnabled();
    expect(screen.getByRole('alert')).toHaveTextContent('The server cannot be reached.');
  });

  it('offers no "load more" on the last page', () => {
    view(list({ items: ['apple'] }));
    expect(screen.getByRole('listitem')).toHaveTextContent('apple');
    expect(screen.queryByRole('button')).not.toBeInTheDocument();
  });
});

describe('DataTable', () => {
  it('names the table and heads each column', () => {
    render(
      <DataTable label="Fruit" columns={['Name', { label: 'Weight', align: 'right' }, { label: 'Origin', hideBelow: 'md' }]}>
        <TableRow>
          <TableCell>Apple</TableCell>
          <TableCell align="right">150 g</TableCell>
          <TableCell>Normandy</TableCell>
        </TableRow>
      </DataTable>,
    );
    const table = screen.getByRole('table', { name: 'Fruit' });
    expect(screen.getAllByRole('columnheader').map((th) => [th.textContent, th.getAttribute('scope')])).toEqual([
      ['Name', 'col'],
      ['Weight', 'col'],
      ['Origin', 'col'],
    ]);
    expect(table).toContainElement(screen.getByRole('cell', { name: 'Apple' }));
  });
});
