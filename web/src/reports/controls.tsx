// What the report screens share: the category filter, day inputs read in the site's time zone,
// the frame of a report over a range of days, the bucket chart and the CSV download through
// ExportReport.
import { type FormEvent, type ReactNode, useState } from "react";
import { createClient } from "@connectrpc/connect";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { type Bucket, type ExportReportRequestSchema, ReportService } from "@relance/api/relance/v1/report_pb";
import { Category } from "@relance/api/relance/v1/types_pb";
import { saveChunks } from "../files/save";
import { ErrorBanner, Field, Loading } from "../forms/field";
import { formatCount, formatDuration, seconds, zonedInstant } from "../format/format";
import { useI18n } from "../i18n/i18n";
import { errorMessage, fieldErrors, transport } from "../transport/transport";

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

/** DaysState is a report's period, with its other filters, as typed (form) and as last shown. */
export type DaysState<T extends Days> = { form: T; setForm: (f: T) => void; shown: T; show: () => void };

/**
 * useDays holds a report's period, and any other filter of its form, as typed (form) and as last
 * shown (shown, what the query asks).
 */
export function useDays<T extends Days>(initial: () => T): DaysState<T> {
  const [form, setForm] = useState(initial);
  const [shown, setShown] = useState(form);
  return { form, setForm, shown, show: () => setShown(form) };
}

/**
 * DayRangeReport frames a report over a range of days: its title, the form that shows the range
 * (with the report's CSV button), the call's error (next to the day it names, else as a banner),
 * and once loaded the table (children: its thead and tbody) under a caption, in a region that
 * scrolls sideways on a phone. fields names the request's two day fields, for their violations;
 * filters are the form's other fields, if any.
 */
export function DayRangeReport<T extends Days>({
  title,
  days,
  fields,
  filters,
  csv,
  error,
  pending,
  empty,
  id,
  caption,
  children,
}: {
  title: string;
  days: DaysState<T>;
  fields: [string, string];
  filters?: ReactNode;
  csv: ReactNode;
  error: unknown;
  pending: boolean;
  empty: boolean;
  id: string;
  caption: string;
  children: ReactNode;
}) {
  const { t } = useI18n();
  const errors = fieldErrors(error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    days.show();
  };
  return (
    <>
      <h1>{title}</h1>
      <form className="card grid" onSubmit={submit}>
        <DayRange value={days.form} onChange={(d) => days.setForm({ ...days.form, ...d })} errors={{ from: errors[fields[0]], to: errors[fields[1]] }} />
        {filters}
        <div className="row">
          <button type="submit" className="primary">
            {t("reports.show")}
          </button>
          {csv}
        </div>
      </form>
      {Object.keys(errors).length === 0 && <ErrorBanner error={error} />}
      {pending ? (
        <Loading />
      ) : empty ? (
        <p className="muted">{t("mgr.nothing")}</p>
      ) : (
        <div className="table-scroll" tabIndex={0} role="region" aria-labelledby={id}>
          <table>
            <caption id={id}>{caption}</caption>
            {children}
          </table>
        </div>
      )}
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
