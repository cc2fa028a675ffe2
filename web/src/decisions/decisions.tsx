// Pending absence decisions (managers): a lead went to an advisor away for more than a day; the
// manager gives it to another advisor of its site, or keeps it for the advisor's return.
import { type FormEvent, useState } from "react";
import { useMutation, useQuery } from "@connectrpc/connect-query";
import { type Decision, DecisionService } from "@relance/api/relance/v1/decision_pb";
import { LeadService } from "@relance/api/relance/v1/lead_pb";
import { TeamService } from "@relance/api/relance/v1/team_pb";
import { Role } from "@relance/api/relance/v1/types_pb";
import { ErrorBanner, Field, Loading } from "../forms/field";
import { formatDateTime, instant } from "../format/format";
import { useI18n } from "../i18n/i18n";
import { Link } from "../layout/router";
import { useSiteZone } from "../sites/zone";
import { useRefresh } from "../transport/invalidate";
import { fieldErrors } from "../transport/transport";

export function DecisionsPage() {
  const { t } = useI18n();
  const decisions = useQuery(DecisionService.method.listPendingDecisions, {});
  const list = decisions.data?.decisions ?? [];
  return (
    <>
      <h1>{t("decisions.title")}</h1>
      <p className="muted">{t("decisions.intro")}</p>
      <ErrorBanner error={decisions.error} />
      {decisions.isPending ? (
        <Loading />
      ) : list.length === 0 ? (
        <p className="muted">{t("decisions.empty")}</p>
      ) : (
        <ul className="list">
          {list.map((d) => (
            <DecisionCard key={d.id} decision={d} />
          ))}
        </ul>
      )}
    </>
  );
}

function DecisionCard({ decision }: { decision: Decision }) {
  const { t, lang } = useI18n();
  const lead = useQuery(LeadService.method.getLead, { leadId: decision.leadId });
  const siteId = lead.data?.lead?.siteId ?? "";
  const zone = useSiteZone(siteId);
  const advisors = useQuery(TeamService.method.listUsers, { siteId, role: Role.ADVISOR }, { enabled: siteId !== "" });
  const refresh = useRefresh(DecisionService, LeadService);
  const resolve = useMutation(DecisionService.method.resolveDecision, { onSuccess: refresh });
  const [to, setTo] = useState("");
  const errors = fieldErrors(resolve.error);
  const people = advisors.data?.users ?? [];
  const away = people.find((u) => u.id === decision.advisorId)?.displayName ?? "";
  const others = people.filter((u) => u.active && u.id !== decision.advisorId);
  const name = lead.data?.lead?.contact?.name || t("decisions.lead");
  const titleId = `decision-${decision.id}`;
  const reassign = (e: FormEvent) => {
    e.preventDefault();
    resolve.mutate({ decisionId: decision.id, answer: { case: "reassignTo", value: to } });
  };
  return (
    <li className="card" aria-labelledby={titleId}>
      <h2 className="card-title" id={titleId}>
        <Link href={`/leads/${decision.leadId}`}>{name}</Link>
      </h2>
      <p>
        {t("decisions.away", { advisor: away || "—", until: formatDateTime(instant(decision.awayUntil), zone, lang) })}
      </p>
      <p className="muted">{t("decisions.asked", { at: formatDateTime(instant(decision.createTime), zone, lang) })}</p>
      {Object.keys(errors).length === 0 && <ErrorBanner error={resolve.error} />}
      <form className="row" onSubmit={reassign}>
        <Field label={t("decisions.reassignTo")} error={errors["reassign_to"]}>
          {(p) => (
            <select {...p} required value={to} onChange={(e) => setTo(e.target.value)}>
              <option value="">{t("decisions.choose")}</option>
              {others.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.displayName}
                </option>
              ))}
            </select>
          )}
        </Field>
        <button type="submit" className="primary" disabled={resolve.isPending || to === ""}>
          {t("decisions.reassign")}
        </button>
        <button type="button" disabled={resolve.isPending} onClick={() => resolve.mutate({ decisionId: decision.id, answer: { case: "keep", value: true } })}>
          {t("decisions.keep")}
        </button>
      </form>
    </li>
  );
}
