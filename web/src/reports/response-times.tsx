// The response-time report: leads received in a period grouped by advisor, site, source or
// source group; averages, medians, shares answered in time and the five buckets, as
// ReportService computes them; the same report as CSV through ExportReport.
import { type FormEvent, useState } from "react";
import { createClient } from "@connectrpc/connect";
import { useQuery } from "@connectrpc/connect-query";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { ReportGrouping, ReportService, type ResponseTimeRow } from "@relance/api/relance/v1/report_pb";
import { saveChunks } from "../files/save";
import { ErrorBanner, Field, Loading } from "../forms/field";
import { formatCount, formatDuration, formatPercent, seconds } from "../format/format";
import { useI18n } from "../i18n/i18n";
import type { MessageKey } from "../i18n/fr";
import { errorMessage, fieldErrors, transport } from "../transport/transport";

const groupings = [ReportGrouping.ADVISOR, ReportGrouping.SITE, ReportGrouping.SOURCE, ReportGrouping.SOURCE_GROUP];

const day = (d: Date) => d.toISOString().slice(0, 10);

export function ResponseTimes() {
  const { t, lang } = useI18n();
  const [form, setForm] = useState(() => ({ from: day(new Date(Date.now() - 30 * 86400_000)), to: day(new Date(Date.now() + 86400_000)), groupBy: ReportGrouping.ADVISOR }));
  const [shown, setShown] = useState(form);
  const request = {
    fromTime: timestampFromDate(new Date(`${shown.from}T00:00:00`)),
    toTime: timestampFromDate(new Date(`${shown.to}T00:00:00`)),
    groupBy: shown.groupBy,
  };
  const report = useQuery(ReportService.method.responseTimeReport, request);
  const errors = fieldErrors(report.error);
  const [csvError, setCsvError] = useState("");
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setShown(form);
  };
  const download = async () => {
    setCsvError("");
    try {
      const chunks: Uint8Array<ArrayBuffer>[] = [];
      const client = createClient(ReportService, transport);
      for await (const res of client.exportReport({ report: { case: "responseTime", value: request }, byteOrderMark: true })) {
        chunks.push(new Uint8Array(res.chunk));
      }
      saveChunks(chunks, `response-times-${shown.from}-${shown.to}.csv`, "text/csv");
    } catch (err) {
      setCsvError(errorMessage(err));
    }
  };
  const data = report.data;
  const bucketLabel = (i: number) => {
    const b = data?.buckets[i];
    const from = formatDuration(seconds(b?.from) ?? 0, lang);
    return b?.to ? t("reports.bucket", { from, to: formatDuration(seconds(b.to), lang) }) : t("reports.bucketOpen", { from });
  };
  const row = (r: ResponseTimeRow, total: boolean) => (
    <tr key={total ? "total" : r.key} className={total ? "total" : undefined}>
      <th scope="row">{total ? t("reports.total") : r.label || r.key || t("reports.unassigned")}</th>
      <td>{formatCount(r.received, lang)}</td>
      <td>{formatCount(r.answered, lang)}</td>
      <td>{formatCount(r.unanswered, lang)}</td>
      <td>{formatDuration(seconds(r.average), lang)}</td>
      <td>{formatDuration(seconds(r.median), lang)}</td>
      <td>{formatPercent(r.within24hPercent, lang)}</td>
      <td>{formatPercent(r.withinWindowPercent, lang)}</td>
    </tr>
  );
  const totalBuckets = data?.total?.buckets ?? [];
  const most = Math.max(1, ...totalBuckets);
  return (
    <>
      <h1>{t("reports.title")}</h1>
      <form className="card grid" onSubmit={submit}>
        <Field label={t("reports.from")} error={errors["from_time"]}>
          {(p) => <input {...p} type="date" value={form.from} onChange={(e) => setForm({ ...form, from: e.target.value })} required />}
        </Field>
        <Field label={t("reports.to")} error={errors["to_time"]}>
          {(p) => <input {...p} type="date" value={form.to} onChange={(e) => setForm({ ...form, to: e.target.value })} required />}
        </Field>
        <Field label={t("reports.groupBy")}>
          {(p) => (
            <select {...p} value={form.groupBy} onChange={(e) => setForm({ ...form, groupBy: Number(e.target.value) })}>
              {groupings.map((g) => (
                <option key={g} value={g}>
                  {t(`group.${g}` as MessageKey)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <div className="row">
          <button type="submit" className="primary">
            {t("reports.show")}
          </button>
          <button type="button" onClick={() => void download()}>
            {t("reports.csv")}
          </button>
        </div>
      </form>
      {csvError && (
        <p className="banner error" role="alert">
          {t("common.error", { message: csvError })}
        </p>
      )}
      {Object.keys(errors).length === 0 && <ErrorBanner error={report.error} />}
      {report.isPending ? (
        <Loading />
      ) : (
        data && (
          <>
            <div className="table-scroll" tabIndex={0} role="region" aria-label={t("reports.title")}>
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t(`group.${shown.groupBy}` as MessageKey)}</th>
                    <th scope="col">{t("reports.received")}</th>
                    <th scope="col">{t("reports.answered")}</th>
                    <th scope="col">{t("reports.unanswered")}</th>
                    <th scope="col">{t("reports.average")}</th>
                    <th scope="col">{t("reports.median")}</th>
                    <th scope="col">{t("reports.within24h")}</th>
                    <th scope="col">{t("reports.withinWindow")}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.rows.map((r) => row(r, false))}
                  {data.total && row(data.total, true)}
                </tbody>
              </table>
            </div>
            <section className="card" aria-labelledby="buckets">
              <h2 id="buckets">{t("reports.buckets")}</h2>
              <ul className="bars">
                {totalBuckets.map((n, i) => (
                  <li key={i}>
                    <span className="bar-label">{bucketLabel(i)}</span>
                    <meter min={0} max={most} value={n} aria-label={bucketLabel(i)} />
                    <span className="bar-value">{formatCount(n, lang)}</span>
                  </li>
                ))}
              </ul>
            </section>
          </>
        )
      )}
    </>
  );
}
