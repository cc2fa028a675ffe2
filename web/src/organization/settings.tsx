// Organisation settings (admins): its name, the daily digest on or off and its local time, the
// local time of automatic sends, the daily caps on messages to customers, and whose address the
// emails members send come from; beside them, the cadence rules.
import { type FormEvent, useEffect, useState } from "react";
import { useMutation, useQuery } from "@connectrpc/connect-query";
import { type Organization, SenderMode, TeamService } from "@relance/api/relance/v1/team_pb";
import { CadenceRules } from "../cadence/rules";
import { ErrorBanner, Field, Loading } from "../forms/field";
import { int } from "../forms/number";
import { useI18n } from "../i18n/i18n";
import { useRefresh } from "../transport/invalidate";
import { fieldErrors } from "../transport/transport";

export function OrganizationPage() {
  const { t } = useI18n();
  const org = useQuery(TeamService.method.getOrganization, {});
  return (
    <>
      <h1>{t("org.title")}</h1>
      <ErrorBanner error={org.error} />
      {org.data?.organization ? <SettingsForm org={org.data.organization} /> : org.isPending && <Loading />}
      <CadenceRules />
    </>
  );
}

function SettingsForm({ org }: { org: Organization }) {
  const { t } = useI18n();
  const refresh = useRefresh(TeamService);
  const typed = (o: Organization) => ({
    name: o.name,
    digestOn: o.digestEnabled,
    digestTime: o.digestTime,
    sendTime: o.sendTime,
    sms: String(o.smsDailyCap),
    email: String(o.emailDailyCap),
    recipient: String(o.recipientDailyCap),
    repeatDays: String(o.repeatDays),
    senderMode: (o.senderMode === SenderMode.UNSPECIFIED ? SenderMode.ORGANIZATION : o.senderMode) as SenderMode,
  });
  const [form, setForm] = useState(typed(org));
  useEffect(() => setForm(typed(org)), [org]);
  const save = useMutation(TeamService.method.updateOrganization, { onSuccess: refresh });
  const errors = fieldErrors(save.error);
  const change = (k: "name" | "digestTime" | "sendTime" | "sms" | "email" | "recipient" | "repeatDays") => (e: { target: { value: string } }) => {
    save.reset();
    setForm((f) => ({ ...f, [k]: e.target.value }));
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({
      name: form.name,
      digestEnabled: form.digestOn,
      digestTime: form.digestTime,
      sendTime: form.sendTime,
      smsDailyCap: int(form.sms),
      emailDailyCap: int(form.email),
      recipientDailyCap: int(form.recipient),
      repeatDays: int(form.repeatDays),
      senderMode: form.senderMode,
    });
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby="org-settings">
      <h2 id="org-settings">{t("org.settings")}</h2>
      {Object.keys(errors).length === 0 && <ErrorBanner error={save.error} />}
      {save.isSuccess && (
        <p className="banner ok" role="status">
          {t("common.saved")}
        </p>
      )}
      <Field label={t("org.name")} error={errors["name"]}>
        {(p) => <input {...p} maxLength={200} value={form.name} onChange={change("name")} />}
      </Field>
      <label className="check">
        <input
          type="checkbox"
          checked={form.digestOn}
          onChange={(e) => {
            save.reset();
            setForm((f) => ({ ...f, digestOn: e.target.checked }));
          }}
        />
        {t("org.digestOn")}
      </label>
      <p className="muted">{t("org.timesNote")}</p>
      <div className="grid">
        <Field label={t("org.digestTime")} error={errors["digest_time"]}>
          {(p) => <input {...p} inputMode="numeric" placeholder="08:00" size={5} value={form.digestTime} onChange={change("digestTime")} />}
        </Field>
        <Field label={t("org.sendTime")} error={errors["send_time"]}>
          {(p) => <input {...p} inputMode="numeric" placeholder="09:30" size={5} value={form.sendTime} onChange={change("sendTime")} />}
        </Field>
      </div>
      <h3>{t("org.caps")}</h3>
      <div className="grid">
        <Field label={t("org.smsCap")} error={errors["sms_daily_cap"]}>
          {(p) => <input {...p} type="number" step={1} value={form.sms} onChange={change("sms")} />}
        </Field>
        <Field label={t("org.emailCap")} error={errors["email_daily_cap"]}>
          {(p) => <input {...p} type="number" step={1} value={form.email} onChange={change("email")} />}
        </Field>
        <Field label={t("org.recipientCap")} error={errors["recipient_daily_cap"]}>
          {(p) => <input {...p} type="number" step={1} value={form.recipient} onChange={change("recipient")} />}
        </Field>
      </div>
      <Field label={t("org.repeatDays")} error={errors["repeat_days"]}>
        {(p) => <input {...p} type="number" step={1} value={form.repeatDays} onChange={change("repeatDays")} />}
      </Field>
      <p className="muted">{t("org.repeatNote")}</p>
      <Field label={t("org.senderMode")} error={errors["sender_mode"]}>
        {(p) => (
          <select
            {...p}
            value={form.senderMode}
            onChange={(e) => {
              save.reset();
              setForm((f) => ({ ...f, senderMode: Number(e.target.value) as SenderMode }));
            }}
          >
            <option value={SenderMode.ORGANIZATION}>{t("org.senderOrganization")}</option>
            <option value={SenderMode.MEMBER}>{t("org.senderMember")}</option>
          </select>
        )}
      </Field>
      <p className="muted">{t("org.senderNote")}</p>
      <button type="submit" className="primary" disabled={save.isPending}>
        {t("common.save")}
      </button>
    </form>
  );
}
