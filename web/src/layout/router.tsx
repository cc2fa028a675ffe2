// A small router over the History API: the app has a handful of flat routes, which do not
// justify a routing library in the first page's bundle.
import { type AnchorHTMLAttributes, type MouseEvent, useSyncExternalStore } from "react";

const listeners = new Set<() => void>();
window.addEventListener("popstate", () => listeners.forEach((l) => l()));

/** navigate shows path, adding a history entry (or replacing the current one). */
export function navigate(path: string, replace = false): void {
  if (replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  window.scrollTo(0, 0);
  listeners.forEach((l) => l());
}

/** usePath returns the current path and re-renders when it changes. */
export function usePath(): string {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => window.location.pathname,
  );
}

/** match returns the parameters of path against a pattern such as "/leads/:id", or undefined. */
export function match(pattern: string, path: string): Record<string, string> | undefined {
  const p = pattern.split("/");
  const s = path.replace(/\/+$/, "").split("/");
  if (path === "/") s.splice(1);
  if (p.length !== s.length) return undefined;
  const out: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const want = p[i] ?? "";
    const got = decodeURIComponent(s[i] ?? "");
    if (want.startsWith(":")) out[want.slice(1)] = got;
    else if (want !== got) return undefined;
  }
  return out;
}

/** Link is an anchor that changes page without reloading it. */
export function Link({ href, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const click = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href);
  };
  return <a href={href} onClick={click} {...rest} />;
}
