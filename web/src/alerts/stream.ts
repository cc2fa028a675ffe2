// The live alert stream: WatchAlerts over gRPC-web, resumed after the last alert received
// (after_alert_id) whenever the connection drops, so nothing is missed or shown twice.
import { useEffect, useRef, useState } from "react";
import { createClient } from "@connectrpc/connect";
import { AlertService, type Alert } from "@relance/api/relance/v1/alert_pb";
import { transport } from "../transport/transport";

/** StreamState is shown to the person: "reconnecting" while the stream is down. */
export type StreamState = "connecting" | "live" | "reconnecting";

// The server sends a heartbeat every 30 s: a stream silent for longer is dead.
const SILENCE_MS = 45_000;
const MAX_BACKOFF_MS = 10_000;

/** useAlertStream calls onAlert for each new alert while mounted and returns the stream's state. */
export function useAlertStream(onAlert: (a: Alert) => void): StreamState {
  const [state, setState] = useState<StreamState>("connecting");
  const handler = useRef(onAlert);
  handler.current = onAlert;

  useEffect(() => {
    const client = createClient(AlertService, transport);
    let stopped = false;
    let attempt: AbortController | undefined;
    let wake: (() => void) | undefined;
    let after = "";

    const pause = (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    const onOffline = () => attempt?.abort();
    const onOnline = () => wake?.();
    window.addEventListener("offline", onOffline);
    window.addEventListener("online", onOnline);

    (async () => {
      let backoff = 1000;
      while (!stopped) {
        if (after === "") {
          // Resume from the newest alert already listed, so that a drop before the first new
          // alert still replays what arrived meanwhile.
          try {
            after = (await client.listAlerts({ pageSize: 1 })).alerts[0]?.id ?? "";
          } catch {
            // The stream below starts from the newest alert on its own.
          }
        }
        attempt = new AbortController();
        const ctl = attempt;
        let watchdog = setTimeout(() => ctl.abort(), SILENCE_MS);
        try {
          for await (const res of client.watchAlerts({ afterAlertId: after }, { signal: ctl.signal })) {
            clearTimeout(watchdog);
            watchdog = setTimeout(() => ctl.abort(), SILENCE_MS);
            setState("live");
            backoff = 1000;
            if (res.alert) {
              after = res.alert.id;
              handler.current(res.alert);
            }
          }
        } catch {
          // Dropped, aborted or refused: try again below unless unmounted (an ended session
          // unmounts the app shell, and with it this stream).
        } finally {
          clearTimeout(watchdog);
        }
        if (stopped) break;
        setState("reconnecting");
        await pause(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    })();

    return () => {
      stopped = true;
      attempt?.abort();
      wake?.();
      window.removeEventListener("offline", onOffline);
      window.removeEventListener("online", onOnline);
    };
  }, []);
  return state;
}
