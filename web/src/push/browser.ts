// The browser's side of push: the service worker (registered once per page load; it keeps the
// app shell and shows push notifications) and this browser's Web Push subscription.

/** pushSupported reports whether this browser can receive Web Push at all. */
export function pushSupported(): boolean {
  return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
}

/** registerWorker installs the app's service worker (sw.js); a failure only costs offline start. */
export function registerWorker(): void {
  if (!("serviceWorker" in navigator)) return;
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js").catch(() => undefined);
  });
}

/** Subscription is what RegisterDevice needs of a PushSubscription. */
export type Subscription = { endpoint: string; p256dh: string; auth: string };

/**
 * subscribe asks for permission and subscribes this browser to push with the server's VAPID
 * public key (base64url); it returns the subscription, or throws when the person refuses or the
 * browser's push service cannot be reached.
 */
export async function subscribe(vapidKey: string): Promise<Subscription> {
  if ((await Notification.requestPermission()) !== "granted") throw new Error("permission denied");
  const reg = await navigator.serviceWorker.ready;
  const sub =
    (await reg.pushManager.getSubscription()) ??
    (await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: fromBase64Url(vapidKey) }));
  const json = sub.toJSON();
  return { endpoint: sub.endpoint, p256dh: json.keys?.["p256dh"] ?? "", auth: json.keys?.["auth"] ?? "" };
}

function fromBase64Url(s: string): Uint8Array<ArrayBuffer> {
  const b64 = s.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (s.length % 4)) % 4);
  const bin = atob(b64);
  const out = new Uint8Array(new ArrayBuffer(bin.length));
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** browserLabel names this browser for the person's device list ("Firefox · Android"). */
export function browserLabel(ua: string): string {
  const browser = /Edg\//.test(ua)
    ? "Edge"
    : /Firefox\//.test(ua)
      ? "Firefox"
      : /SamsungBrowser\//.test(ua)
        ? "Samsung Internet"
        : /Chrom(e|ium)\//.test(ua)
          ? "Chrome"
          : /Safari\//.test(ua)
            ? "Safari"
            : "Browser";
  const system = /Android/.test(ua)
    ? "Android"
    : /iPhone|iPad/.test(ua)
      ? "iOS"
      : /Windows/.test(ua)
        ? "Windows"
        : /Mac OS X/.test(ua)
          ? "macOS"
          : /Linux/.test(ua)
            ? "Linux"
            : "";
  return system ? `${browser} · ${system}` : browser;
}
