import type { Child } from "hono/jsx";

type TableProps = { labelledBy: string; columns: string[]; children: Child };

/**
 * A data table named by the heading before it. On a narrow phone it scrolls
 * sideways inside its own region, which keyboard users can focus and scroll.
 */
export function Table({ labelledBy, columns, children }: TableProps) {
  return (
    <div role="region" aria-labelledby={labelledBy} tabindex={0} style="overflow-x:auto">
      <table aria-labelledby={labelledBy}>
        <thead>
          <tr>
            {columns.map((column) => (
              <th scope="col">{column}</th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
