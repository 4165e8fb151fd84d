import { type DependencyList, useCallback, useEffect, useRef, useState } from 'react';

import { type ApiError, toApiError } from '../api/errors';

export interface Resource<T> {
  data: T | undefined;
  error: ApiError | undefined;
  /** True while a load the person asked for (first load, new filters, retry) is running. */
  loading: boolean;
  reload: () => void;
}

/**
 * Load something from the API when `deps` change, cancelling the previous load.
 * `poll` may return a delay in ms to load again quietly (status updates without a reload),
 * or null to stop.
 */
export function useResource<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: DependencyList,
  poll?: (data: T) => number | null,
): Resource<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<ApiError>();
  const [loading, setLoading] = useState(true);
  const [attempt, setAttempt] = useState(0);
  const [tick, setTick] = useState(0);
  const latest = useRef({ load, poll });
  latest.current = { load, poll };
  const quiet = useRef(false);

  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    if (!quiet.current) setLoading(true);
    quiet.current = false;
    latest.current.load(controller.signal).then(
      (value) => {
        if (controller.signal.aborted) return;
        setData(value);
        setError(undefined);
        setLoading(false);
        const delay = latest.current.poll?.(value) ?? null;
        if (delay !== null) {
          timer = setTimeout(() => {
            quiet.current = true;
            setTick((t) => t + 1);
          }, delay);
        }
      },
      (reason: unknown) => {
        if (controller.signal.aborted) return;
        setError(toApiError(reason));
        setLoading(false);
      },
    );
    return () => {
      controller.abort();
      if (timer !== undefined) clearTimeout(timer);
    };
    // The caller's deps decide when to load again; `load` and `poll` are read through a ref.
  }, [...deps, attempt, tick]);

  const reload = useCallback(() => setAttempt((a) => a + 1), []);
  return { data, error, loading, reload };
}
