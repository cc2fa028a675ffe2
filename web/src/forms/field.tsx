// Form pieces: a labelled field that shows the API's violation for it, and the error banner of a
// failed call.
import { type ReactNode, useId } from "react";
import { errorMessage } from "../transport/transport";
import { useI18n } from "../i18n/i18n";

/**
 * Field labels one control and shows its error under it; the control receives its id and
 * aria attributes through the render function.
 */
export function Field({
  label,
  error,
  children,
}: {
  label: string;
  error?: string | undefined;
  children: (props: { id: string; "aria-invalid": boolean; "aria-describedby"?: string }) => ReactNode;
}) {
  const id = useId();
  const errId = `${id}-error`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ id, "aria-invalid": !!error, ...(error ? { "aria-describedby": errId } : {}) })}
      {error && (
        <p className="field-error" id={errId} role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/** ErrorBanner shows a failed call's message; nothing when there is no error. */
export function ErrorBanner({ error }: { error: unknown }) {
  const { t } = useI18n();
  if (!error) return null;
  return (
    <p className="banner error" role="alert">
      {t("common.error", { message: errorMessage(error) })}
    </p>
  );
}

/** Loading is the placeholder of a pending query. */
export function Loading() {
  const { t } = useI18n();
  return (
    <p className="muted" role="status">
      {t("common.loading")}
    </p>
  );
}
