// The compliance report: each advisor's days against the cadence rules (ReportService.ComplianceReport),
// and the same as CSV.
import { type FormEvent, useState } from "react";
import { useQuery } from "@connectrpc/connect-query";
import { ReportService } from "@relance/api/relance/v1/report_pb";
import { ErrorBanner, Loading } from "../forms/field";
import { daysAgo, formatCount, formatDay } from "../format/format";
import { useI18n } from "../i18n/i18n";
import { useSiteZone } from "../sites/zone";
import { fieldErrors } from "../transport/transport";
import { CsvButton, DayRange } from "./controls";

export function ComplianceReport() {
  const { t, lang } = useI18n();
  const zone = useSiteZone();
  const [form, setForm] = useState(() => ({ from: daysAgo(6, zone), to: daysAgo(0, zone) }));
  const [shown, setShown] = useState(form);
  const request = { fromDate: shown.from, toDate: shown.to };
  const report = useQuery(ReportService.method.complianceReport, request);
  const errors = fieldErrors(report.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setShown(form);
  };
  const rows = report.data?.rows ?? [];
  return (
    <>
      <h1>{t("mgr.complianceTitle")}</h1>
      <form className="card grid" onSubmit={submit}>
        <DayRange value={form} onChange={(d) => setForm({ ...form, ...d })} errors={{ from: errors["from_date"], to: errors["to_date"] }} />
        <div className="row">
          <button type="submit" className="primary">
            {t("reports.show")}
          </button>
          <CsvButton request={{ report: { case: "compliance", value: request } }} fileName={`compliance-${shown.from}-${shown.to}.csv`} />
        </div>
      </form>
      {Object.keys(errors).length === 0 && <ErrorBanner error={report.error} />}
      {report.isPending ? (
        <Loading />
      ) : rows.length === 0 ? (
        <p className="muted">{t("mgr.nothing")}</p>
      ) : (
        <div className="table-scroll" tabIndex={0} role="region" aria-labelledby="compliance-caption">
          <table>
            <caption id="compliance-caption">{t("mgr.complianceCaption", { from: shown.from, to: shown.to })}</caption>
            <thead>
              <tr>
                <th scope="col">{t("dashboard.advisor")}</th>
                <th scope="col">{t("mgr.day")}</th>
                <th scope="col">{t("mgr.inCadence")}</th>
                <th scope="col">{t("mgr.noAttempt")}</th>
                <th scope="col">{t("mgr.attempts")}</th>
                <th scope="col">{t("mgr.quota")}</th>
                <th scope="col">{t("mgr.touches")}</th>
                <th scope="col">{t("mgr.behind")}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={`${r.advisorId}-${r.date}`} className={r.behind > 0 || r.attempts < r.quota ? "late" : undefined}>
                  <th scope="row">{r.advisorName}</th>
                  <td data-day={r.date}>{formatDay(r.date, lang)}</td>
                  <td>{formatCount(r.inCadence, lang)}</td>
                  <td>{formatCount(r.noAttempt, lang)}</td>
                  <td>{formatCount(r.attempts, lang)}</td>
                  <td>{formatCount(r.quota, lang)}</td>
                  <td>{formatCount(r.successfulTouches, lang)}</td>
                  <td>{formatCount(r.behind, lang)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
