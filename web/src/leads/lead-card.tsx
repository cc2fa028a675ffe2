// The lead card: contact (tel:/mailto:), where the lead stands, its timeline and the messages
// sent about it; record a call or an activity, set the interaction status, close it as won or
// rejected with the closure guard's answer shown.
import { type FormEvent, Suspense, lazy, useState } from "react";
import { Code } from "@connectrpc/connect";
import { useMutation, useQuery } from "@connectrpc/connect-query";
import { ActionService, ActionState } from "@relance/api/relance/v1/action_pb";
import { LeadService } from "@relance/api/relance/v1/lead_pb";
import { CallState, StatusScope, StatusService } from "@relance/api/relance/v1/status_pb";
import { ActivityKind, ActivityOrigin, ContactDirection, LeadStage, type Lead, Role } from "@relance/api/relance/v1/types_pb";
import { useMe } from "../auth/me";
import { KindOptions } from "../forms/kinds";
import { ErrorBanner, Field, Loading } from "../forms/field";
import { formatDateTime, formatDuration, instant, seconds } from "../format/format";
import { useI18n } from "../i18n/i18n";
import type { MessageKey } from "../i18n/fr";
import { NotFound } from "../layout/pages";
import { useSiteZone } from "../sites/zone";
import { useRefresh } from "../transport/invalidate";
import { errorCode, errorMessage, fieldErrors } from "../transport/transport";
import { LeadBadges } from "./badges";

// The ADF document a lead came from is for admins only: its code loads when one opens a lead.
const AdfDocument = lazy(() => import("../adf/document").then((m) => ({ default: m.AdfDocument })));

export function LeadCard({ leadId }: { leadId: string }) {
  const { t, lang } = useI18n();
  const admin = useMe().role === Role.ADMIN;
  const lead = useQuery(LeadService.method.getLead, { leadId });
  const zone = useSiteZone(lead.data?.lead?.siteId);
  if (lead.error && [Code.NotFound, Code.InvalidArgument].includes(errorCode(lead.error))) return <NotFound />;
  if (!lead.data?.lead) return lead.error ? <ErrorBanner error={lead.error} /> : <Loading />;
  const l = lead.data.lead;
  const c = l.contact;
  return (
    <>
      <h1>{c?.name}</h1>
      <p className="muted">
        {t(`stage.${l.stage}` as MessageKey)} · {t("lead.source", { source: l.source })} ·{" "}
        {t("leads.received", { at: formatDateTime(instant(l.receiveTime), zone, lang) })}
      </p>
      <LeadBadges lead={l} />
      {l.businessResponseTime && (
        <p>{t("leads.responseTime", { duration: formatDuration(seconds(l.businessResponseTime), lang) })}</p>
      )}
      <p className="muted">{t("lead.attempts", { attempts: l.callAttempts, touches: l.successfulTouches })}</p>
      <section aria-labelledby="contact" className="card">
        <h2 id="contact">{t("lead.contact")}</h2>
        <div className="row">
          {c?.phone && (
            <a className="button" href={`tel:${c.phone}`}>
              {t("lead.call", { phone: c.phone })}
            </a>
          )}
          {c?.email && (
            <a className="button" href={`mailto:${c.email}`}>
              {t("lead.mail", { email: c.email })}
            </a>
          )}
        </div>
      </section>
      {l.stage === LeadStage.OPEN && <RecordActivity lead={l} />}
      <StatusAndClosure lead={l} />
      <Timeline leadId={l.id} zone={zone} />
      <Deliveries leadId={l.id} zone={zone} />
      {admin && (
        <Suspense fallback={null}>
          <AdfDocument leadId={l.id} zone={zone} />
        </Suspense>
      )}
    </>
  );
}

const kinds = [ActivityKind.CALL, ActivityKind.EMAIL, ActivityKind.SMS, ActivityKind.MEETING, ActivityKind.LETTER, ActivityKind.TASK];

function RecordActivity({ lead }: { lead: Lead }) {
  const { t } = useI18n();
  const refresh = useRefresh(LeadService, ActionService);
  const [kind, setKind] = useState(ActivityKind.CALL);
  const [direction, setDirection] = useState(ContactDirection.OUTBOUND);
  const [content, setContent] = useState("");
  const record = useMutation(LeadService.method.recordActivity, {
    onSuccess: () => {
      setContent("");
      refresh();
    },
  });
  const errors = fieldErrors(record.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    record.mutate({ leadId: lead.id, kind, direction, content });
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby="record">
      <h2 id="record">{t("lead.record")}</h2>
      {Object.keys(errors).length === 0 && <ErrorBanner error={record.error} />}
      <div className="grid">
        <Field label={t("lead.kind")} error={errors["kind"]}>
          {(p) => (
            <select {...p} value={kind} onChange={(e) => setKind(Number(e.target.value))}>
              <KindOptions kinds={kinds} />
            </select>
          )}
        </Field>
        <Field label={t("lead.direction")} error={errors["direction"]}>
          {(p) => (
            <select {...p} value={direction} onChange={(e) => setDirection(Number(e.target.value))}>
              <option value={ContactDirection.OUTBOUND}>{t("lead.outbound")}</option>
              <option value={ContactDirection.INBOUND}>{t("lead.inbound")}</option>
            </select>
          )}
        </Field>
      </div>
      <Field label={t("lead.content")} error={errors["content"]}>
        {(p) => <textarea {...p} rows={3} value={content} onChange={(e) => setContent(e.target.value)} />}
      </Field>
      <button type="submit" className="primary" disabled={record.isPending}>
        {t("lead.recordSubmit")}
      </button>
    </form>
  );
}

