// Cadence rules (admins): how hard a lead must be tried — calls a day over its first working
// days, contacts before it may be rejected, the length of a successful touch, what a closure
// below the rule does — for the organisation, a site or a source; the most specific applies.
import { type FormEvent, useState } from "react";
import { useMutation, useQuery } from "@connectrpc/connect-query";
import { type CadenceRule, CallService, ClosureGuard } from "@relance/api/relance/v1/call_pb";
import { TeamService } from "@relance/api/relance/v1/team_pb";
import { ErrorBanner, Field, Loading } from "../forms/field";
import { int } from "../forms/number";
import { formatDuration, seconds } from "../format/format";
import { useI18n } from "../i18n/i18n";
import type { MessageKey } from "../i18n/fr";
import { useRefresh } from "../transport/invalidate";
import { fieldErrors } from "../transport/transport";

type Scope = "organization" | "site" | "source";

export function CadenceRules() {
  const { t, lang } = useI18n();
  const rules = useQuery(CallService.method.listCadenceRules, {});
  const sites = useQuery(TeamService.method.listSites, {});
  const refresh = useRefresh(CallService);
  const remove = useMutation(CallService.method.deleteCadenceRule, { onSuccess: refresh });
  const siteName = new Map((sites.data?.sites ?? []).map((s) => [s.id, s.name]));
  const scopeOf = (r: CadenceRule) => (r.source ? t("cadence.ofSource", { source: r.source }) : r.siteId ? t("cadence.ofSite", { site: siteName.get(r.siteId) ?? "—" }) : t("cadence.ofOrganization"));
  const describe = (r: CadenceRule) =>
    t("cadence.describe", {
      attempts: r.attemptsPerDay,
      days: r.days,
      contacts: r.minContacts,
      touch: formatDuration(seconds(r.successfulTouch) ?? 30, lang),
      guard: t(`cadence.guard.${r.closureGuard}` as MessageKey),
    });
  const fallback = rules.data?.defaultRule;
  return (
    <section className="card" aria-labelledby="cadence">
      <h2 id="cadence">{t("cadence.title")}</h2>
      <ErrorBanner error={rules.error ?? remove.error} />
      {rules.isPending ? (
        <Loading />
      ) : (
        <ul className="list">
          {fallback && (
            <li>
              <strong>{t("cadence.default")}</strong> {describe(fallback)}
            </li>
          )}
          {(rules.data?.rules ?? []).map((r) => (
            <li key={`${r.siteId}/${r.source}`} className="row">
              <span>
                <strong>{scopeOf(r)}</strong> {describe(r)}
              </span>
              <button
                type="button"
                className="link"
                disabled={remove.isPending}
                aria-label={t("cadence.removeNamed", { scope: scopeOf(r) })}
                onClick={() => remove.mutate({ siteId: r.siteId, source: r.source })}
              >
                {t("common.remove")}
              </button>
            </li>
          ))}
        </ul>
      )}
      <SetRule />
    </section>
  );
}

/** SetRule sets the rule of one scope, replacing the one it had. */
function SetRule() {
  const { t } = useI18n();
  const refresh = useRefresh(CallService);
  const sites = useQuery(TeamService.method.listSites, {});
  const [scope, setScope] = useState<Scope>("organization");
  const [siteId, setSiteId] = useState("");
  const [source, setSource] = useState("");
  const [attempts, setAttempts] = useState("3");
  const [days, setDays] = useState("3");
  const [contacts, setContacts] = useState("3");
  const [touch, setTouch] = useState("30");
  const [guard, setGuard] = useState<ClosureGuard>(ClosureGuard.FLAG);
  const set = useMutation(CallService.method.setCadenceRule, { onSuccess: refresh });
  const errors = fieldErrors(set.error);
  const list = sites.data?.sites ?? [];
  const submit = (e: FormEvent) => {
    e.preventDefault();
    set.mutate({
      rule: {
        siteId: scope === "site" ? siteId || (list[0]?.id ?? "") : "",
        source: scope === "source" ? source : "",
        attemptsPerDay: int(attempts),
        days: int(days),
        minContacts: int(contacts),
        successfulTouch: { seconds: BigInt(int(touch)) },
        closureGuard: guard,
      },
    });
  };
  return (
    <form onSubmit={submit} aria-labelledby="set-rule">
      <h3 id="set-rule">{t("cadence.set")}</h3>
      {Object.keys(errors).length === 0 && <ErrorBanner error={set.error} />}
      {set.isSuccess && (
        <p className="banner ok" role="status">
          {t("common.saved")}
        </p>
      )}
      <div className="grid">
        <Field label={t("cadence.scope")}>
          {(p) => (
            <select {...p} value={scope} onChange={(e) => setScope(e.target.value as Scope)}>
              <option value="organization">{t("cadence.ofOrganization")}</option>
              <option value="site">{t("cadence.scopeSite")}</option>
              <option value="source">{t("cadence.scopeSource")}</option>
            </select>
          )}
        </Field>
        {scope === "site" && (
          <Field label={t("cadence.site")} error={errors["rule.site_id"]}>
            {(p) => (
              <select {...p} value={siteId || (list[0]?.id ?? "")} onChange={(e) => setSiteId(e.target.value)}>
                {list.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        {scope === "source" && (
          <Field label={t("cadence.source")} error={errors["rule.source"]}>
            {(p) => <input {...p} maxLength={100} value={source} onChange={(e) => setSource(e.target.value)} />}
          </Field>
        )}
      </div>
      <div className="grid">
        <Field label={t("cadence.attempts")} error={errors["rule.attempts_per_day"]}>
          {(p) => <input {...p} type="number" step={1} value={attempts} onChange={(e) => setAttempts(e.target.value)} />}
        </Field>
        <Field label={t("cadence.days")} error={errors["rule.days"]}>
          {(p) => <input {...p} type="number" step={1} value={days} onChange={(e) => setDays(e.target.value)} />}
        </Field>
        <Field label={t("cadence.contacts")} error={errors["rule.min_contacts"]}>
          {(p) => <input {...p} type="number" step={1} value={contacts} onChange={(e) => setContacts(e.target.value)} />}
        </Field>
        <Field label={t("cadence.touch")} error={errors["rule.successful_touch"]}>
          {(p) => <input {...p} type="number" step={1} value={touch} onChange={(e) => setTouch(e.target.value)} />}
        </Field>
        <Field label={t("cadence.guard")} error={errors["rule.closure_guard"]}>
          {(p) => (
            <select {...p} value={guard} onChange={(e) => setGuard(Number(e.target.value))}>
              <option value={ClosureGuard.FLAG}>{t("cadence.guard.1")}</option>
              <option value={ClosureGuard.REFUSE}>{t("cadence.guard.2")}</option>
            </select>
          )}
        </Field>
      </div>
      <button type="submit" className="primary" disabled={set.isPending}>
        {t("cadence.submit")}
      </button>
    </form>
  );
}
