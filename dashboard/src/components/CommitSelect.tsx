/**
 * A select whose choice takes effect when it is made, not while the options are browsed: on a
 * closed select, the arrow keys (and typing) only move through the options; Enter or leaving
 * the select applies the one shown. A choice picked from the open list applies at once.
 */
import { useRef, useState, type KeyboardEvent, type SelectHTMLAttributes } from 'react';
import { Select } from './ui';

const BROWSING_KEYS = new Set(['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'Home', 'End', 'PageUp', 'PageDown']);

function browses(event: KeyboardEvent): boolean {
  if (event.altKey || event.ctrlKey || event.metaKey) return false;
  return BROWSING_KEYS.has(event.key) || event.key.length === 1;
}

export function CommitSelect({
  value,
  onCommit,
  onKeyDown,
  onBlur,
  ...rest
}: Omit<SelectHTMLAttributes<HTMLSelectElement>, 'value' | 'onChange'> & { value: string; onCommit: (value: string) => void; invalid?: boolean }) {
  const [draft, setDraft] = useState<string | null>(null);
  const browsing = useRef(false);

  function commit() {
    if (draft === null) return;
    setDraft(null);
    if (draft !== value) onCommit(draft);
  }

  return (
    <Select
      {...rest}
      value={draft ?? value}
      onKeyDown={(event) => {
        if (browses(event)) browsing.current = true;
        if (event.key === 'Enter' && draft !== null) {
          event.preventDefault();
          commit();
        }
        onKeyDown?.(event);
      }}
      onChange={(event) => {
        const next = event.target.value;
        if (browsing.current) {
          browsing.current = false;
          setDraft(next);
          return;
        }
        setDraft(null);
        if (next !== value) onCommit(next);
      }}
      onBlur={(event) => {
        browsing.current = false;
        commit();
        onBlur?.(event);
      }}
    />
  );
}