function StatusAndClosure({ lead }: { lead: Lead }) {
  const { t } = useI18n();
  const refresh = useRefresh(LeadService, ActionService);
  const statuses = useQuery(StatusService.method.listStatuses, {});
  const [statusId, setStatusId] = useState(lead.statusId);
  const update = useMutation(LeadService.method.updateLead, { onSuccess: refresh });
  const closed = update.data?.lead;
  const refused = update.error && errorCode(update.error) === Code.FailedPrecondition;
  const forLeads = (statuses.data?.statuses ?? []).filter(
    (s) => !s.archiveTime && (s.appliesTo === StatusScope.LEADS || s.appliesTo === StatusScope.BOTH),
  );
  return (
    <section className="card" aria-labelledby="status">
      <h2 id="status">{t("lead.status")}</h2>
      {refused ? (
        <p className="banner error" role="alert">
          {t("lead.refused", { message: errorMessage(update.error) })}
        </p>
      ) : (
        <ErrorBanner error={update.error ?? statuses.error} />
      )}
      {closed?.improperClosureTime && (
        <p className="banner warn" role="alert">
          {t("lead.improper", { count: closed.closureContacts })}
        </p>
      )}
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          update.mutate({ leadId: lead.id, statusId });
        }}
      >
        <Field label={t("lead.status")}>
          {(p) => (
            <select {...p} value={statusId} onChange={(e) => setStatusId(e.target.value)}>
              <option value="">{t("lead.statusNone")}</option>
              {forLeads.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <button type="submit" disabled={update.isPending}>
          {t("lead.setStatus")}
        </button>
      </form>
      {lead.stage === LeadStage.OPEN && (
        <div className="row">
          <button type="button" disabled={update.isPending} onClick={() => update.mutate({ leadId: lead.id, stage: LeadStage.WON })}>
            {t("lead.win")}
          </button>
          <button type="button" className="danger" disabled={update.isPending} onClick={() => update.mutate({ leadId: lead.id, stage: LeadStage.REJECTED })}>
            {t("lead.reject")}
          </button>
        </div>
      )}
    </section>
  );
}

function Timeline({ leadId, zone }: { leadId: string; zone: string }) {
  const { t, lang } = useI18n();
  const activities = useQuery(LeadService.method.listActivities, { leadId });
  // Skipped calls leave no activity; the lead's call history has them with their reason.
  const calls = useQuery(StatusService.method.listScheduledCalls, { leadId, state: CallState.DONE }, { retry: false });
  const at = (d: Date | undefined) => formatDateTime(d, zone, lang);
  const entries = [
    ...(activities.data?.activities ?? []).map((a) => {
      const when = instant(a.doneTime ?? a.dueTime ?? a.createTime);
      return {
        id: a.id,
        when,
        kind: a.kind,
        what: t(`activity.${a.state}` as MessageKey, { at: at(when) }),
        extra: [a.origin === ActivityOrigin.SYSTEM && t("activity.system"), a.direction === ContactDirection.INBOUND && t("lead.inbound")],
        content: a.content,
      };
    }),
    ...(calls.data?.calls ?? [])
      .flatMap((c) => (c.action?.state === ActionState.SKIPPED ? [c.action] : []))
      .map((a) => {
        const when = instant(a.doneTime);
        return { id: a.id, when, kind: a.kind, what: t("activity.3", { at: at(when) }), extra: [], content: a.outcome };
      }),
  ].sort((x, y) => (y.when?.getTime() ?? 0) - (x.when?.getTime() ?? 0));
  return (
    <section className="card" aria-labelledby="timeline">
      <h2 id="timeline">{t("lead.timeline")}</h2>
      <ErrorBanner error={activities.error} />
      {activities.isPending ? (
        <Loading />
      ) : entries.length === 0 ? (
        <p className="muted">{t("lead.timelineEmpty")}</p>
      ) : (
        <ol className="timeline">
          {entries.map((e) => (
            <li key={e.id}>
              <strong>{t(`kind.${e.kind}` as MessageKey)}</strong>{" "}
              <span className="muted">{[e.what, ...e.extra.filter(Boolean)].join(" · ")}</span>
              {e.content && <p>{e.content}</p>}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function Deliveries({ leadId, zone }: { leadId: string; zone: string }) {
  const { t, lang } = useI18n();
  const deliveries = useQuery(LeadService.method.listDeliveries, { leadId });
  const list = deliveries.data?.deliveries ?? [];
  return (
    <section className="card" aria-labelledby="deliveries">
      <h2 id="deliveries">{t("lead.deliveries")}</h2>
      <ErrorBanner error={deliveries.error} />
      {deliveries.isPending ? (
        <Loading />
      ) : list.length === 0 ? (
        <p className="muted">{t("lead.deliveriesEmpty")}</p>
      ) : (
        <ul className="timeline">
          {list.map((d) => (
            <li key={d.id}>
              <strong>{d.channel === "sms" ? "SMS" : "E-mail"}</strong> {d.subject}{" "}
              <span className="muted">
                → {d.recipient} · {t(`delivery.${d.state}` as MessageKey)} · {formatDateTime(instant(d.sentTime ?? d.createTime), zone, lang)}
              </span>
              {(d.from || d.replyTo) && (
                <p className="muted">{[d.from && t("lead.deliveryFrom", { from: d.from }), d.replyTo && t("lead.deliveryReplyTo", { to: d.replyTo })].filter(Boolean).join(" · ")}</p>
              )}
              {d.attachmentNames.length > 0 && <p className="muted">{t("lead.deliveryFiles", { files: d.attachmentNames.join(", ") })}</p>}
              {d.lastError && <p className="muted">{d.lastError}</p>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
