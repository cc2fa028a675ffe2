// My action inbox: overdue, today and upcoming actions as ListMyActions sorts them; rework one,
// add or fetch its attachments, complete it with its outcome, or skip it with a reason. A manual
// email or SMS about a lead is sent on completion: its subject and message, pre-filled by the
// step, can be edited first, and an email carries the action's files.
import { type FormEvent, useState } from "react";
import { skipToken, useMutation, useQuery } from "@connectrpc/connect-query";
import { type Action, ActionService, ActionTiming, type InboxItem } from "@relance/api/relance/v1/action_pb";
import { ActivityKind } from "@relance/api/relance/v1/types_pb";
import { LeadService } from "@relance/api/relance/v1/lead_pb";
import { StatusService } from "@relance/api/relance/v1/status_pb";
import { ErrorBanner, Field, Loading } from "../forms/field";
import { formatDateTime, instant } from "../format/format";
import { useI18n } from "../i18n/i18n";
import type { MessageKey } from "../i18n/fr";
import { Link } from "../layout/router";
import { useSiteZone } from "../sites/zone";
import { useRefresh } from "../transport/invalidate";
import { fieldErrors } from "../transport/transport";
import { Attachments } from "./attachments";
import { EditAction } from "./edit";

const timings = [ActionTiming.OVERDUE, ActionTiming.TODAY, ActionTiming.UPCOMING];

/** sends says whether completing a is sending its message to the lead, as the API does. */
function sends(a: Action): boolean {
  return !a.automatic && a.leadId !== "" && (a.kind === ActivityKind.EMAIL || a.kind === ActivityKind.SMS);
}

export function ActionInbox() {
  const { t } = useI18n();
  const inbox = useQuery(ActionService.method.listMyActions, {});
  const items = inbox.data?.items ?? [];
  return (
    <>
      <h1>{t("actions.title")}</h1>
      <ErrorBanner error={inbox.error} />
      {inbox.isPending ? (
        <Loading />
      ) : items.length === 0 ? (
        <p className="muted">{t("actions.empty")}</p>
      ) : (
        timings.map((timing) => {
          const group = items.filter((i) => i.timing === timing);
          if (group.length === 0) return null;
          return (
            <section key={timing} aria-labelledby={`timing-${timing}`}>
              <h2 id={`timing-${timing}`} className={timing === ActionTiming.OVERDUE ? "overdue" : undefined}>
                {t(`actions.${timing}` as MessageKey)} ({group.length})
              </h2>
              <ul className="list">
                {group.map((item) => (
                  <ActionItem key={item.action?.id} item={item} />
                ))}
              </ul>
            </section>
          );
        })
      )}
    </>
  );
}

function ActionItem({ item }: { item: InboxItem }) {
  const { t, lang } = useI18n();
  const zone = useSiteZone();
  const a = item.action;
  const [open, setOpen] = useState<"edit" | "complete" | "skip" | undefined>();
  const [text, setText] = useState("");
  const [message, setMessage] = useState({ subject: "", body: "" });
  const refresh = useRefresh(ActionService, LeadService, StatusService);
  const lead = useQuery(LeadService.method.getLead, a?.leadId ? { leadId: a.leadId } : skipToken, { staleTime: 60_000 });
  const done = {
    onSuccess: () => {
      setOpen(undefined);
      refresh();
    },
  };
  const complete = useMutation(ActionService.method.completeAction, done);
  const skip = useMutation(ActionService.method.skipAction, done);
  if (!a) return null;
  const title = [lead.data?.lead?.contact?.name, a.subject || t(`kind.${a.kind}` as MessageKey)].filter(Boolean).join(" · ");
  const failed = open === "skip" ? skip.error : complete.error;
  const errors = fieldErrors(failed);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (open === "skip") skip.mutate({ actionId: a.id, reason: text });
    else if (sends(a)) complete.mutate({ actionId: a.id, outcome: text, subject: message.subject, body: message.body });
    else complete.mutate({ actionId: a.id, outcome: text });
  };
  const sending = open === "complete" && sends(a);
  return (
    <li className={item.timing === ActionTiming.OVERDUE ? "card late" : "card"} aria-label={title}>
      <h3 className="card-title">{title}</h3>
      <p className="muted">
        {t(`kind.${a.kind}` as MessageKey)} · {t("actions.due", { at: formatDateTime(instant(a.dueTime), zone, lang) })}
      </p>
      {a.content && <p className="pre">{a.content}</p>}
      {a.notes && <p className="muted pre">{a.notes}</p>}
      <Attachments action={a} />
      <div className="row">
        {a.leadId && <Link href={`/leads/${a.leadId}`}>{t("actions.lead")}</Link>}
        {!a.automatic && (
          <button type="button" aria-expanded={open === "edit"} onClick={() => setOpen(open === "edit" ? undefined : "edit")}>
            {t("actions.edit")}
          </button>
        )}
        <button
          type="button"
          aria-expanded={open === "complete"}
          onClick={() => (setOpen(open === "complete" ? undefined : "complete"), setText(""), setMessage({ subject: a.subject, body: a.content }))}
        >
          {t(sends(a) ? "actions.send" : "actions.complete")}
        </button>
        <button type="button" aria-expanded={open === "skip"} onClick={() => (setOpen(open === "skip" ? undefined : "skip"), setText(""))}>
          {t("actions.skip")}
        </button>
      </div>
      {open === "edit" && <EditAction action={a} onDone={() => setOpen(undefined)} />}
      {(open === "complete" || open === "skip") && (
        <form onSubmit={submit}>
          {Object.keys(errors).length === 0 && <ErrorBanner error={failed} />}
          {sending && (
            <>
              <p className="muted">{t("actions.sendTo", { to: a.recipients[0] ?? lead.data?.lead?.contact?.email ?? "" })}</p>
              {a.kind === ActivityKind.EMAIL && (
                <Field label={t("actions.subject")} error={errors["subject"]}>
                  {(p) => <input {...p} maxLength={200} value={message.subject} onChange={(e) => setMessage({ ...message, subject: e.target.value })} />}
                </Field>
              )}
              <Field label={t("actions.message")} error={errors["body"]}>
                {(p) => <textarea {...p} rows={6} required value={message.body} onChange={(e) => setMessage({ ...message, body: e.target.value })} />}
              </Field>
              {a.kind === ActivityKind.EMAIL && a.attachments.length > 0 && (
                <p className="muted">{t("actions.sendFiles", { files: a.attachments.map((f) => f.fileName).join(", ") })}</p>
              )}
            </>
          )}
          <Field label={t(open === "skip" ? "actions.reason" : "actions.outcome")} error={errors[open === "skip" ? "reason" : "outcome"]}>
            {(p) => <textarea {...p} rows={2} value={text} required={open === "skip"} onChange={(e) => setText(e.target.value)} />}
          </Field>
          <button type="submit" className="primary" disabled={complete.isPending || skip.isPending}>
            {t(open === "skip" ? "actions.skipSubmit" : sending ? "actions.sendSubmit" : "actions.completeSubmit")}
          </button>
        </form>
      )}
    </li>
  );
}
