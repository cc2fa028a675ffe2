// The compliance report: each advisor's days against the cadence rules (ReportService.ComplianceReport),
// for one business unit or all, and the same as CSV.
import { useQuery } from "@connectrpc/connect-query";
import { ReportService } from "@relance/api/relance/v1/report_pb";
import { daysAgo, formatCount, formatDay } from "../format/format";
import { useI18n } from "../i18n/i18n";
import { useSiteZone } from "../sites/zone";
import { UnitField } from "../units/units";
import { CsvButton, DayRangeReport, useDays } from "./controls";

export function ComplianceReport() {
  const { t, lang } = useI18n();
  const zone = useSiteZone();
  const days = useDays(() => ({ from: daysAgo(6, zone), to: daysAgo(0, zone), unitId: "" }));
  const { shown } = days;
  const request = { fromDate: shown.from, toDate: shown.to, unitId: shown.unitId };
  const report = useQuery(ReportService.method.complianceReport, request);
  const rows = report.data?.rows ?? [];
  return (
    <DayRangeReport
      title={t("mgr.complianceTitle")}
      days={days}
      fields={["from_date", "to_date"]}
      filters={<UnitField value={days.form.unitId} onChange={(unitId) => days.setForm({ ...days.form, unitId })} />}
      csv={<CsvButton request={{ report: { case: "compliance", value: request } }} fileName={`compliance-${shown.from}-${shown.to}.csv`} />}
      error={report.error}
      pending={report.isPending}
      empty={rows.length === 0}
      id="compliance-caption"
      caption={t("mgr.complianceCaption", { from: shown.from, to: shown.to })}
    >
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
    </DayRangeReport>
  );
}
