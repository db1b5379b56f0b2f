/** Focus rings come from ui.tsx's `focusRing` / `focusRingInset`, so they cannot drift apart. */
import { describe, expect, it } from 'vitest';

const sources = import.meta.glob<string>(['/src/**/*.tsx', '!/src/components/ui.tsx', '!/src/**/*.test.tsx'], { query: '?raw', import: 'default', eager: true });

describe('focus rings', () => {
  it('are not spelled out anywhere but ui.tsx', () => {
    expect(Object.keys(sources).length).toBeGreaterThan(10);
    const offenders = Object.entries(sources)
      .filter(([, text]) => /focus-visible:ring-(?:\d|brand)/.test(text))
      .map(([file]) => file);
    expect(offenders).toEqual([]);
  });
});
