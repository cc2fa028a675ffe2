// The response-time widget: leads received in the last hours, those answered, their average
// business response time, those still waiting, and repeat inquiries apart (ReportService.Dashboard),
// for one category and one business unit or all.
import { useState } from "react";
import { useQuery } from "@connectrpc/connect-query";
import { ReportService } from "@relance/api/relance/v1/report_pb";
import { ReminderService } from "@relance/api/relance/v1/reminder_pb";
import { TeamService } from "@relance/api/relance/v1/team_pb";
import { Category } from "@relance/api/relance/v1/types_pb";
import { ErrorBanner, Field, Loading } from "../forms/field";
import { formatCount, formatDuration, seconds } from "../format/format";
import { useI18n } from "../i18n/i18n";
import { UnitField } from "../units/units";
import { dashboardInput, periods } from "./dashboard-query";
import { CategoryField } from "./controls";

export function Dashboard() {
  const { t, lang } = useI18n();
  const [hours, setHours] = useState(periods[0] ?? 12);
  const [category, setCategory] = useState(Category.UNSPECIFIED);
  const [unitId, setUnitId] = useState("");
  const dash = useQuery(ReportService.method.dashboard, dashboardInput(hours, category, unitId), { refetchInterval: 60_000 });
  const d = dash.data;
  return (
    <>
      <h1>{t("dashboard.title")}</h1>
      <section className="card" aria-labelledby="widget">
        <h2 id="widget">{t("dashboard.widget")}</h2>
        <Field label={t("dashboard.period")}>
          {(p) => (
            <select {...p} value={hours} onChange={(e) => setHours(Number(e.target.value))}>
              {periods.map((h) => (
                <option key={h} value={h}>
                  {t("dashboard.hours", { hours: h })}
                </option>
              ))}
            </select>
          )}
        </Field>
        <CategoryField value={category} onChange={setCategory} />
        <UnitField value={unitId} onChange={setUnitId} />
        <ErrorBanner error={dash.error} />
        {!d ? (
          <Loading />
        ) : (
          <dl className="figures" aria-busy={dash.isFetching}>
            <div>
              <dt>{t("dashboard.received")}</dt>
              <dd data-figure="received">{formatCount(d.received, lang)}</dd>
            </div>
            <div>
              <dt>{t("dashboard.answered")}</dt>
              <dd data-figure="answered">{formatCount(d.answered, lang)}</dd>
            </div>
            <div>
              <dt>{t("dashboard.average")}</dt>
              <dd data-figure="average">{formatDuration(seconds(d.averageResponse), lang)}</dd>
            </div>
            <div>
              <dt>{t("dashboard.waiting")}</dt>
              <dd data-figure="waiting">{formatCount(d.waiting, lang)}</dd>
            </div>
            <div>
              <dt>{t("dashboard.repeats")}</dt>
              <dd data-figure="repeats">{formatCount(d.repeats, lang)}</dd>
            </div>
          </dl>
        )}
      </section>
      <LateCounts />
    </>
  );
}

/** LateCounts lists, per advisor the manager sees, the open leads that are late (ListLateCounts). */
function LateCounts() {
  const { t, lang } = useI18n();
  const counts = useQuery(ReminderService.method.listLateCounts, {}, { refetchInterval: 60_000 });
  const users = useQuery(TeamService.method.listUsers, {}, { staleTime: 5 * 60_000 });
  const nameOf = (id: string) => users.data?.users.find((u) => u.id === id)?.displayName ?? "—";
  const list = [...(counts.data?.counts ?? [])].sort((a, b) => b.late - a.late);
  return (
    <section className="card" aria-labelledby="late">
      <h2 id="late">{t("dashboard.lateTitle")}</h2>
      <ErrorBanner error={counts.error} />
      {counts.isPending ? (
        <Loading />
      ) : list.length === 0 ? (
        <p className="muted">{t("dashboard.lateEmpty")}</p>
      ) : (
        <div className="table-scroll" tabIndex={0} role="region" aria-labelledby="late">
          <table aria-labelledby="late">
            <thead>
              <tr>
                <th scope="col">{t("dashboard.advisor")}</th>
                <th scope="col">{t("dashboard.late")}</th>
                <th scope="col">{t("dashboard.open")}</th>
              </tr>
            </thead>
            <tbody>
              {list.map((c) => (
                <tr key={c.advisorId} className={c.late > 0 ? "late" : undefined}>
                  <th scope="row">{nameOf(c.advisorId)}</th>
                  <td>{formatCount(c.late, lang)}</td>
                  <td>{formatCount(c.open, lang)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
