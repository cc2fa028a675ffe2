// The alert list: every alert of the person, newest first, with acknowledge.
import { useState } from "react";
import { useMutation, useQuery } from "@connectrpc/connect-query";
import { AlertService } from "@relance/api/relance/v1/alert_pb";
import { ErrorBanner, Loading } from "../forms/field";
import { formatDateTime, instant } from "../format/format";
import { useI18n } from "../i18n/i18n";
import { Link } from "../layout/router";
import { useSiteZone } from "../sites/zone";

export function AlertsPage() {
  const { t, lang } = useI18n();
  const zone = useSiteZone();
  const [unackOnly, setUnackOnly] = useState(false);
  const alerts = useQuery(AlertService.method.listAlerts, { unacknowledgedOnly: unackOnly, pageSize: 100 });
  const ack = useMutation(AlertService.method.ackAlert, { onSuccess: () => void alerts.refetch() });
  const [permission, setPermission] = useState(() => ("Notification" in window ? Notification.permission : "denied"));
  return (
    <>
      <h1>{t("alerts.title")}</h1>
      <div className="row">
        <label className="check">
          <input type="checkbox" checked={unackOnly} onChange={(e) => setUnackOnly(e.target.checked)} />
          {t("alerts.unackOnly")}
        </label>
        {permission === "default" && (
          <button type="button" onClick={() => void Notification.requestPermission().then(setPermission)}>
            {t("alerts.enableNotifications")}
          </button>
        )}
      </div>
      <ErrorBanner error={alerts.error ?? ack.error} />
      {alerts.isPending ? (
        <Loading />
      ) : alerts.data?.alerts.length === 0 ? (
        <p className="muted">{t("alerts.empty")}</p>
      ) : (
        <ul className="list">
          {alerts.data?.alerts.map((a) => (
            <li key={a.id} className={a.ackTime ? "card" : "card unread"}>
              <h2 className="card-title">{a.title}</h2>
              <p>{a.body}</p>
              <p className="muted">{formatDateTime(instant(a.createTime), zone, lang)}</p>
              <div className="row">
                {a.leadId && <Link href={`/leads/${a.leadId}`}>{t("alerts.openLead")}</Link>}
                {a.ackTime ? (
                  <span className="muted">{t("alerts.acked", { at: formatDateTime(instant(a.ackTime), zone, lang) })}</span>
                ) : (
                  <button type="button" onClick={() => ack.mutate({ alertId: a.id })} disabled={ack.isPending}>
                    {t("alerts.ack")}
                  </button>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
