// Notifications (DeviceService): turn on push in this browser, see and remove my devices (phones
// with the mobile app, browsers), and choose what I get as push. Only the caller's own devices
// are ever listed.
import { type FormEvent, useEffect, useState } from "react";
import { useMutation, useQuery } from "@connectrpc/connect-query";
import { DeviceService, DeviceKind } from "@relance/api/relance/v1/device_pb";
import { ErrorBanner, Loading } from "../forms/field";
import { formatDateTime, instant } from "../format/format";
import { useI18n } from "../i18n/i18n";
import type { MessageKey } from "../i18n/fr";
import { useSiteZone } from "../sites/zone";
import { useRefresh } from "../transport/invalidate";
import { fieldErrors } from "../transport/transport";
import { browserLabel, pushSupported, subscribe } from "./browser";

export function NotificationsPage() {
  const { t } = useI18n();
  return (
    <>
      <h1>{t("push.title")}</h1>
      <ThisBrowser />
      <Devices />
      <Preferences />
    </>
  );
}

function ThisBrowser() {
  const { t } = useI18n();
  const key = useQuery(DeviceService.method.getWebPushKey, {}, { staleTime: Infinity });
  const refresh = useRefresh(DeviceService);
  const register = useMutation(DeviceService.method.registerDevice, { onSuccess: refresh });
  const [failure, setFailure] = useState<unknown>(undefined);
  const supported = pushSupported();
  const denied = supported && Notification.permission === "denied";
  const violations = Object.values(fieldErrors(register.error));
  async function enable() {
    setFailure(undefined);
    try {
      const sub = await subscribe(key.data?.publicKey ?? "");
      register.mutate({ label: browserLabel(navigator.userAgent), target: { case: "webPush", value: sub } });
    } catch (e) {
      setFailure(e);
    }
  }
  return (
    <section aria-labelledby="push-browser">
      <h2 id="push-browser">{t("push.thisBrowser")}</h2>
      <ErrorBanner error={key.error ?? failure ?? (violations.length ? undefined : register.error)} />
      {violations.map((v) => (
        <p key={v} className="field-error" role="alert">
          {v}
        </p>
      ))}
      {!supported ? (
        <p className="muted">{t("push.unsupported")}</p>
      ) : denied ? (
        <p className="muted">{t("push.denied")}</p>
      ) : key.data && !key.data.publicKey ? (
        <p className="muted">{t("push.noKey")}</p>
      ) : register.isSuccess ? (
        <p role="status">{t("push.enabled")}</p>
      ) : (
        <button type="button" onClick={() => void enable()} disabled={!key.data || register.isPending}>
          {t("push.enable")}
        </button>
      )}
    </section>
  );
}

function Devices() {
  const { t, lang } = useI18n();
  const zone = useSiteZone();
  const devices = useQuery(DeviceService.method.listDevices, {});
  const refresh = useRefresh(DeviceService);
  const remove = useMutation(DeviceService.method.removeDevice, { onSuccess: refresh });
  const list = devices.data?.devices ?? [];
  return (
    <section aria-labelledby="push-devices">
      <h2 id="push-devices">{t("push.devices")}</h2>
      <ErrorBanner error={devices.error ?? remove.error} />
      {devices.isPending ? (
        <Loading />
      ) : list.length === 0 ? (
        <p className="muted">{t("push.noDevices")}</p>
      ) : (
        <ul className="list">
          {list.map((d) => {
            const kind = t(`push.kind.${d.kind === DeviceKind.FCM ? 1 : 2}` as MessageKey);
            const name = d.label || kind;
            return (
              <li key={d.id} className="card">
                <p className="card-title">{name}</p>
                <p className="muted">{[kind, d.pushService].filter(Boolean).join(" · ")}</p>
                <p className="muted">{t("push.added", { at: formatDateTime(instant(d.createTime), zone, lang) })}</p>
                {d.lastUseTime && <p className="muted">{t("push.lastUsed", { at: formatDateTime(instant(d.lastUseTime), zone, lang) })}</p>}
                <button type="button" className="danger" disabled={remove.isPending} aria-label={t("push.removeNamed", { name })} onClick={() => remove.mutate({ deviceId: d.id })}>
                  {t("common.remove")}
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

type Prefs = { assignments: boolean; reminders: boolean; dueActions: boolean };
const prefKeys: { key: keyof Prefs; label: MessageKey }[] = [
  { key: "assignments", label: "push.assignments" },
  { key: "reminders", label: "push.reminders" },
  { key: "dueActions", label: "push.dueActions" },
];

function Preferences() {
  const { t } = useI18n();
  const current = useQuery(DeviceService.method.getPushPreferences, {});
  const refresh = useRefresh(DeviceService);
  const save = useMutation(DeviceService.method.setPushPreferences, { onSuccess: refresh });
  const [prefs, setPrefs] = useState<Prefs | undefined>(undefined);
  const loaded = current.data?.preferences;
  useEffect(() => {
    if (loaded) setPrefs({ assignments: loaded.assignments, reminders: loaded.reminders, dueActions: loaded.dueActions });
  }, [loaded]);
  function submit(e: FormEvent) {
    e.preventDefault();
    if (prefs) save.mutate({ preferences: prefs });
  }
  return (
    <section aria-labelledby="push-prefs">
      <h2 id="push-prefs">{t("push.preferences")}</h2>
      <ErrorBanner error={current.error ?? save.error} />
      {!prefs ? (
        <Loading />
      ) : (
        <form onSubmit={submit}>
          {prefKeys.map(({ key, label }) => (
            <div className="field" key={key}>
              <label>
                <input type="checkbox" checked={prefs[key]} onChange={(e) => setPrefs({ ...prefs, [key]: e.target.checked })} /> {t(label)}
              </label>
            </div>
          ))}
          <button type="submit" disabled={save.isPending}>
            {t("common.save")}
          </button>
          {save.isSuccess && <span role="status"> {t("common.saved")}</span>}
        </form>
      )}
    </section>
  );
}
