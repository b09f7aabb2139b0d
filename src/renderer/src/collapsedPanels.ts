import { useEffect, useState } from 'react';

/**
 * Panels the trader folded (a click on a panel's title), kept across reloads. The panels stay
 * mounted; a style rule hides everything but the title, so folding costs nothing and needs no
 * change inside each panel.
 */
const KEY = 'lx.collapsedPanels';

function load(): Set<string> {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) ?? '[]') as unknown;
    return new Set(Array.isArray(saved) ? saved.filter((id): id is string => typeof id === 'string' && /^[\w-]{1,40}$/.test(id)) : []);
  } catch {
    return new Set();
  }
}

export function useCollapsedPanels(): { collapsed: ReadonlySet<string>; css: string; onClick(event: React.MouseEvent): void } {
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(load);
  useEffect(() => {
    try {
      localStorage.setItem(KEY, JSON.stringify([...collapsed]));
    } catch {
      // Storage refused (private mode): folding still works for this page.
    }
  }, [collapsed]);
  const onClick = (event: React.MouseEvent) => {
    const target = event.target as HTMLElement;
    // Only the title itself: its buttons, tabs and inputs keep their own jobs.
    if (target.closest('button, input, select, label, a')) return;
    const title = target.closest('h2');
    const panel = title?.parentElement;
    if (!title || !panel?.classList.contains('panel')) return;
    const id = panel.dataset.testid;
    if (!id) return;
    setCollapsed((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  };
  const css = [...collapsed]
    .map((id) => `.panel[data-testid="${id}"] > :not(h2) { display: none !important; } .panel[data-testid="${id}"] > h2::before { content: '▸ '; }`)
    .join('\n');
  return { collapsed, css, onClick };
}
