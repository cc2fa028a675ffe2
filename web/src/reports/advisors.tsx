// The advisor report: per advisor, open and late leads now, and in a period the reminders they
// were sent and their improper closures (ReportService.AdvisorReport); the same as CSV.
import { type FormEvent, useState } from "react";
import { useQuery } from "@connectrpc/connect-query";
import { ReportService } from "@relance/api/relance/v1/report_pb";
import { ErrorBanner, Loading } from "../forms/field";
import { daysAgo, formatCount } from "../format/format";
import { useI18n } from "../i18n/i18n";
import { useSiteZone } from "../sites/zone";
import { fieldErrors } from "../transport/transport";
import { CsvButton, DayRange, dayStart } from "./controls";

export function AdvisorReport() {
  const { t, lang } = useI18n();
  const zone = useSiteZone();
  const [form, setForm] = useState(() => ({ from: daysAgo(30, zone), to: daysAgo(-1, zone) }));
  const [shown, setShown] = useState(form);
  const request = { fromTime: dayStart(shown.from, zone), toTime: dayStart(shown.to, zone) };
  const report = useQuery(ReportService.method.advisorReport, request);
  const errors = fieldErrors(report.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setShown(form);
  };
  const rows = report.data?.rows ?? [];
  return (
    <>
      <h1>{t("mgr.advisorsTitle")}</h1>
      <form className="card grid" onSubmit={submit}>
        <DayRange value={form} onChange={(d) => setForm({ ...form, ...d })} errors={{ from: errors["from_time"], to: errors["to_time"] }} />
        <div className="row">
          <button type="submit" className="primary">
            {t("reports.show")}
          </button>
          <CsvButton request={{ report: { case: "advisors", value: request } }} fileName={`advisors-${shown.from}-${shown.to}.csv`} />
        </div>
      </form>
      {Object.keys(errors).length === 0 && <ErrorBanner error={report.error} />}
      {report.isPending ? (
        <Loading />
      ) : rows.length === 0 ? (
        <p className="muted">{t("mgr.nothing")}</p>
      ) : (
        <div className="table-scroll" tabIndex={0} role="region" aria-labelledby="advisors-caption">
          <table>
            <caption id="advisors-caption">{t("mgr.advisorsCaption", { from: shown.from, to: shown.to })}</caption>
            <thead>
              <tr>
                <th scope="col">{t("dashboard.advisor")}</th>
                <th scope="col">{t("dashboard.open")}</th>
                <th scope="col">{t("dashboard.late")}</th>
                <th scope="col">{t("mgr.reminders")}</th>
                <th scope="col">{t("mgr.improper")}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.advisorId} className={r.late > 0 ? "late" : undefined}>
                  <th scope="row">{r.advisorName}</th>
                  <td>{formatCount(r.open, lang)}</td>
                  <td>{formatCount(r.late, lang)}</td>
                  <td>{formatCount(r.reminders, lang)}</td>
                  <td>{formatCount(r.improperClosures, lang)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
