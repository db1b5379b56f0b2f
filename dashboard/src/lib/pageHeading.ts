/**
 * Each page names the browser tab after its heading, and after a route change focus moves to
 * that heading, so a screen reader announces the new page and Tab continues from its top. A
 * page loaded directly keeps focus where the browser puts it.
 */
import { useCallback, useEffect } from 'react';
import { useLocation } from 'react-router-dom';

const PRODUCT = 'EventLens';
// The path whose heading was last given focus: at first, the one the document was loaded at.
let focusedFor: string | null = typeof window === 'undefined' ? null : window.location.pathname;

export function documentTitle(title: string): string {
  return title ? `${title} · ${PRODUCT}` : PRODUCT;
}

/**
 * Sets the document's title to `title` and returns the ref for the page's `<h1>`, which must
 * carry `tabIndex={-1}` (focusable by script, not a tab stop).
 */
export function usePageHeading(title: string) {
  const { pathname } = useLocation();
  useEffect(() => {
    document.title = documentTitle(title);
  }, [title]);
  return useCallback(
    (heading: HTMLHeadingElement | null) => {
      if (!heading || focusedFor === pathname) return;
      focusedFor = pathname;
      heading.focus({ preventScroll: false });
    },
    [pathname],
  );
}
