/** A chart's text alternative: its summary and its data as a table, read by screen readers only. */
import { useId, type ReactNode } from 'react';

export interface ChartColumn {
  header: string;
}

/**
 * The chart itself is hidden from assistive technology (and takes no tab stop); this figure
 * names it and holds every point it draws as rows.
 */
export function ChartFigure({
  summary,
  columns,
  rows,
  children,
  className,
  ...rest
}: {
  summary: string;
  columns: string[];
  rows: Array<Array<string>>;
  children: ReactNode;
  className?: string;
} & Record<`data-${string}`, string | number>) {
  const captionId = useId();
  return (
    <figure aria-labelledby={captionId} className={className} {...rest}>
      <div aria-hidden>{children}</div>
      <figcaption id={captionId} className="sr-only">
        {summary}
      </figcaption>
      {/* sr-only on the table itself would not clip it: a table is as wide as its cells. */}
      <div className="sr-only">
        <table>
          <caption>{summary}</caption>
          <thead>
            <tr>
              {columns.map((column) => (
                <th key={column} scope="col">
                  {column}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((cells, i) => (
              <tr key={i}>
                {cells.map((cell, j) =>
                  j === 0 ? (
                    <th key={j} scope="row">
                      {cell}
                    </th>
                  ) : (
                    <td key={j}>{cell}</td>
                  ),
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
