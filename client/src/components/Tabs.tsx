// Tabs with the WAI-ARIA tab pattern: one tab stop for the tab list (Left/Right/Home/End move
// between tabs and select them), each panel labelled by its tab and focusable. Every panel stays
// mounted (hidden when not selected), so what a candidate has typed survives a tab switch.
import { useId, useState, type KeyboardEvent, type ReactNode } from 'react';

export interface TabDef {
  id: string;
  label: ReactNode;
  content: ReactNode;
}

export function Tabs({
  label,
  tabs,
  selected,
  onSelect,
  className,
}: {
  /** The tab list's accessible name. */
  label: string;
  tabs: TabDef[];
  /** Controlled selection (optional); otherwise the first tab starts selected. */
  selected?: string;
  onSelect?: (id: string) => void;
  className?: string;
}) {
  const prefix = useId();
  const [own, setOwn] = useState(tabs[0]?.id ?? '');
  const current = tabs.some((t) => t.id === (selected ?? own)) ? (selected ?? own) : (tabs[0]?.id ?? '');
  const select = (id: string) => {
    setOwn(id);
    onSelect?.(id);
  };
  const tabId = (id: string) => `${prefix}-tab-${id}`;
  const panelId = (id: string) => `${prefix}-panel-${id}`;

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    // From the focused tab (usually the selected one).
    const focused = tabs.findIndex((t) => tabId(t.id) === (e.target as HTMLElement).id);
    const i = focused >= 0 ? focused : tabs.findIndex((t) => t.id === current);
    let next: number | undefined;
    if (e.key === 'ArrowRight') next = (i + 1) % tabs.length;
    else if (e.key === 'ArrowLeft') next = (i - 1 + tabs.length) % tabs.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = tabs.length - 1;
    if (next === undefined) return;
    e.preventDefault();
    const id = tabs[next]!.id;
    select(id);
    document.getElementById(tabId(id))?.focus();
  };

  return (
    <div className={`tabs ${className ?? ''}`}>
      <div role="tablist" aria-label={label} className="tablist" onKeyDown={onKeyDown}>
        {tabs.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={tabId(t.id)}
            aria-selected={t.id === current}
            aria-controls={panelId(t.id)}
            tabIndex={t.id === current ? 0 : -1}
            onClick={() => select(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      {tabs.map((t) => (
        <div key={t.id} role="tabpanel" id={panelId(t.id)} aria-labelledby={tabId(t.id)} hidden={t.id !== current} tabIndex={0} className="tabpanel">
          {t.content}
        </div>
      ))}
    </div>
  );
}
