// Distribution rules (admins write, managers read): who gets a lead created without an assignee —
// the scope of each rule (organisation, site, source, or a source at a site), its strategy, the
// advisors' weights, the cap of open leads, the calendar condition and the lead timer. The API
// decides which rule applies and checks every value; its violations show next to their fields.
import { type FormEvent, useState } from "react";
import { useMutation, useQuery } from "@connectrpc/connect-query";
import { type DistributionRule, DistributionService, DistributionStrategy } from "@relance/api/relance/v1/distribution_pb";
import { TeamService } from "@relance/api/relance/v1/team_pb";
import { Role, type Site, type User } from "@relance/api/relance/v1/types_pb";
import { useMe } from "../auth/me";
import { DeleteButton } from "../forms/delete";
import { ErrorBanner, Field } from "../forms/field";
import { useEditorSaves } from "../forms/editor";
import { int } from "../forms/number";
import { ListTable } from "../layout/table";
import { useI18n } from "../i18n/i18n";
import type { MessageKey } from "../i18n/fr";
import { useRefresh } from "../transport/invalidate";

const strategies = [DistributionStrategy.ROUND_ROBIN, DistributionStrategy.LEAST_LOADED, DistributionStrategy.FIXED, DistributionStrategy.MANAGER];

/** weighted reports whether a strategy shares leads among advisors, so weights mean something. */
const weighted = (s: DistributionStrategy) => s === DistributionStrategy.ROUND_ROBIN || s === DistributionStrategy.LEAST_LOADED;

export function DistributionPage() {
  const { t } = useI18n();
  const admin = useMe().role === Role.ADMIN;
  const rules = useQuery(DistributionService.method.listDistributionRules, {});
  const sites = useQuery(TeamService.method.listSites, {});
  const users = useQuery(TeamService.method.listUsers, { role: Role.ADVISOR });
  const refresh = useRefresh(DistributionService);
  const remove = useMutation(DistributionService.method.deleteDistributionRule, { onSuccess: refresh });
  const [editing, setEditing] = useState("");
  const list = rules.data?.rules ?? [];
  const siteList = sites.data?.sites ?? [];
  const advisors = users.data?.users ?? [];
  const rule = list.find((r) => r.id === editing);
  const siteName = (id: string) => siteList.find((s) => s.id === id)?.name ?? id;
  const advisorName = (id: string) => advisors.find((u) => u.id === id)?.displayName ?? id;
  const scope = (r: DistributionRule) =>
    r.siteId && r.source
      ? t("distribution.scope.siteSource", { site: siteName(r.siteId), source: r.source })
      : r.source
        ? t("distribution.scope.source", { source: r.source })
        : r.siteId
          ? t("distribution.scope.site", { site: siteName(r.siteId) })
          : t("distribution.scope.organization");
  return (
    <>
      <h1>{t("distribution.title")}</h1>
      <p>{t("distribution.explain")}</p>
      <ErrorBanner error={rules.error ?? sites.error ?? users.error ?? remove.error} />
      <ListTable
        pending={rules.isPending}
        empty={list.length === 0 && t("distribution.empty")}
        label={t("distribution.list")}
        headers={[t("distribution.scope"), t("distribution.strategy"), t("distribution.advisors"), t("distribution.cap"), t("distribution.calendar"), t("distribution.timer"), ...(admin ? [t("distribution.actions")] : [])]}
      >
        {list.map((r) => (
          <tr key={r.id}>
            <th scope="row">{scope(r)}</th>
            <td>{t(`distribution.strategy.${r.strategy}` as MessageKey)}</td>
            <td className="wrap">
              {r.strategy === DistributionStrategy.FIXED
                ? advisorName(r.fixedAdvisorId)
                : r.weights.length > 0
                  ? r.weights.map((w) => t("distribution.weightOf", { name: advisorName(w.advisorId), weight: w.weight })).join(", ")
                  : t("common.none")}
            </td>
            <td>{r.maxOpenLeads > 0 ? t("distribution.capOf", { count: r.maxOpenLeads }) : t("distribution.noCap")}</td>
            <td>{r.calendarWithinMinutes === undefined ? t("common.none") : t("distribution.calendarOf", { minutes: r.calendarWithinMinutes })}</td>
            <td>{r.moveAfterMinutes === undefined ? t("common.none") : t("distribution.timerOf", { minutes: r.moveAfterMinutes, moves: r.maxMoves })}</td>
            {admin && (
              <td>
                <div className="row">
                  <button type="button" className="link" aria-label={t("distribution.editNamed", { scope: scope(r) })} onClick={() => setEditing(r.id)}>
                    {t("common.edit")}
                  </button>
                  <DeleteButton
                    label={t("distribution.deleteNamed", { scope: scope(r) })}
                    confirm={t("distribution.confirmDelete", { scope: scope(r) })}
                    pending={remove.isPending}
                    onDelete={() => remove.mutate({ ruleId: r.id })}
                  />
                </div>
              </td>
            )}
          </tr>
        ))}
      </ListTable>
      {admin && !sites.isPending && !users.isPending && (
        <RuleForm key={rule?.id ?? "new"} rule={rule} sites={siteList} advisors={advisors} onDone={() => setEditing("")} />
      )}
    </>
  );
}

