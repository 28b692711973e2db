import { useEffect, useState } from "react";

/** `value`, once it has stopped changing for `ms` milliseconds (instant search, cron preview). */
export function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const id = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(id);
  }, [value, ms]);
  return debounced;
}
