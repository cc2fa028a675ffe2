// Where a lead stands, as the API says: late, no call today, its cadence.
import type { Lead } from "@relance/api/relance/v1/types_pb";
import { useI18n } from "../i18n/i18n";

export function LeadBadges({ lead, noAttemptToday }: { lead: Lead; noAttemptToday?: boolean }) {
  const { t } = useI18n();
  return (
    <p className="badges">
      {lead.lateTime && <span className="badge late">{t("leads.late")}</span>}
      {noAttemptToday && <span className="badge warn">{t("leads.noAttemptToday")}</span>}
      {lead.cadence?.behind && <span className="badge warn">{t("leads.behind")}</span>}
      {lead.cadence && (
        <span className="badge">{t("leads.cadence", { attempts: lead.cadence.attemptsToday, days: lead.cadence.daysLeft })}</span>
      )}
    </p>
  );
}
