/**
 * Radio groups as WAI-ARIA describes them: one tab stop (the checked radio, else the first),
 * and the arrow keys (Home, End too) move to the next radio and check it.
 */
import type { KeyboardEvent } from 'react';

const STEPS: Record<string, number> = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };

/** The tabIndex of the radio at `index`: 0 for the checked one (the first when none is). */
export function radioTabIndex<T>(values: readonly T[], checked: T | null, index: number): 0 | -1 {
  const current = checked === null ? -1 : values.indexOf(checked);
  return index === (current === -1 ? 0 : current) ? 0 : -1;
}

/** The group's keydown handler: checks and focuses the radio an arrow key moves to. */
export function radioKeyDown<T>(values: readonly T[], checked: T | null, choose: (value: T) => void) {
  return (event: KeyboardEvent<HTMLElement>) => {
    const count = values.length;
    const current = checked === null ? -1 : values.indexOf(checked);
    let next: number;
    if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = count - 1;
    else if (event.key in STEPS) next = current === -1 ? (STEPS[event.key] > 0 ? 0 : count - 1) : (current + STEPS[event.key] + count) % count;
    else return;
    event.preventDefault();
    choose(values[next]);
    event.currentTarget.querySelectorAll<HTMLElement>('[role="radio"]')[next]?.focus();
  };
}
