// Absences of the team: a manager keeps the absences of their advisors, an admin anyone's (on the
// users page), typed and shown in the person's site zone.
import { useState } from "react";
import { useQuery } from "@connectrpc/connect-query";
import { TeamService } from "@relance/api/relance/v1/team_pb";
import { Role, type User } from "@relance/api/relance/v1/types_pb";
import { ErrorBanner, Field, Loading } from "../forms/field";
import { useI18n } from "../i18n/i18n";
import { useSiteZone } from "../sites/zone";
import { AbsenceList, AddAbsence } from "./absences";

/** TeamAbsencesPage lets a manager choose one of their advisors and keep their absences. */
export function TeamAbsencesPage() {
  const { t } = useI18n();
  const users = useQuery(TeamService.method.listUsers, { role: Role.ADVISOR });
  const [userId, setUserId] = useState("");
  const list = (users.data?.users ?? []).filter((u) => u.active);
  const user = list.find((u) => u.id === userId) ?? list[0];
  return (
    <>
      <h1>{t("teamAbsences.title")}</h1>
      <ErrorBanner error={users.error} />
      {users.isPending ? (
        <Loading />
      ) : list.length === 0 ? (
        <p className="muted">{t("teamAbsences.empty")}</p>
      ) : (
        <Field label={t("teamAbsences.person")}>
          {(p) => (
            <select {...p} value={user?.id ?? ""} onChange={(e) => setUserId(e.target.value)}>
              {list.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.displayName}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      {user && <TeamAbsences key={user.id} user={user} />}
    </>
  );
}

/** TeamAbsences keeps someone else's absences, in the zone of their first site. */
export function TeamAbsences({ user }: { user: User }) {
  const { t } = useI18n();
  const zone = useSiteZone(user.siteIds[0]);
  return (
    <section className="card" aria-labelledby="team-absences">
      <h2 id="team-absences">{t("users.absences", { name: user.displayName })}</h2>
      <AbsenceList userId={user.id} zone={zone} />
      <AddAbsence userId={user.id} zone={zone} />
    </section>
  );
}
