import { useMemo, useState, type ReactNode } from 'react';

const ROW_HEIGHT = 18;
const OVERSCAN = 10;

/**
 * A list that renders only the rows in view, so thousands of log lines cost nothing. Newest items
 * come first; scrolling away from the top pauses the view (the list is frozen) until resumed.
 */
export function VirtualList<T extends { seq: number }>({
  items,
  height,
  render,
  testId
}: {
  items: T[];
  height: number;
  render: (item: T) => ReactNode;
  testId?: string;
}) {
  const [scrollTop, setScrollTop] = useState(0);
  const [frozen, setFrozen] = useState<T[] | null>(null);
  const shown = frozen ?? items;
  const waiting = frozen ? Math.max(0, (items[0]?.seq ?? 0) - (frozen[0]?.seq ?? 0)) : 0;
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const count = Math.ceil(height / ROW_HEIGHT) + OVERSCAN * 2;
  const visible = useMemo(() => shown.slice(first, first + count), [shown, first, count]);
  return (
    <div className="vlist-wrap">
      {frozen && (
        <button
          className="vlist-resume"
          data-testid="resume"
          onClick={() => {
            setFrozen(null);
            setScrollTop(0);
          }}
        >
          Paused · {waiting} new · resume
        </button>
      )}
      <div
        className="vlist"
        style={{ height }}
        data-testid={testId}
        onScroll={(event) => {
          const top = event.currentTarget.scrollTop;
          setScrollTop(top);
          if (top > 0 && !frozen) setFrozen(items);
          if (top === 0 && frozen) setFrozen(null);
        }}
      >
        <div style={{ height: shown.length * ROW_HEIGHT, position: 'relative' }}>
          {visible.map((item, index) => (
            <div key={item.seq} className="vlist-row" style={{ top: (first + index) * ROW_HEIGHT, height: ROW_HEIGHT }}>
              {render(item)}
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}
