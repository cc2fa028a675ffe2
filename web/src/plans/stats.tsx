// Per-step effectiveness of a follow-up plan (PlanService.GetPlanStats): what each step did and
// how many leads answered or were won after it, and the messages of manual email and SMS steps
// (sent when carried out) by outcome.
import { useState } from "react";
import { useQuery } from "@connectrpc/connect-query";
import { PlanService } from "@relance/api/relance/v1/plan_pb";
import { ErrorBanner, Field, Loading } from "../forms/field";
import { formatCount } from "../format/format";
import { useI18n } from "../i18n/i18n";
import type { MessageKey } from "../i18n/fr";
import { ListTable } from "../layout/table";

export function PlanStats() {
  const { t, lang } = useI18n();
  const plans = useQuery(PlanService.method.listPlans, {}, { staleTime: 60_000 });
  const [chosen, setChosen] = useState("");
  const [windowDays, setWindowDays] = useState(7);
  const list = plans.data?.plans ?? [];
  const planId = chosen || list[0]?.id || "";
  const plan = list.find((p) => p.id === planId);
  const stats = useQuery(PlanService.method.getPlanStats, { planId, windowDays }, { enabled: planId !== "" });
  return (
    <>
      <h1>{t("mgr.plansTitle")}</h1>
      <ErrorBanner error={plans.error} />
      {plans.isPending ? (
        <Loading />
      ) : list.length === 0 ? (
        <p className="muted">{t("mgr.noPlan")}</p>
      ) : (
        <>
          <div className="card grid">
            <Field label={t("mgr.plan")}>
              {(p) => (
                <select {...p} value={planId} onChange={(e) => setChosen(e.target.value)}>
                  {list.map((pl) => (
                    <option key={pl.id} value={pl.id}>
                      {pl.name}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label={t("mgr.windowDays")}>
              {(p) => (
                <input {...p} type="number" min={1} max={365} value={windowDays} onChange={(e) => setWindowDays(Math.min(365, Math.max(1, Number(e.target.value) || 1)))} />
              )}
            </Field>
          </div>
          <ErrorBanner error={stats.error} />
          <ListTable
            pending={stats.isPending}
            empty={false}
            label={t("mgr.planCaption", { name: plan?.name ?? "", days: windowDays })}
            headers={[
              t("mgr.step"),
              t("mgr.executed"),
              t("mgr.skipped"),
              t("mgr.failed"),
              t("mgr.pending"),
              t("mgr.cancelled"),
              t("mgr.answered"),
              t("mgr.won"),
              t("mgr.sent"),
              t("mgr.notDelivered"),
              t("mgr.queued"),
            ]}
          >
            {(stats.data?.steps ?? []).map((s) => {
              const kind = plan?.steps[s.step]?.kind; // steps count from 0
              return (
                <tr key={s.step}>
                  <th scope="row">{kind ? t("mgr.stepOf", { n: s.step + 1, kind: t(`kind.${kind}` as MessageKey) }) : t("mgr.stepN", { n: s.step + 1 })}</th>
                  <td>{formatCount(s.executed, lang)}</td>
                  <td>{formatCount(s.skipped, lang)}</td>
                  <td>{formatCount(s.failed, lang)}</td>
                  <td>{formatCount(s.pending, lang)}</td>
                  <td>{formatCount(s.cancelled, lang)}</td>
                  <td>{formatCount(s.answered, lang)}</td>
                  <td>{formatCount(s.won, lang)}</td>
                  <td>{formatCount(s.sent, lang)}</td>
                  <td>{formatCount(s.notDelivered, lang)}</td>
                  <td>{formatCount(s.queued, lang)}</td>
                </tr>
              );
            })}
          </ListTable>
        </>
      )}
    </>
  );
}
