// What the report screens share: the category filter, day inputs read in the site's time zone,
// the bucket chart and the CSV download through ExportReport.
import { useState } from "react";
import { createClient } from "@connectrpc/connect";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { type Bucket, type ExportReportRequestSchema, ReportService } from "@relance/api/relance/v1/report_pb";
import { Category } from "@relance/api/relance/v1/types_pb";
import { saveChunks } from "../files/save";
import { Field } from "../forms/field";
import { formatCount, formatDuration, seconds, zonedInstant } from "../format/format";
import { useI18n } from "../i18n/i18n";
import { errorMessage, transport } from "../transport/transport";

/** dayStart is the instant a day ("YYYY-MM-DD") begins in timeZone, as a Timestamp. */
export function dayStart(day: string, timeZone: string) {
  return timestampFromDate(zonedInstant(`${day}T00:00`, timeZone) ?? new Date(Number.NaN));
}

/** Days is a report's period as typed: from and to, "YYYY-MM-DD" each. */
export type Days = { from: string; to: string };

/** DayRange types a report's first and last day, each with the API's violation for it. */
export function DayRange({ value, onChange, errors }: { value: Days; onChange: (d: Days) => void; errors: { from?: string | undefined; to?: string | undefined } }) {
  const { t } = useI18n();
  return (
    <>
      <Field label={t("reports.from")} error={errors.from}>
        {(p) => <input {...p} type="date" value={value.from} onChange={(e) => onChange({ ...value, from: e.target.value })} required />}
      </Field>
      <Field label={t("reports.to")} error={errors.to}>
        {(p) => <input {...p} type="date" value={value.to} onChange={(e) => onChange({ ...value, to: e.target.value })} required />}
      </Field>
    </>
  );
}

/** CategoryField picks a lead category, or all of them. */
export function CategoryField({ value, onChange }: { value: Category; onChange: (c: Category) => void }) {
  const { t } = useI18n();
  return (
    <Field label={t("dashboard.category")}>
      {(p) => (
        <select {...p} value={value} onChange={(e) => onChange(Number(e.target.value))}>
          <option value={Category.UNSPECIFIED}>{t("dashboard.allCategories")}</option>
          {[Category.A, Category.B, Category.C].map((c) => (
            <option key={c} value={c}>
              {t("dashboard.categoryOf", { category: Category[c] })}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** BucketChart draws a row's counts per response-time bucket as labelled bars. */
export function BucketChart({ title, buckets, counts }: { title: string; buckets: Bucket[]; counts: number[] }) {
  const { t, lang } = useI18n();
  const most = Math.max(1, ...counts);
  const label = (b: Bucket) => {
    const from = formatDuration(seconds(b.from) ?? 0, lang);
    return b.to ? t("reports.bucket", { from, to: formatDuration(seconds(b.to), lang) }) : t("reports.bucketOpen", { from });
  };
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <ul className="bars">
        {buckets.map((b, i) => (
          <li key={i}>
            <span className="bar-label">{label(b)}</span>
            <meter min={0} max={most} value={counts[i] ?? 0} aria-label={label(b)} />
            <span className="bar-value" data-bucket={i}>
              {formatCount(counts[i] ?? 0, lang)}
            </span>
          </li>
        ))}
      </ul>
    </figure>
  );
}

/** CsvButton downloads a report as CSV (ExportReport) and shows why when it fails. */
export function CsvButton({ request, fileName }: { request: MessageInitShape<typeof ExportReportRequestSchema>; fileName: string }) {
  const { t } = useI18n();
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const download = async () => {
    setError("");
    setBusy(true);
    try {
      const chunks: Uint8Array<ArrayBuffer>[] = [];
      for await (const res of createClient(ReportService, transport).exportReport({ byteOrderMark: true, ...request })) {
        chunks.push(new Uint8Array(res.chunk));
      }
      saveChunks(chunks, fileName, "text/csv");
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" onClick={() => void download()} disabled={busy}>
        {t("reports.csv")}
      </button>
      {error && (
        <p className="banner error" role="alert">
          {t("common.error", { message: error })}
        </p>
      )}
    </>
  );
}