/** RuleForm adds a rule, or replaces rule when given. */
function RuleForm({ rule, sites, advisors, onDone }: { rule: DistributionRule | undefined; sites: Site[]; advisors: User[]; onDone: () => void }) {
  const { t } = useI18n();
  const refresh = useRefresh(DistributionService);
  const [siteId, setSiteId] = useState(rule?.siteId ?? "");
  const [source, setSource] = useState(rule?.source ?? "");
  const [strategy, setStrategy] = useState(rule?.strategy || DistributionStrategy.ROUND_ROBIN);
  const [fixed, setFixed] = useState(rule?.fixedAdvisorId ?? "");
  const [weights, setWeights] = useState<Record<string, string>>(() => Object.fromEntries((rule?.weights ?? []).map((w) => [w.advisorId, String(w.weight)])));
  const [cap, setCap] = useState(String(rule?.maxOpenLeads ?? 0));
  const [calendarOn, setCalendarOn] = useState(rule?.calendarWithinMinutes !== undefined);
  const [calendar, setCalendar] = useState(String(rule?.calendarWithinMinutes ?? 30));
  const [timerOn, setTimerOn] = useState(rule?.moveAfterMinutes !== undefined);
  const [moveAfter, setMoveAfter] = useState(String(rule?.moveAfterMinutes ?? 30));
  const [moves, setMoves] = useState(String(rule?.maxMoves || 2));
  const reset = () => {
    setSiteId("");
    setSource("");
    setStrategy(DistributionStrategy.ROUND_ROBIN);
    setFixed("");
    setWeights({});
    setCap("0");
    setCalendarOn(false);
    setTimerOn(false);
  };
  const {
    create: createRule,
    update: updateRule,
    save,
    errors,
  } = useEditorSaves(
    { create: DistributionService.method.createDistributionRule, update: DistributionService.method.updateDistributionRule },
    !!rule,
    { reset, refresh, onDone },
  );
  // The advisors a rule may weigh or name: those of its site, or everyone's for a wider rule.
  const eligible = advisors.filter((u) => u.active && (siteId === "" || u.siteIds.includes(siteId)));
  // Weights go in the advisors' order, so a violation's index finds its advisor.
  const sent = weighted(strategy) ? eligible.filter((u) => (weights[u.id] ?? "").trim() !== "") : [];
  const weightError = (id: string) => {
    const i = sent.findIndex((u) => u.id === id);
    return i < 0 ? undefined : (errors[`rule.weights[${i}].weight`] ?? errors[`rule.weights[${i}].advisor_id`]);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const spec = {
      siteId,
      source: source.trim(),
      strategy,
      fixedAdvisorId: strategy === DistributionStrategy.FIXED ? fixed : "",
      weights: sent.map((u) => ({ advisorId: u.id, weight: int(weights[u.id] ?? "") })),
      maxOpenLeads: int(cap),
      calendarWithinMinutes: calendarOn ? int(calendar) : undefined,
      moveAfterMinutes: timerOn ? int(moveAfter) : undefined,
      maxMoves: timerOn ? int(moves) : 0,
    };
    if (rule) updateRule.mutate({ ruleId: rule.id, rule: spec });
    else createRule.mutate({ rule: spec });
  };
  const shown = Object.keys(errors).length > 0;
  return (
    <form className="card" onSubmit={submit} aria-labelledby="rule-form">
      <h2 id="rule-form">{rule ? t("distribution.editTitle") : t("distribution.create")}</h2>
      {!shown && <ErrorBanner error={save.error} />}
      {save.isSuccess && (
        <p className="banner ok" role="status">
          {t("common.saved")}
        </p>
      )}
      <div className="grid">
        <Field label={t("distribution.site")} error={errors["rule.site_id"]}>
          {(p) => (
            <select {...p} value={siteId} onChange={(e) => setSiteId(e.target.value)}>
              <option value="">{t("distribution.everySite")}</option>
              {sites.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t("distribution.source")} error={errors["rule.source"]}>
          {(p) => <input {...p} placeholder={t("distribution.everySource")} value={source} onChange={(e) => setSource(e.target.value)} />}
        </Field>
        <Field label={t("distribution.strategy")} error={errors["rule.strategy"]}>
          {(p) => (
            <select {...p} value={strategy} onChange={(e) => setStrategy(Number(e.target.value))}>
              {strategies.map((s) => (
                <option key={s} value={s}>
                  {t(`distribution.strategy.${s}` as MessageKey)}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <p className="muted">{t(`distribution.strategyNote.${strategy}` as MessageKey)}</p>
      {strategy === DistributionStrategy.FIXED && (
        <Field label={t("distribution.fixed")} error={errors["rule.fixed_advisor_id"]}>
          {(p) => (
            <select {...p} value={fixed} onChange={(e) => setFixed(e.target.value)}>
              <option value="">{t("distribution.chooseAdvisor")}</option>
              {eligible.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.displayName}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      {weighted(strategy) && (
        <fieldset aria-invalid={!!errors["rule.weights"]} aria-describedby={errors["rule.weights"] ? "weights-error" : undefined}>
          <legend>{t("distribution.weights")}</legend>
          <p className="muted">{t("distribution.weightsNote")}</p>
          {eligible.length === 0 ? (
            <p className="muted">{t("distribution.noAdvisors")}</p>
          ) : (
            <div className="grid">
              {eligible.map((u) => (
                <Field key={u.id} label={t("distribution.weightLabel", { name: u.displayName })} error={weightError(u.id)}>
                  {(p) => (
                    <input {...p} type="number" step={1} placeholder="1" value={weights[u.id] ?? ""} onChange={(e) => setWeights((w) => ({ ...w, [u.id]: e.target.value }))} />
                  )}
                </Field>
              ))}
            </div>
          )}
          {errors["rule.weights"] && (
            <p className="field-error" id="weights-error" role="alert">
              {errors["rule.weights"]}
            </p>
          )}
        </fieldset>
      )}
      <Field label={t("distribution.capLabel")} error={errors["rule.max_open_leads"]}>
        {(p) => <input {...p} type="number" step={1} value={cap} onChange={(e) => setCap(e.target.value)} />}
      </Field>
      <label className="check">
        <input type="checkbox" checked={calendarOn} onChange={(e) => setCalendarOn(e.target.checked)} />
        {t("distribution.calendarOn")}
      </label>
      {calendarOn && (
        <Field label={t("distribution.calendarLabel")} error={errors["rule.calendar_within_minutes"]}>
          {(p) => <input {...p} type="number" step={1} value={calendar} onChange={(e) => setCalendar(e.target.value)} />}
        </Field>
      )}
      <label className="check">
        <input type="checkbox" checked={timerOn} onChange={(e) => setTimerOn(e.target.checked)} />
        {t("distribution.timerOn")}
      </label>
      {timerOn && (
        <div className="grid">
          <Field label={t("distribution.moveAfter")} error={errors["rule.move_after_minutes"]}>
            {(p) => <input {...p} type="number" step={1} value={moveAfter} onChange={(e) => setMoveAfter(e.target.value)} />}
          </Field>
          <Field label={t("distribution.maxMoves")} error={errors["rule.max_moves"]}>
            {(p) => <input {...p} type="number" step={1} value={moves} onChange={(e) => setMoves(e.target.value)} />}
          </Field>
        </div>
      )}
      <div className="row">
        <button type="submit" className="primary" disabled={save.isPending}>
          {rule ? t("common.save") : t("distribution.submit")}
        </button>
        {rule && (
          <button type="button" onClick={onDone}>
            {t("common.cancel")}
          </button>
        )}
      </div>
    </form>
  );
}
