// A group of checkboxes choosing several values (scopes, sites, channels, weekdays), with the
// API's violation for the whole list under it.
import { type ReactNode, useId } from "react";

/** CheckGroup is a fieldset of checkboxes over values; error marks the group and is linked to it. */
export function CheckGroup<V extends string | number>({
  legend,
  options,
  chosen,
  onChange,
  error,
}: {
  legend: string;
  options: { value: V; label: ReactNode }[];
  chosen: V[];
  onChange: (chosen: V[]) => void;
  error?: string | undefined;
}) {
  const errId = `${useId()}-error`;
  const toggle = (v: V, on: boolean) => onChange(on ? [...chosen.filter((c) => c !== v), v] : chosen.filter((c) => c !== v));
  return (
    <fieldset aria-invalid={!!error} aria-describedby={error ? errId : undefined}>
      <legend>{legend}</legend>
      {options.map((o) => (
        <label key={o.value} className="check">
          <input type="checkbox" checked={chosen.includes(o.value)} onChange={(e) => toggle(o.value, e.target.checked)} />
          {o.label}
        </label>
      ))}
      {error && (
        <p className="field-error" id={errId} role="alert">
          {error}
        </p>
      )}
    </fieldset>
  );
}
