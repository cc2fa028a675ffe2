// My absences (TeamService, beside users): the spans when I do not work, added and removed by
// myself. Times are typed and shown in my site's zone. The list and the form serve the team
// page too, where an admin or a manager keeps someone else's.
import { type FormEvent, useState } from "react";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { useMutation, useQuery } from "@connectrpc/connect-query";
import { TeamService } from "@relance/api/relance/v1/team_pb";
import { useMe } from "../auth/me";
import { ErrorBanner, Field, Loading } from "../forms/field";
import { formatDateTime, instant, zonedInstant } from "../format/format";
import { useI18n } from "../i18n/i18n";
import { useSiteZone } from "../sites/zone";
import { useRefresh } from "../transport/invalidate";
import { fieldErrors } from "../transport/transport";

export function AbsencesPage() {
  const { t } = useI18n();
  const userId = useMe().user?.id ?? "";
  const zone = useSiteZone();
  return (
    <>
      <h1>{t("absences.title")}</h1>
      <AbsenceList userId={userId} zone={zone} />
      <AddAbsence userId={userId} zone={zone} />
    </>
  );
}

/** AbsenceList lists a person's coming absences in zone, each with its remove button. */
export function AbsenceList({ userId, zone }: { userId: string; zone: string }) {
  const { t, lang } = useI18n();
  const absences = useQuery(TeamService.method.listAbsences, { userId });
  const refresh = useRefresh(TeamService);
  const remove = useMutation(TeamService.method.removeAbsence, { onSuccess: refresh });
  const list = absences.data?.absences ?? [];
  return (
    <>
      <ErrorBanner error={absences.error ?? remove.error} />
      {absences.isPending ? (
        <Loading />
      ) : list.length === 0 ? (
        <p className="muted">{t("absences.empty")}</p>
      ) : (
        <ul className="list">
          {list.map((a) => {
            const span = t("absences.span", {
              from: formatDateTime(instant(a.startTime), zone, lang),
              to: formatDateTime(instant(a.endTime), zone, lang),
            });
            return (
              <li key={a.id} className="card">
                <p className="card-title">{span}</p>
                {a.reason && <p>{a.reason}</p>}
                <button type="button" className="danger" disabled={remove.isPending} aria-label={t("absences.remove", { span })} onClick={() => remove.mutate({ absenceId: a.id })}>
                  {t("common.remove")}
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </>
  );
}

/** AddAbsence is the form adding an absence of userId, its times typed in zone. */
export function AddAbsence({ userId, zone }: { userId: string; zone: string }) {
  const { t } = useI18n();
  const refresh = useRefresh(TeamService);
  const [start, setStart] = useState("");
  const [end, setEnd] = useState("");
  const [reason, setReason] = useState("");
  const add = useMutation(TeamService.method.addAbsence, {
    onSuccess: () => {
      setStart("");
      setEnd("");
      setReason("");
      refresh();
    },
  });
  const errors = fieldErrors(add.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const from = zonedInstant(start, zone);
    const to = zonedInstant(end, zone);
    add.mutate({
      userId,
      reason,
      ...(from ? { startTime: timestampFromDate(from) } : {}),
      ...(to ? { endTime: timestampFromDate(to) } : {}),
    });
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby="add-absence">
      <h2 id="add-absence">{t("absences.add")}</h2>
      <p className="muted">{t("absences.zone", { zone })}</p>
      {Object.keys(errors).length === 0 && <ErrorBanner error={add.error} />}
      {add.isSuccess && (
        <p className="banner ok" role="status">
          {t("common.saved")}
        </p>
      )}
      <div className="grid">
        <Field label={t("absences.start")} error={errors["start_time"]}>
          {(p) => <input {...p} type="datetime-local" value={start} onChange={(e) => setStart(e.target.value)} />}
        </Field>
        <Field label={t("absences.end")} error={errors["end_time"] ?? errors[""]}>
          {(p) => <input {...p} type="datetime-local" value={end} onChange={(e) => setEnd(e.target.value)} />}
        </Field>
      </div>
      <Field label={t("absences.reason")} error={errors["reason"]}>
        {(p) => <input {...p} maxLength={200} value={reason} onChange={(e) => setReason(e.target.value)} />}
      </Field>
      <button type="submit" className="primary" disabled={add.isPending}>
        {t("absences.submit")}
      </button>
    </form>
  );
}
