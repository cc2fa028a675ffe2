// Rework a manual action before carrying it out: its kind, subject, content, recipients and
// notes (UpdateAction); the API's violations show next to their fields.
import { type FormEvent, useState } from "react";
import { useMutation } from "@connectrpc/connect-query";
import { type Action, ActionService } from "@relance/api/relance/v1/action_pb";
import { ActivityKind } from "@relance/api/relance/v1/types_pb";
import { KindOptions } from "../forms/kinds";
import { ErrorBanner, Field } from "../forms/field";
import { useI18n } from "../i18n/i18n";
import { useRefresh } from "../transport/invalidate";
import { fieldErrors } from "../transport/transport";

const kinds = [ActivityKind.CALL, ActivityKind.EMAIL, ActivityKind.SMS, ActivityKind.LETTER, ActivityKind.TASK];

/** recipientsOf reads one recipient per line or comma, blanks dropped. */
function recipientsOf(text: string): string[] {
  return text
    .split(/[\n,;]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export function EditAction({ action, onDone }: { action: Action; onDone: () => void }) {
  const { t } = useI18n();
  const refresh = useRefresh(ActionService);
  const [form, setForm] = useState({
    kind: action.kind,
    subject: action.subject,
    content: action.content,
    recipients: action.recipients.join("\n"),
    notes: action.notes,
  });
  const update = useMutation(ActionService.method.updateAction, {
    onSuccess: () => {
      refresh();
      onDone();
    },
  });
  const errors = fieldErrors(update.error);
  const set = (name: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [name]: e.target.value });
  const messaging = form.kind === ActivityKind.EMAIL || form.kind === ActivityKind.SMS;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    update.mutate({
      actionId: action.id,
      kind: form.kind,
      subject: form.subject,
      content: form.content,
      notes: form.notes,
      setRecipients: true,
      recipients: recipientsOf(form.recipients),
    });
  };
  return (
    <form onSubmit={submit} aria-label={t("actions.editTitle")}>
      {Object.keys(errors).length === 0 && <ErrorBanner error={update.error} />}
      <Field label={t("actions.kind")} error={errors["kind"]}>
        {(p) => (
          <select {...p} value={form.kind} onChange={(e) => setForm({ ...form, kind: Number(e.target.value) as ActivityKind })}>
            <KindOptions kinds={kinds} />
          </select>
        )}
      </Field>
      <Field label={t("actions.subject")} error={errors["subject"]}>
        {(p) => <input {...p} value={form.subject} maxLength={200} onChange={set("subject")} />}
      </Field>
      <Field label={t("actions.content")} error={errors["content"]}>
        {(p) => <textarea {...p} rows={4} value={form.content} onChange={set("content")} />}
      </Field>
      {messaging && (
        <Field label={t("actions.recipients")} error={Object.entries(errors).find(([k]) => k.startsWith("recipients"))?.[1]}>
          {(p) => <textarea {...p} rows={2} value={form.recipients} onChange={set("recipients")} />}
        </Field>
      )}
      <Field label={t("actions.notes")} error={errors["notes"]}>
        {(p) => <textarea {...p} rows={2} value={form.notes} onChange={set("notes")} />}
      </Field>
      <div className="row">
        <button type="submit" className="primary" disabled={update.isPending}>
          {t("common.save")}
        </button>
        <button type="button" onClick={onDone}>
          {t("common.cancel")}
        </button>
      </div>
    </form>
  );
}
