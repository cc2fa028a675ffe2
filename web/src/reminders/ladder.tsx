// Reminder ladder (admins): per site, the rungs that chase an untreated lead — each after a delay
// of business hours, telling the advisor and, as an escalation, their manager, by email or SMS.
// Saved in one SetReminderPolicy; the API's violations appear next to the rung field they name.
import { type FormEvent, useEffect, useState } from "react";
import { useMutation, useQuery } from "@connectrpc/connect-query";
import { Channel, Recipient, ReminderService, type ReminderRung } from "@relance/api/relance/v1/reminder_pb";
import { TeamService } from "@relance/api/relance/v1/team_pb";
import { CheckGroup } from "../forms/checks";
import { ErrorBanner, Field, Loading } from "../forms/field";
import { seconds } from "../format/format";
import { useI18n } from "../i18n/i18n";
import { SiteSelect } from "../sites/site-select";
import { useRefresh } from "../transport/invalidate";
import { fieldErrors } from "../transport/transport";

/** Rung is a rung as typed: its delay in hours, as the person writes it. */
type Rung = { hours: string; recipients: Recipient[]; channels: Channel[] };

function typed(r: ReminderRung, lang: string): Rung {
  const h = (seconds(r.delay) ?? 0) / 3600;
  return { hours: h.toLocaleString(lang, { maximumFractionDigits: 2, useGrouping: false }), recipients: r.recipients, channels: r.channels };
}

/** delaySeconds reads hours typed with a comma or a point; 0 (refused by the API) when unreadable. */
function delaySeconds(hours: string): bigint {
  const h = Number(hours.replace(",", ".").trim());
  return Number.isFinite(h) && h > 0 ? BigInt(Math.round(h * 3600)) : 0n;
}

export function LadderPage() {
  const { t } = useI18n();
  const sites = useQuery(TeamService.method.listSites, {});
  const [siteId, setSiteId] = useState("");
  const list = sites.data?.sites ?? [];
  const site = list.find((s) => s.id === siteId) ?? list[0];
  return (
    <>
      <h1>{t("ladder.title")}</h1>
      <p className="muted">{t("ladder.intro")}</p>
      <ErrorBanner error={sites.error} />
      {sites.isPending ? <Loading /> : <SiteSelect label={t("sites.title")} sites={list} value={site?.id ?? ""} onChange={setSiteId} />}
      {site && <LadderEditor key={site.id} siteId={site.id} />}
    </>
  );
}

function LadderEditor({ siteId }: { siteId: string }) {
  const { t, lang } = useI18n();
  const policy = useQuery(ReminderService.method.getReminderPolicy, { siteId });
  const refresh = useRefresh(ReminderService);
  const [rungs, setRungs] = useState<Rung[]>([]);
  useEffect(() => setRungs((policy.data?.rungs ?? []).map((r) => typed(r, lang))), [policy.data, lang]);
  const save = useMutation(ReminderService.method.setReminderPolicy, { onSuccess: refresh });
  const errors = fieldErrors(save.error);
  const edit = (i: number, change: Partial<Rung>) => {
    save.reset();
    setRungs((rs) => rs.map((r, j) => (j === i ? { ...r, ...change } : r)));
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({ siteId, rungs: rungs.map((r) => ({ delay: { seconds: delaySeconds(r.hours) }, recipients: r.recipients, channels: r.channels })) });
  };
  if (policy.isPending) return <Loading />;
  return (
    <form className="card" onSubmit={submit} aria-labelledby="ladder">
      <h2 id="ladder">{t("ladder.rungs")}</h2>
      <ErrorBanner error={policy.error} />
      {Object.keys(errors).length === 0 && <ErrorBanner error={save.error} />}
      {save.isSuccess && (
        <p className="banner ok" role="status">
          {t("common.saved")}
        </p>
      )}
      {policy.data?.default && <p className="muted">{t("ladder.default")}</p>}
      {rungs.length === 0 && <p className="muted">{t("ladder.none")}</p>}
      {errors["rungs"] && (
        <p className="field-error" role="alert">
          {errors["rungs"]}
        </p>
      )}
      {rungs.map((r, i) => {
        const at = `rungs[${i}]`;
        return (
          <fieldset key={i} className="card">
            <legend>{t("ladder.rung", { n: i + 1 })}</legend>
            <Field label={i === 0 ? t("ladder.delayFirst") : t("ladder.delayNext")} error={errors[`${at}.delay`]}>
              {(p) => <input {...p} inputMode="decimal" size={6} value={r.hours} onChange={(e) => edit(i, { hours: e.target.value })} />}
            </Field>
            <CheckGroup
              legend={t("ladder.recipients")}
              options={[
                { value: Recipient.ADVISOR, label: t("ladder.advisor") },
                { value: Recipient.MANAGER, label: t("ladder.manager") },
              ]}
              chosen={r.recipients}
              onChange={(recipients) => edit(i, { recipients })}
              error={errors[`${at}.recipients`]}
            />
            <CheckGroup
              legend={t("ladder.channels")}
              options={[
                { value: Channel.EMAIL, label: t("channel.email") },
                { value: Channel.SMS, label: t("channel.sms") },
              ]}
              chosen={r.channels}
              onChange={(channels) => edit(i, { channels })}
              error={errors[`${at}.channels`]}
            />
            <button type="button" className="link" onClick={() => setRungs((rs) => rs.filter((_, j) => j !== i))}>
              {t("ladder.remove", { n: i + 1 })}
            </button>
          </fieldset>
        );
      })}
      <div className="row">
        <button type="button" onClick={() => setRungs((rs) => [...rs, { hours: "4", recipients: [Recipient.ADVISOR], channels: [Channel.EMAIL] }])}>
          {t("ladder.add")}
        </button>
        <button type="submit" className="primary" disabled={save.isPending}>
          {t("common.save")}
        </button>
      </div>
    </form>
  );
}
