import { useEffect, useState } from 'react';

/**
 * The page's own clock, ticking every `periodMs`: ages (of books, of a lost link) keep counting in
 * the page even when no snapshot arrives, so a dead engine link cannot freeze them at "2 ms".
 */
export function useNow(periodMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), periodMs);
    return () => window.clearInterval(timer);
  }, [periodMs]);
  return now;
}
