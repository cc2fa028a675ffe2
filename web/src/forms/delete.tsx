// The delete button of a row in a list: it asks for confirmation, then deletes, and names what it
// deletes for screen readers.
import { useI18n } from "../i18n/i18n";

/** DeleteButton deletes a row once the user confirms; it is disabled while a delete is running. */
export function DeleteButton({
  label,
  confirm,
  pending,
  onDelete,
}: {
  label: string;
  confirm: string;
  pending: boolean;
  onDelete: () => void;
}) {
  const { t } = useI18n();
  return (
    <button type="button" className="link" disabled={pending} aria-label={label} onClick={() => window.confirm(confirm) && onDelete()}>
      {t("common.delete")}
    </button>
  );
}
