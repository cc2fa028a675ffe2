// The signed-in person's bearer token, kept in localStorage so that every tab shares it, with
// listeners so the app returns to sign-in the moment it is gone (sign-out, expiry, another tab).
const KEY = "relance.session";

type Stored = { token: string; expires: number };

const listeners = new Set<() => void>();

function read(): Stored | undefined {
  try {
    const s = JSON.parse(localStorage.getItem(KEY) ?? "null") as Stored | null;
    return s && typeof s.token === "string" ? s : undefined;
  } catch {
    return undefined;
  }
}

/** token returns the current bearer token, or "" when signed out or expired. */
export function token(): string {
  const s = read();
  return s && !(s.expires && s.expires <= Date.now()) ? s.token : "";
}

// The session ends on its own at its expiry, even on a page left open without calls.
let expiry: ReturnType<typeof setTimeout> | undefined;
function watchExpiry(): void {
  clearTimeout(expiry);
  const s = read();
  if (s?.expires) expiry = setTimeout(endSession, Math.min(Math.max(0, s.expires - Date.now()), 2 ** 31 - 1));
}
watchExpiry();

/** startSession keeps a token from Login until its expiry (ms since the epoch). */
export function startSession(t: string, expires: number): void {
  localStorage.setItem(KEY, JSON.stringify({ token: t, expires } satisfies Stored));
  watchExpiry();
  listeners.forEach((l) => l());
}

/** endSession forgets the token; the app shows sign-in. */
export function endSession(): void {
  clearTimeout(expiry);
  if (localStorage.getItem(KEY) === null) return;
  localStorage.removeItem(KEY);
  listeners.forEach((l) => l());
}

/** subscribe calls l when the session starts or ends, here or in another tab. */
export function subscribe(l: () => void): () => void {
  listeners.add(l);
  const onStorage = (e: StorageEvent) => {
    if (e.key !== KEY) return;
    watchExpiry();
    l();
  };
  window.addEventListener("storage", onStorage);
  return () => {
    listeners.delete(l);
    window.removeEventListener("storage", onStorage);
  };
}
