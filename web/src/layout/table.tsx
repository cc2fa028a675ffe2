// The app's list of records: a captioned table that scrolls on its own on a phone, a loading line
// while its query is pending, and a sentence instead when there is nothing to list.
import type { ReactNode } from "react";
import { Loading } from "../forms/field";

/**
 * ListTable shows `empty` (a sentence) when it is a string, else the rows under a caption that
 * also names the scrolling region for screen readers.
 */
export function ListTable({
  pending,
  empty,
  label,
  headers,
  children,
}: {
  pending: boolean;
  empty: string | false;
  label: string;
  headers: string[];
  children: ReactNode;
}) {
  if (pending) return <Loading />;
  if (empty !== false) return <p className="muted">{empty}</p>;
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label={label}>
      <table>
        <caption className="muted">{label}</caption>
        <thead>
          <tr>
            {headers.map((h) => (
              <th scope="col" key={h}>
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
