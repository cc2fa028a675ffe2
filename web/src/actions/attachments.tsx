// An action's attachments: listed with their size, downloaded through the DownloadAttachment
// stream, added from the device (the API checks the bytes are what the type says) and removed
// while the action is still to do.
import { type ChangeEvent, useRef, useState } from "react";
import { createClient } from "@connectrpc/connect";
import { useMutation } from "@connectrpc/connect-query";
import { type Action, ActionService, ActionState, type Attachment } from "@relance/api/relance/v1/action_pb";
import { saveChunks } from "../files/save";
import { ErrorBanner } from "../forms/field";
import { formatBytes } from "../format/format";
import { useI18n } from "../i18n/i18n";
import { useRefresh } from "../transport/invalidate";
import { transport } from "../transport/transport";

/** The types the API accepts, offered by the file picker (the API still sniffs the bytes). */
const accepted = ".pdf,.png,.jpg,.jpeg,.gif,.webp,.txt,.csv,.docx,.xlsx,.pptx,.odt,.ods";

export function Attachments({ action }: { action: Action }) {
  const { t, lang } = useI18n();
  const refresh = useRefresh(ActionService);
  const picker = useRef<HTMLInputElement>(null);
  const [failure, setFailure] = useState<unknown>();
  const add = useMutation(ActionService.method.addAttachment, { onSuccess: refresh });
  const remove = useMutation(ActionService.method.removeAttachment, { onSuccess: refresh });
  const open = action.state === ActionState.SCHEDULED;
  if (!open && action.attachments.length === 0) return null;

  const upload = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = "";
    if (!file) return;
    setFailure(undefined);
    const data = new Uint8Array(await file.arrayBuffer());
    add.mutate({ actionId: action.id, fileName: file.name, contentType: file.type || "application/octet-stream", data });
  };
  const download = async (a: Attachment) => {
    setFailure(undefined);
    try {
      const chunks: Uint8Array<ArrayBuffer>[] = [];
      for await (const res of createClient(ActionService, transport).downloadAttachment({ attachmentId: a.id })) {
        chunks.push(new Uint8Array(res.chunk));
      }
      saveChunks(chunks, a.fileName, a.contentType);
    } catch (err) {
      setFailure(err);
    }
  };

  return (
    <section className="attachments" aria-label={t("attachments.title")}>
      {action.attachments.length > 0 && (
        <ul className="list">
          {action.attachments.map((a) => (
            <li key={a.id} className="row">
              <button type="button" className="link" onClick={() => void download(a)}>
                {t("attachments.download", { name: a.fileName })}
              </button>
              <span className="muted">{formatBytes(Number(a.sizeBytes), lang)}</span>
              {open && (
                <button type="button" className="link" disabled={remove.isPending} onClick={() => remove.mutate({ attachmentId: a.id })}>
                  {t("attachments.remove", { name: a.fileName })}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {open && (
        <>
          <input ref={picker} type="file" accept={accepted} hidden onChange={(e) => void upload(e)} aria-label={t("attachments.add")} />
          <button type="button" disabled={add.isPending} onClick={() => picker.current?.click()}>
            {add.isPending ? t("attachments.uploading") : t("attachments.add")}
          </button>
        </>
      )}
      <ErrorBanner error={add.error ?? remove.error ?? failure} />
    </section>
  );
}
