// The files a record carries, as the person manages them: each listed with its size and a remove
// button, and one more added from the device among the types the API accepts. An action's
// attachments and a plan step's files are both kept this way; the screen makes the calls.
import { type ChangeEvent, type ReactNode, useRef } from "react";
import { ErrorBanner } from "../forms/field";
import { formatBytes } from "../format/format";
import { useI18n } from "../i18n/i18n";

/** The types the API accepts, offered by the file picker (the API still sniffs the bytes). */
const accepted = ".pdf,.png,.jpg,.jpeg,.gif,.webp,.txt,.csv,.docx,.xlsx,.pptx,.odt,.ods";

/** PickedFile is a file read from the device, as an upload request carries it. */
export type PickedFile = { fileName: string; contentType: string; data: Uint8Array<ArrayBuffer> };

/**
 * FilePicker lists files under label (each named by `name`, by default its file name) and, when
 * editable, offers to remove each one and to add another; onAdd gets the file read from the device.
 * error is the failed call to show, if any.
 */
export function FilePicker<F extends { id: string; fileName: string; sizeBytes: bigint }>({
  label,
  hint,
  files,
  name = (f) => <span>{f.fileName}</span>,
  editable = true,
  adding,
  removing,
  onAdd,
  onRemove,
  error,
}: {
  label: string;
  hint?: string;
  files: F[];
  name?: (file: F) => ReactNode;
  editable?: boolean;
  adding: boolean;
  removing: boolean;
  onAdd: (file: PickedFile) => void;
  onRemove: (file: F) => void;
  error: unknown;
}) {
  const { t, lang } = useI18n();
  const picker = useRef<HTMLInputElement>(null);
  const upload = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = "";
    if (!file) return;
    const data = new Uint8Array(await file.arrayBuffer());
    onAdd({ fileName: file.name, contentType: file.type || "application/octet-stream", data });
  };
  return (
    <section className="attachments" aria-label={label}>
      {hint && <p className="muted">{hint}</p>}
      {files.length > 0 && (
        <ul className="list">
          {files.map((f) => (
            <li key={f.id} className="row">
              {name(f)}
              <span className="muted">{formatBytes(Number(f.sizeBytes), lang)}</span>
              {editable && (
                <button type="button" className="link" disabled={removing} onClick={() => onRemove(f)}>
                  {t("attachments.remove", { name: f.fileName })}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {editable && (
        <>
          <input ref={picker} type="file" accept={accepted} hidden onChange={(e) => void upload(e)} aria-label={t("attachments.add")} />
          <button type="button" disabled={adding} onClick={() => picker.current?.click()}>
            {adding ? t("attachments.uploading") : t("attachments.add")}
          </button>
        </>
      )}
      <ErrorBanner error={error} />
    </section>
  );
}
