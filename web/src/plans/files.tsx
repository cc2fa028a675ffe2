// The files a saved automatic email step of a plan carries: every email the step sends has them.
// Added from the device (the API checks the bytes and the step's limits) and removed at once,
// apart from the plan's form: they belong to the step's position in the saved plan.
import { type ChangeEvent, useRef } from "react";
import { useMutation } from "@connectrpc/connect-query";
import { PlanService, type PlanStep } from "@relance/api/relance/v1/plan_pb";
import { ErrorBanner } from "../forms/field";
import { formatBytes } from "../format/format";
import { useI18n } from "../i18n/i18n";
import { useRefresh } from "../transport/invalidate";

/** The types the API accepts, offered by the file picker (the API still sniffs the bytes). */
const accepted = ".pdf,.png,.jpg,.jpeg,.gif,.webp,.txt,.csv,.docx,.xlsx,.pptx,.odt,.ods";

export function PlanFiles({ planId, position, saved }: { planId: string; position: number; saved: PlanStep }) {
  const { t, lang } = useI18n();
  const refresh = useRefresh(PlanService);
  const picker = useRef<HTMLInputElement>(null);
  const add = useMutation(PlanService.method.addPlanFile, { onSuccess: refresh });
  const remove = useMutation(PlanService.method.removePlanFile, { onSuccess: refresh });

  const upload = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = "";
    if (!file) return;
    remove.reset();
    const data = new Uint8Array(await file.arrayBuffer());
    add.mutate({ planId, step: position, fileName: file.name, contentType: file.type || "application/octet-stream", data });
  };

  return (
    <section className="attachments" aria-label={t("plans.files")}>
      <p className="muted">{t("plans.filesHint")}</p>
      {saved.files.length > 0 && (
        <ul className="list">
          {saved.files.map((f) => (
            <li key={f.id} className="row">
              <span>{f.fileName}</span>
              <span className="muted">{formatBytes(Number(f.sizeBytes), lang)}</span>
              <button type="button" className="link" disabled={remove.isPending} onClick={() => remove.mutate({ fileId: f.id })}>
                {t("attachments.remove", { name: f.fileName })}
              </button>
            </li>
          ))}
        </ul>
      )}
      <input ref={picker} type="file" accept={accepted} hidden onChange={(e) => void upload(e)} aria-label={t("attachments.add")} />
      <button type="button" disabled={add.isPending} onClick={() => picker.current?.click()}>
        {add.isPending ? t("attachments.uploading") : t("attachments.add")}
      </button>
      <ErrorBanner error={add.error ?? remove.error} />
    </section>
  );
}
