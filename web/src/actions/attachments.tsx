// An action's attachments: listed with their size, downloaded through the DownloadAttachment
// stream, added from the device (the API checks the bytes are what the type says) and removed
// while the action is still to do.
import { useState } from "react";
import { createClient } from "@connectrpc/connect";
import { useMutation } from "@connectrpc/connect-query";
import { type Action, ActionService, ActionState, type Attachment } from "@relance/api/relance/v1/action_pb";
import { FilePicker } from "../files/picker";
import { saveChunks } from "../files/save";
import { useI18n } from "../i18n/i18n";
import { useRefresh } from "../transport/invalidate";
import { transport } from "../transport/transport";

export function Attachments({ action }: { action: Action }) {
  const { t } = useI18n();
  const refresh = useRefresh(ActionService);
  const [failure, setFailure] = useState<unknown>();
  const add = useMutation(ActionService.method.addAttachment, { onSuccess: refresh });
  const remove = useMutation(ActionService.method.removeAttachment, { onSuccess: refresh });
  const open = action.state === ActionState.SCHEDULED;
  if (!open && action.attachments.length === 0) return null;

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
    <FilePicker
      label={t("attachments.title")}
      files={action.attachments}
      name={(a) => (
        <button type="button" className="link" onClick={() => void download(a)}>
          {t("attachments.download", { name: a.fileName })}
        </button>
      )}
      editable={open}
      adding={add.isPending}
      removing={remove.isPending}
      onAdd={(file) => {
        setFailure(undefined);
        add.mutate({ actionId: action.id, ...file });
      }}
      onRemove={(a) => remove.mutate({ attachmentId: a.id })}
      error={add.error ?? remove.error ?? failure}
    />
  );
}
