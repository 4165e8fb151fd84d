import { type DependencyList, useCallback, useEffect, useRef, useState } from 'react';

import { type ApiError, toApiError } from '../api/errors';
import type { Page } from '../api/types';
import { useResource } from './useResource';

export interface PagedList<T> {
  items: T[];
  error: ApiError | undefined;
  loading: boolean;
  hasMore: boolean;
  loadingMore: boolean;
  loadMoreError: ApiError | undefined;
  loadMore: () => void;
  reload: () => void;
  /** The index of the first item "load more" appended last, or null: where focus goes next. */
  appendedAt: number | null;
}

/**
 * A keyset-paginated list: the first page loads when `deps` change; "load more" appends the
 * next page. While only the first page is shown, `poll` may refresh it quietly.
 */
export function usePagedList<T>(
  loadPage: (cursor: string | null, signal?: AbortSignal) => Promise<Page<T>>,
  deps: DependencyList,
  poll?: (items: T[]) => number | null,
): PagedList<T> {
  const [more, setMore] = useState<{ items: T[]; cursor: string | null; appendedAt: number | null }>({
    items: [],
    cursor: null,
    appendedAt: null,
  });
  const [loadingMore, setLoadingMore] = useState(false);
  const [loadMoreError, setLoadMoreError] = useState<ApiError>();
  const moreLoad = useRef<AbortController | null>(null);
  const first = useResource((signal) => loadPage(null, signal), deps, (page) =>
    more.items.length === 0 && poll ? poll(page.items) : null,
  );

  useEffect(() => {
    setMore({ items: [], cursor: null, appendedAt: null });
    setLoadingMore(false);
    setLoadMoreError(undefined);
    // A new first page (new filters, a reload) starts the list again: a "load more" still
    // running belongs to the list as it was, and its page must not be appended to this one.
    return () => moreLoad.current?.abort();
  }, [first.data]);

  const firstCount = first.data?.items.length ?? 0;
  const cursor = more.items.length > 0 ? more.cursor : (first.data?.next_cursor ?? null);
  const loadMore = useCallback(() => {
    if (cursor === null) return;
    const controller = new AbortController();
    moreLoad.current = controller;
    setLoadingMore(true);
    setLoadMoreError(undefined);
    loadPage(cursor, controller.signal).then(
      (page) => {
        if (controller.signal.aborted) return;
        setMore((m) => ({
          items: [...m.items, ...page.items],
          cursor: page.next_cursor,
          appendedAt: page.items.length > 0 ? firstCount + m.items.length : m.appendedAt,
        }));
        setLoadingMore(false);
      },
      (reason: unknown) => {
        if (controller.signal.aborted) return;
        setLoadMoreError(toApiError(reason));
        setLoadingMore(false);
      },
    );
  }, [cursor, loadPage, firstCount]);

  return {
    items: [...(first.data?.items ?? []), ...more.items],
    error: first.error,
    loading: first.loading,
    hasMore: cursor !== null,
    loadingMore,
    loadMoreError,
    loadMore,
    reload: first.reload,
    appendedAt: more.appendedAt,
  };
}
