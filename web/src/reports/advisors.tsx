// The advisor report: per advisor, open and late leads now, and in a period the reminders they
// were sent and their improper closures (ReportService.AdvisorReport); the same as CSV.
import { useQuery } from "@connectrpc/connect-query";
import { ReportService } from "@relance/api/relance/v1/report_pb";
import { daysAgo, formatCount } from "../format/format";
import { useI18n } from "../i18n/i18n";
import { useSiteZone } from "../sites/zone";
import { CsvButton, DayRangeReport, dayStart, useDays } from "./controls";

export function AdvisorReport() {
  const { t, lang } = useI18n();
  const zone = useSiteZone();
  const days = useDays(() => ({ from: daysAgo(30, zone), to: daysAgo(-1, zone) }));
  const { shown } = days;
  const request = { fromTime: dayStart(shown.from, zone), toTime: dayStart(shown.to, zone) };
  const report = useQuery(ReportService.method.advisorReport, request);
  const rows = report.data?.rows ?? [];
  return (
    <DayRangeReport
      title={t("mgr.advisorsTitle")}
      days={days}
      fields={["from_time", "to_time"]}
      csv={<CsvButton request={{ report: { case: "advisors", value: request } }} fileName={`advisors-${shown.from}-${shown.to}.csv`} />}
      error={report.error}
      pending={report.isPending}
      empty={rows.length === 0}
      id="advisors-caption"
      caption={t("mgr.advisorsCaption", { from: shown.from, to: shown.to })}
    >
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
    </DayRangeReport>
  );
}
