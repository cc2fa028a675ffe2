// My leads: the open leads the caller may see, late ones first, marked when no call was made
// today, with where each stands in its cadence — all as ListLeads reports them.
import { useQuery } from "@connectrpc/connect-query";
import { LeadService } from "@relance/api/relance/v1/lead_pb";
import { LeadStage, type Lead } from "@relance/api/relance/v1/types_pb";
import { ErrorBanner, Loading } from "../forms/field";
import { formatDateTime, instant } from "../format/format";
import { useI18n } from "../i18n/i18n";
import { Link } from "../layout/router";
import { useSiteZone } from "../sites/zone";
import { LeadBadges } from "./badges";

const PAGE = 100;

export function MyLeads() {
  const { t } = useI18n();
  const late = useQuery(LeadService.method.listLeads, { stage: LeadStage.OPEN, late: true, pageSize: PAGE });
  const onTime = useQuery(LeadService.method.listLeads, { stage: LeadStage.OPEN, late: false, pageSize: PAGE });
  const noAttempt = useQuery(LeadService.method.listLeads, { stage: LeadStage.OPEN, noAttemptToday: true, pageSize: 500 });
  const withoutCall = new Set(noAttempt.data?.leads.map((l) => l.id));
  const leads = [...(late.data?.leads ?? []), ...(onTime.data?.leads ?? [])];
  return (
    <>
      <h1>{t("leads.title")}</h1>
      <ErrorBanner error={late.error ?? onTime.error ?? noAttempt.error} />
      {late.isPending || onTime.isPending ? (
        <Loading />
      ) : leads.length === 0 ? (
        <p className="muted">{t("leads.empty")}</p>
      ) : (
        <ul className="list">
          {leads.map((l) => (
            <LeadRow key={l.id} lead={l} noAttemptToday={withoutCall.has(l.id)} />
          ))}
        </ul>
      )}
    </>
  );
}

function LeadRow({ lead, noAttemptToday }: { lead: Lead; noAttemptToday: boolean }) {
  const { t, lang } = useI18n();
  const zone = useSiteZone(lead.siteId);
  return (
    <li className={lead.lateTime ? "card late" : "card"}>
      <h2 className="card-title">
        <Link href={`/leads/${lead.id}`}>{lead.contact?.name}</Link>
      </h2>
      <p className="muted">
        {lead.source} · {t("leads.received", { at: formatDateTime(instant(lead.receiveTime), zone, lang) })}
      </p>
      <LeadBadges lead={lead} noAttemptToday={noAttemptToday} />
    </li>
  );
}
