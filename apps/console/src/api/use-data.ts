import { useCallback, useEffect, useRef, useState } from 'react';

export interface DataState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/**
 * Loads with `load` when `key` changes, and again every `refreshMs` when given (auto-refresh keeps
 * the last data on screen while the next answer is on its way; a stale answer never replaces a newer).
 */
export function useData<T>(load: () => Promise<T>, key: string, refreshMs?: number): DataState<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(true);
  const [generation, setGeneration] = useState(0);
  const latest = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    let cancelled = false;
    const run = () => {
      const ticket = ++latest.current;
      loadRef.current().then(
        (value) => {
          if (cancelled || ticket !== latest.current) return;
          setData(value);
          setError(undefined);
          setLoading(false);
        },
        (failure: unknown) => {
          if (cancelled || ticket !== latest.current) return;
          setError(failure);
          setLoading(false);
        },
      );
    };
    setLoading(true);
    run();
    const timer = refreshMs ? setInterval(run, refreshMs) : undefined;
    return () => {
      cancelled = true;
      if (timer) clearInterval(timer);
    };
  }, [key, refreshMs, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { data, error, loading, reload };
}
