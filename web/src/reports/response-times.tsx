// The response-time report: leads received in a period grouped by advisor, site, business unit,
// source or source group, for one unit or all; averages, medians, shares answered in time and the five buckets, as
// ReportService computes them; a group's leads one by one; the same report as CSV.
import { type FormEvent, useState } from "react";
import { useQuery } from "@connectrpc/connect-query";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { Timestamp } from "@bufbuild/protobuf/wkt";
import {
  type ReportFilterSchema,
  ReportGrouping,
  ReportService,
  type ResponseTimeRow,
} from "@relance/api/relance/v1/report_pb";
import { Category } from "@relance/api/relance/v1/types_pb";
import { ErrorBanner, Field, Loading } from "../forms/field";
import { daysAgo, formatCount, formatDuration, formatPercent, seconds } from "../format/format";
import { useI18n } from "../i18n/i18n";
import type { MessageKey } from "../i18n/fr";
import { useSiteZone } from "../sites/zone";
import { fieldErrors } from "../transport/transport";
import { UnitField } from "../units/units";
import { BucketChart, CategoryField, CsvButton, DayRange, dayStart } from "./controls";
import { ResponseTimeLeads } from "./response-leads";

const groupings = [ReportGrouping.ADVISOR, ReportGrouping.SITE, ReportGrouping.UNIT, ReportGrouping.SOURCE, ReportGrouping.SOURCE_GROUP];

type Query = {
  fromTime: Timestamp;
  toTime: Timestamp;
  groupBy: ReportGrouping;
  filter: Omit<MessageInitShape<typeof ReportFilterSchema>, "$typeName">;
};

/** rowFilter narrows a report's query to one of its rows; undefined when no filter can (unassigned leads). */
function rowFilter(query: Query, groupBy: ReportGrouping, key: string): Query | undefined {
  if (!key) return undefined;
  const filter = { ...query.filter };
  switch (groupBy) {
    case ReportGrouping.ADVISOR:
      filter.advisorId = key;
      break;
    case ReportGrouping.SITE:
      filter.siteId = key;
      break;
    case ReportGrouping.UNIT:
      filter.unitId = key;
      break;
    case ReportGrouping.SOURCE:
      filter.source = key;
      break;
    case ReportGrouping.SOURCE_GROUP:
      filter.sourceGroup = key;
      break;
    default:
      return undefined;
  }
  return { ...query, groupBy: ReportGrouping.UNSPECIFIED, filter };
}

export function ResponseTimes() {
  const { t, lang } = useI18n();
  const zone = useSiteZone();
  const [form, setForm] = useState(() => ({ from: daysAgo(30, zone), to: daysAgo(-1, zone), groupBy: ReportGrouping.ADVISOR, category: Category.UNSPECIFIED, unitId: "" }));
  const [shown, setShown] = useState(form);
  const [detail, setDetail] = useState<ResponseTimeRow | undefined>(undefined);
  const request: Query = {
    fromTime: dayStart(shown.from, zone),
    toTime: dayStart(shown.to, zone),
    groupBy: shown.groupBy,
    filter: { category: shown.category, unitId: shown.unitId },
  };
  const report = useQuery(ReportService.method.responseTimeReport, request);
  const errors = fieldErrors(report.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setShown(form);
    setDetail(undefined);
  };
  const data = report.data;
  const nameOf = (r: ResponseTimeRow) => r.label || r.key || (shown.groupBy === ReportGrouping.UNIT ? t("units.noUnit") : t("reports.unassigned"));
  const row = (r: ResponseTimeRow, total: boolean) => (
    <tr key={total ? "total" : r.key} className={total ? "total" : undefined}>
      <th scope="row">{total ? t("reports.total") : nameOf(r)}</th>
      <td data-col="received">{formatCount(r.received, lang)}</td>
      <td data-col="answered">{formatCount(r.answered, lang)}</td>
      <td data-col="unanswered">{formatCount(r.unanswered, lang)}</td>
      <td data-col="average">{formatDuration(seconds(r.average), lang)}</td>
      <td data-col="median">{formatDuration(seconds(r.median), lang)}</td>
      <td data-col="within24h">{formatPercent(r.within24hPercent, lang)}</td>
      <td data-col="withinWindow">{formatPercent(r.withinWindowPercent, lang)}</td>
      <td>
        {!total && rowFilter(request, shown.groupBy, r.key) && (
          <button type="button" className="link" aria-pressed={detail?.key === r.key} onClick={() => setDetail(detail?.key === r.key ? undefined : r)}>
            {t("mgr.detailOf", { name: nameOf(r) })}
          </button>
        )}
      </td>
    </tr>
  );
  const detailQuery = detail && rowFilter(request, shown.groupBy, detail.key);
  return (
    <>
      <h1>{t("reports.title")}</h1>
      <form className="card grid" onSubmit={submit}>
        <DayRange value={form} onChange={(d) => setForm({ ...form, ...d })} errors={{ from: errors["from_time"], to: errors["to_time"] }} />
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
        <CategoryField value={form.category} onChange={(category) => setForm({ ...form, category })} />
        <UnitField value={form.unitId} onChange={(unitId) => setForm({ ...form, unitId })} />
        <div className="row">
          <button type="submit" className="primary">
            {t("reports.show")}
          </button>
          <CsvButton request={{ report: { case: "responseTime", value: request } }} fileName={`response-times-${shown.from}-${shown.to}.csv`} />
        </div>
      </form>
      {Object.keys(errors).length === 0 && <ErrorBanner error={report.error} />}
      {report.isPending ? (
        <Loading />
      ) : (
        data && (
          <>
            <div className="table-scroll" tabIndex={0} role="region" aria-labelledby="rt-caption">
              <table>
                <caption id="rt-caption">{t("mgr.rtCaption", { from: shown.from, to: shown.to })}</caption>
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
                    <th scope="col">{t("mgr.detail")}</th>
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
              <BucketChart title={detail ? nameOf(detail) : t("reports.total")} buckets={data.buckets} counts={(detail ?? data.total)?.buckets ?? []} />
            </section>
            {detail && detailQuery && <ResponseTimeLeads key={detail.key} title={t("mgr.leadsOf", { name: nameOf(detail) })} query={detailQuery} />}
          </>
        )
      )}
    </>
  );
}
