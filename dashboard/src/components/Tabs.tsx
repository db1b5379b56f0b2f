/**
 * Tabs as WAI-ARIA describes them: one tab stop for the list, arrow keys (and Home, End) move
 * between tabs and select them, and the selected tab labels its panel. The list and the panel
 * go wherever the layout needs them: `useTabs` gives the panel's attributes.
 */
import clsx from 'clsx';
import { useId, useRef, type KeyboardEvent } from 'react';
import { focusRing } from './ui';

export interface TabsState<T extends string> {
  id: string;
  value: T;
  onChange: (value: T) => void;
  panel: { role: 'tabpanel'; id: string; 'aria-labelledby': string };
}

export function useTabs<T extends string>(value: T, onChange: (value: T) => void): TabsState<T> {
  const id = useId();
  return { id, value, onChange, panel: { role: 'tabpanel', id: `${id}-panel`, 'aria-labelledby': `${id}-tab-${value}` } };
}

export function TabList<T extends string>({ label, tabs, state }: { label: string; tabs: Array<{ value: T; label: string }>; state: TabsState<T> }) {
  const list = useRef<HTMLDivElement>(null);
  const tabId = (v: T) => `${state.id}-tab-${v}`;

  function onKeyDown(event: KeyboardEvent) {
    const index = tabs.findIndex((t) => t.value === state.value);
    const next = ({ ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: tabs.length - 1 } as Record<string, number>)[event.key];
    if (next === undefined) return;
    event.preventDefault();
    const target = tabs[(next + tabs.length) % tabs.length];
    state.onChange(target.value);
    list.current?.querySelector<HTMLElement>(`[id="${tabId(target.value)}"]`)?.focus();
  }

  return (
    <div ref={list} role="tablist" aria-label={label} className="flex flex-wrap gap-x-3 gap-y-1" onKeyDown={onKeyDown}>
      {tabs.map((tab) => {
        const selected = tab.value === state.value;
        return (
          <button
            key={tab.value}
            id={tabId(tab.value)}
            type="button"
            role="tab"
            aria-selected={selected}
            aria-controls={state.panel.id}
            tabIndex={selected ? 0 : -1}
            onClick={() => state.onChange(tab.value)}
            className={clsx(
              'rounded-sm border-b-2 pb-0.5 text-[13px] font-medium transition-colors',
              selected
                ? 'border-brand-500 text-gray-900 dark:border-brand-400 dark:text-white'
                : 'border-transparent text-gray-500 hover:text-gray-900 dark:text-gray-400 dark:hover:text-white',
              focusRing,
            )}
          >
            {tab.label}
          </button>
        );
      })}
    </div>
  );
}
