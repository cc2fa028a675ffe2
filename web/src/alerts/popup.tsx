// What a new alert does on the page: a pop-up, a short sound, a flashing tab title and, when
// the person allowed it, an operating-system notification.
import { useCallback, useEffect, useRef, useState } from "react";
import { useMutation } from "@connectrpc/connect-query";
import { useQueryClient } from "@tanstack/react-query";
import { createConnectQueryKey } from "@connectrpc/connect-query";
import { AlertService, type Alert } from "@relance/api/relance/v1/alert_pb";
import { useI18n } from "../i18n/i18n";
import { Link } from "../layout/router";
import { type StreamState, useAlertStream } from "./stream";

const FLASH_MS = 1000;

/** LiveAlerts runs the alert stream for the whole signed-in app and shows what arrives. */
export function LiveAlerts({ onState }: { onState: (s: StreamState) => void }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [fresh, setFresh] = useState<Alert[]>([]);
  const audio = useRef<HTMLAudioElement>(null);

  const onAlert = useCallback(
    (a: Alert) => {
      setFresh((list) => (list.some((x) => x.id === a.id) ? list : [a, ...list].slice(0, 5)));
      void queryClient.invalidateQueries({ queryKey: createConnectQueryKey({ schema: AlertService, cardinality: undefined }) });
      const el = audio.current;
      if (el) {
        el.currentTime = 0;
        el.play()
          .then(() => (el.dataset["plays"] = String(Number(el.dataset["plays"] ?? 0) + 1)))
          .catch(() => undefined); // the browser refuses sound before any interaction
      }
      if ("Notification" in window && Notification.permission === "granted" && document.visibilityState !== "visible") {
        new Notification(a.title, { body: a.body, tag: a.id });
      }
    },
    [queryClient],
  );
  const state = useAlertStream(onAlert);
  useEffect(() => onState(state), [state, onState]);

  // The tab title flashes while alerts wait unseen, until the person comes back to the tab.
  useEffect(() => {
    if (fresh.length === 0) return;
    const base = document.title;
    let on = false;
    const timer = setInterval(() => {
      if (document.visibilityState === "visible" && document.hasFocus()) {
        document.title = base;
        return;
      }
      on = !on;
      document.title = on ? t("alerts.newCount", { count: fresh.length }) : base;
    }, FLASH_MS);
    return () => {
      clearInterval(timer);
      document.title = base;
    };
  }, [fresh.length, t]);

  const ack = useMutation(AlertService.method.ackAlert, {
    onSuccess: (res) => {
      setFresh((list) => list.filter((x) => x.id !== res.alert?.id));
      void queryClient.invalidateQueries({ queryKey: createConnectQueryKey({ schema: AlertService, cardinality: undefined }) });
    },
  });
  const dismiss = (id: string) => setFresh((list) => list.filter((x) => x.id !== id));

  return (
    <>
      <audio ref={audio} src="/alert.wav" preload="auto" data-testid="alert-sound" />
      <div className="popups" aria-live="assertive">
        {fresh.map((a) => (
          <section key={a.id} className="popup" role="alertdialog" aria-labelledby={`alert-${a.id}`}>
            <p className="popup-kicker">{t("alerts.new")}</p>
            <h2 id={`alert-${a.id}`}>{a.title}</h2>
            <p>{a.body}</p>
            <div className="row">
              {a.leadId && (
                <Link href={`/leads/${a.leadId}`} className="button" onClick={() => dismiss(a.id)}>
                  {t("alerts.openLead")}
                </Link>
              )}
              <button type="button" className="primary" onClick={() => ack.mutate({ alertId: a.id })} disabled={ack.isPending}>
                {t("alerts.ack")}
              </button>
              <button type="button" onClick={() => dismiss(a.id)}>
                {t("alerts.dismiss")}
              </button>
            </div>
          </section>
        ))}
      </div>
    </>
  );
}
