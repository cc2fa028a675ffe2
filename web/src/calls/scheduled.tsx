// Scheduled calls for managers: the calls statuses scheduled, by team (the advisors reporting to
// a manager), status and state (due, overdue, carried out), with the pending and overdue counts
// per status (StatusService.ListScheduledCalls).
import { useState } from "react";
import { useQuery } from "@connectrpc/connect-query";
import { ActionState } from "@relance/api/relance/v1/action_pb";
import { CallState, StatusService } from "@relance/api/relance/v1/status_pb";
import { TeamService } from "@relance/api/relance/v1/team_pb";
import { Category, Role } from "@relance/api/relance/v1/types_pb";
import { ErrorBanner, Field } from "../forms/field";
import { browserTimeZone, formatCount, formatDateTime, instant } from "../format/format";
import { useI18n } from "../i18n/i18n";
import type { MessageKey } from "../i18n/fr";
import { Pager, usePages } from "../layout/pager";
import { Link } from "../layout/router";
import { ListTable } from "../layout/table";

const pageSize = 50;
const states = [CallState.UNSPECIFIED, CallState.SCHEDULED, CallState.OVERDUE, CallState.DONE];

export function ScheduledCalls() {
  const { t, lang } = useI18n();
  const [filter, setFilter] = useState({ managerId: "", statusId: "", state: CallState.SCHEDULED });
  const pages = usePages();
  const calls = useQuery(StatusService.method.listScheduledCalls, { ...filter, pageSize, pageToken: pages.token });
  const users = useQuery(TeamService.method.listUsers, {}, { staleTime: 5 * 60_000 });
  const statuses = useQuery(StatusService.method.listStatuses, {}, { staleTime: 5 * 60_000 });
  const sites = useQuery(TeamService.method.listSites, {}, { staleTime: 5 * 60_000 });
  const managers = (users.data?.users ?? []).filter((u) => u.role === Role.MANAGER);
  const nameOf = (id: string) => users.data?.users.find((u) => u.id === id)?.displayName ?? "—";
  const statusOf = (id: string) => statuses.data?.statuses.find((s) => s.id === id)?.name ?? "—";
  const zoneOf = (siteId: string) => sites.data?.sites.find((s) => s.id === siteId)?.timeZone || browserTimeZone();
  const change = (f: Partial<typeof filter>) => {
    setFilter({ ...filter, ...f });
    pages.reset();
  };
  const next = calls.data?.nextPageToken ?? "";
  const counts = calls.data?.counts ?? [];
  return (
    <>
      <h1>{t("mgr.callsTitle")}</h1>
      <div className="card grid">
        <Field label={t("mgr.team")}>
          {(p) => (
            <select {...p} value={filter.managerId} onChange={(e) => change({ managerId: e.target.value })}>
              <option value="">{t("mgr.allTeams")}</option>
              {managers.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.displayName}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t("mgr.status")}>
          {(p) => (
            <select {...p} value={filter.statusId} onChange={(e) => change({ statusId: e.target.value })}>
              <option value="">{t("mgr.allStatuses")}</option>
              {(statuses.data?.statuses ?? []).map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t("mgr.callState")}>
          {(p) => (
            <select {...p} value={filter.state} onChange={(e) => change({ state: Number(e.target.value) })}>
              {states.map((s) => (
                <option key={s} value={s}>
                  {t(`mgr.callState.${s}` as MessageKey)}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <ErrorBanner error={calls.error} />
      {counts.length > 0 && (
        <ListTable pending={false} empty={false} label={t("mgr.countsCaption")} headers={[t("mgr.status"), t("mgr.pending"), t("mgr.overdue")]}>
          {counts.map((c) => (
            <tr key={c.statusId} className={c.overdue > 0 ? "late" : undefined}>
              <th scope="row">{statusOf(c.statusId)}</th>
              <td>{formatCount(c.pending, lang)}</td>
              <td>{formatCount(c.overdue, lang)}</td>
            </tr>
          ))}
        </ListTable>
      )}
      <ListTable
        pending={calls.isPending}
        empty={(calls.data?.calls ?? []).length === 0 && t("mgr.noCall")}
        label={t("mgr.callsCaption", { page: pages.number })}
        headers={[t("mgr.subject"), t("mgr.due"), t("dashboard.advisor"), t("mgr.status"), t("dashboard.category"), t("mgr.callState")]}
      >
        {calls.data?.calls.map((c) => {
          const a = c.action;
          return (
            <tr key={a?.id} data-call={a?.id}>
              <th scope="row">{a?.leadId ? <Link href={`/leads/${a.leadId}`}>{c.subjectName || "—"}</Link> : c.subjectName || "—"}</th>
              <td>{formatDateTime(instant(a?.dueTime), zoneOf(c.siteId), lang)}</td>
              <td>{nameOf(a?.assigneeId ?? "")}</td>
              <td>{statusOf(a?.statusId ?? "")}</td>
              <td>{c.category === Category.UNSPECIFIED ? "—" : Category[c.category]}</td>
              <td>{t(`mgr.actionState.${a?.state ?? ActionState.UNSPECIFIED}` as MessageKey)}</td>
            </tr>
          );
        })}
      </ListTable>
      <Pager pages={pages} nextToken={next} />
    </>
  );
}
