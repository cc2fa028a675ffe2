// The signed-in frame: header with the pages the role is offered, the alert stream's state,
// sign-out, and the live alert pop-ups over every page.
import { type ReactNode, useState } from "react";
import { useMutation } from "@connectrpc/connect-query";
import { AuthService } from "@relance/api/relance/v1/auth_pb";
import { LiveAlerts } from "../alerts/popup";
import type { StreamState } from "../alerts/stream";
import { type PageName, offers, useMe } from "../auth/me";
import { useI18n } from "../i18n/i18n";
import type { MessageKey } from "../i18n/fr";
import { endSession } from "../transport/session";
import { Link, usePath } from "./router";

const nav: { page: PageName; href: string; label: MessageKey }[] = [
  { page: "dashboard", href: "/dashboard", label: "nav.dashboard" },
  { page: "reports", href: "/reports", label: "nav.reports" },
  { page: "compliance", href: "/compliance", label: "nav.compliance" },
  { page: "advisorReport", href: "/advisor-report", label: "nav.advisorReport" },
  { page: "calls", href: "/calls", label: "nav.calls" },
  { page: "planStats", href: "/plan-stats", label: "nav.planStats" },
  { page: "decisions", href: "/decisions", label: "nav.decisions" },
  { page: "actions", href: "/actions", label: "nav.actions" },
  { page: "leads", href: "/leads", label: "nav.leads" },
  { page: "alerts", href: "/alerts", label: "nav.alerts" },
  { page: "absences", href: "/absences", label: "nav.absences" },
  { page: "teamAbsences", href: "/team-absences", label: "nav.teamAbsences" },
  { page: "sites", href: "/sites", label: "nav.sites" },
  { page: "apiKeys", href: "/api-keys", label: "nav.apiKeys" },
  { page: "users", href: "/users", label: "nav.users" },
  { page: "reminders", href: "/reminders", label: "nav.reminders" },
  { page: "statuses", href: "/statuses", label: "nav.statuses" },
  { page: "plans", href: "/plans", label: "nav.plans" },
  { page: "organization", href: "/organization", label: "nav.organization" },
  { page: "notifications", href: "/notifications", label: "nav.notifications" },
  { page: "distribution", href: "/distribution", label: "nav.distribution" },
  { page: "adf", href: "/adf", label: "nav.adf" },
];

export function Shell({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  const me = useMe();
  const path = usePath();
  const [stream, setStream] = useState<StreamState>("connecting");
  const logout = useMutation(AuthService.method.logout, { onSettled: () => endSession() });
  return (
    <>
      <a className="skip" href="#main">
        {t("app.skip")}
      </a>
      <header className="top">
        <div className="brand">
          <strong>{t("app.name")}</strong>
          <span className="muted">
            {me.organizationName} · {me.user?.displayName}
          </span>
        </div>
        <nav aria-label={t("nav.main")}>
          <ul>
            {nav
              .filter((n) => offers(me.role, n.page))
              .map((n) => (
                <li key={n.page}>
                  <Link href={n.href} aria-current={path.startsWith(n.href) ? "page" : undefined}>
                    {t(n.label)}
                  </Link>
                </li>
              ))}
            <li>
              <button type="button" className="link" onClick={() => logout.mutate({})} disabled={logout.isPending}>
                {t("nav.signOut")}
              </button>
            </li>
          </ul>
        </nav>
      </header>
      {stream === "reconnecting" && (
        <p className="banner warn" role="status">
          {t("alerts.reconnecting")}
        </p>
      )}
      <main id="main" data-stream={stream}>
        {children}
      </main>
      <LiveAlerts onState={setStream} />
    </>
  );
}
