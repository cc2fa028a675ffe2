// The site chooser of the pages that edit one site at a time (hours, reminder ladder).
import type { Site } from "@relance/api/relance/v1/types_pb";
import { Field } from "../forms/field";

/** SiteSelect is a labelled select among sites; value is a site id. */
export function SiteSelect({ label, sites, value, onChange }: { label: string; sites: Site[]; value: string; onChange: (siteId: string) => void }) {
  return (
    <Field label={label}>
      {(p) => (
        <select {...p} value={value} onChange={(e) => onChange(e.target.value)}>
          {sites.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
