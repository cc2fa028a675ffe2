// The leads behind a response-time report's row, one by one and page by page
// (ReportService.ListResponseTimeLeads): when each came in and was first answered, in its site's
// time zone, its business response time, and its advisor's business unit at its site.
import { useQuery } from "@connectrpc/connect-query";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { ReportService, type ResponseTimeReportRequestSchema } from "@relance/api/relance/v1/report_pb";
import { TeamService } from "@relance/api/relance/v1/team_pb";
import { Category } from "@relance/api/relance/v1/types_pb";
import { ErrorBanner, Loading } from "../forms/field";
import { browserTimeZone, formatDateTime, formatDuration, instant, seconds } from "../format/format";
import { useI18n } from "../i18n/i18n";
import { Pager, usePages } from "../layout/pager";
import { Link } from "../layout/router";

const pageSize = 50;

export function ResponseTimeLeads({ title, query }: { title: string; query: MessageInitShape<typeof ResponseTimeReportRequestSchema> }) {
  const { t, lang } = useI18n();
  const pages = usePages();
  const leads = useQuery(ReportService.method.listResponseTimeLeads, { query, pageSize, pageToken: pages.token });
  const sites = useQuery(TeamService.method.listSites, {}, { staleTime: 5 * 60_000 });
  const zoneOf = (siteId: string) => sites.data?.sites.find((s) => s.id === siteId)?.timeZone || browserTimeZone();
  const next = leads.data?.nextPageToken ?? "";
  return (
    <section className="card" aria-labelledby="rt-leads">
      <h2 id="rt-leads">{title}</h2>
      <ErrorBanner error={leads.error} />
      {leads.isPending ? (
        <Loading />
      ) : leads.data?.leads.length === 0 ? (
        <p className="muted">{t("mgr.noLead")}</p>
      ) : (
        <div className="table-scroll" tabIndex={0} role="region" aria-labelledby="rt-leads-caption">
          <table>
            <caption id="rt-leads-caption">{t("mgr.leadsPage", { page: pages.number })}</caption>
            <thead>
              <tr>
                <th scope="col">{t("mgr.contact")}</th>
                <th scope="col">{t("mgr.receivedAt")}</th>
                <th scope="col">{t("mgr.firstResponseAt")}</th>
                <th scope="col">{t("mgr.responseTime")}</th>
                <th scope="col">{t("reports.withinWindow")}</th>
                <th scope="col">{t("dashboard.advisor")}</th>
                <th scope="col">{t("group.2")}</th>
                <th scope="col">{t("group.130")}</th>
                <th scope="col">{t("group.3")}</th>
                <th scope="col">{t("dashboard.category")}</th>
              </tr>
            </thead>
            <tbody>
              {leads.data?.leads.map((l) => {
                const zone = zoneOf(l.siteId);
                return (
                  <tr key={l.leadId} data-lead={l.leadId}>
                    <th scope="row">
                      <Link href={`/leads/${l.leadId}`}>{l.contactName || "—"}</Link>
                    </th>
                    <td>{formatDateTime(instant(l.receivedAt), zone, lang)}</td>
                    <td>{formatDateTime(instant(l.firstResponseAt), zone, lang)}</td>
                    <td data-col="response">{formatDuration(seconds(l.responseTime), lang)}</td>
                    <td>{l.responseTime ? (l.withinWindow ? t("mgr.yes") : t("mgr.no")) : "—"}</td>
                    <td>{l.advisorName || t("reports.unassigned")}</td>
                    <td>{l.siteName}</td>
                    <td data-col="unit">{l.unitName || "—"}</td>
                    <td>{l.source}</td>
                    <td>{l.category === Category.UNSPECIFIED ? "—" : Category[l.category]}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <Pager pages={pages} nextToken={next} />
    </section>
  );
}
