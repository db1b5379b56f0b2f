/** Pretty, lightly highlighted JSON. */
import clsx from 'clsx';
import { Fragment, type ReactNode } from 'react';
import { focusRingInset } from './ui';

const TOKEN = /("(?:\\.|[^"\\])*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;

export function highlight(json: string): ReactNode[] {
  const out: ReactNode[] = [];
  let last = 0;
  let i = 0;
  for (const m of json.matchAll(TOKEN)) {
    const at = m.index ?? 0;
    if (at > last) out.push(json.slice(last, at));
    if (m[1]) {
      out.push(
        <span key={i++} className={m[2] ? 'text-sky-700 dark:text-sky-300' : 'text-emerald-700 dark:text-emerald-300'}>
          {m[1]}
        </span>,
      );
      if (m[2]) out.push(m[2]);
    } else if (m[3]) {
      out.push(<span key={i++} className="text-violet-600 dark:text-violet-300">{m[3]}</span>);
    } else if (m[4]) {
      out.push(<span key={i++} className="text-amber-700 dark:text-amber-300">{m[4]}</span>);
    }
    last = at + m[0].length;
  }
  if (last < json.length) out.push(json.slice(last));
  return out;
}

export function JsonView({ value, className, label }: { value: unknown; className?: string; label?: string }) {
  const text = JSON.stringify(value, null, 2) ?? 'undefined';
  return (
    <pre
      aria-label={label}
      tabIndex={0}
      className={clsx(
        'overflow-auto rounded-lg bg-gray-50 p-3 font-mono text-[12.5px] leading-relaxed text-gray-800 ring-1 ring-inset ring-gray-200 dark:bg-gray-950 dark:text-gray-200 dark:ring-gray-800',
        focusRingInset,
        className,
      )}
    >
      <code>
        {highlight(text).map((node, k) => (
          <Fragment key={k}>{node}</Fragment>
        ))}
      </code>
    </pre>
  );
}
