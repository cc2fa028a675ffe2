// The app: sign-in while signed out; once signed in, who the person is (WhoAmI) and the page
// of the path, if their role is offered it.
import { type ComponentType, type ReactNode, Suspense, lazy, useEffect, useMemo, useState, useSyncExternalStore } from "react";
import { createQueryOptions, useQuery } from "@connectrpc/connect-query";
import { type QueryClient, useQueryClient } from "@tanstack/react-query";
import { AuthService } from "@relance/api/relance/v1/auth_pb";
import { AbsencesPage } from "./absences/absences";
import { ActionInbox } from "./actions/inbox";
import { AlertsPage } from "./alerts/alerts";
import { MeContext, type PageName, homeOf, offers, useMe } from "./auth/me";
import { SignIn } from "./auth/sign-in";
import { ErrorBanner, Loading } from "./forms/field";
import { I18nContext, langOf, translator } from "./i18n/i18n";
import { LeadCard } from "./leads/lead-card";
import { MyLeads } from "./leads/my-leads";
import { Forbidden, NotFound } from "./layout/pages";
import { match, navigate, usePath } from "./layout/router";
import { Shell } from "./layout/shell";
import { prefetchDashboard } from "./reports/dashboard-query";
import { subscribe, token } from "./transport/session";
import { transport } from "./transport/transport";

// Manager and admin screens load on first visit, so an advisor's first page carries none of them.
// preload starts loading one early (while WhoAmI runs); once loaded, the page renders at once,
// without suspending (React holds a revealed fallback for a while before showing the content).
function lazyPage<K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K) {
  let loaded: ComponentType | undefined;
  let loading: Promise<ComponentType> | undefined;
  const preload = () => (loading ??= load().then((m) => (loaded = m[name])));
  const Lazy = lazy(() => preload().then((c) => ({ default: c })));
  const Page = () => {
    // Chosen once per mount: switching from Lazy to the loaded component later would remount
    // the page and lose what was typed in it.
    const [C] = useState(() => loaded);
    return C ? <C /> : <Lazy />;
  };
  return Object.assign(Page, { preload });
}
const Dashboard = lazyPage(() => import("./reports/dashboard"), "Dashboard");
const ResponseTimes = lazyPage(() => import("./reports/response-times"), "ResponseTimes");
const DecisionsPage = lazyPage(() => import("./decisions/decisions"), "DecisionsPage");
const SitesPage = lazyPage(() => import("./sites/sites"), "SitesPage");
const ApiKeysPage = lazyPage(() => import("./auth/api-keys"), "ApiKeysPage");
const ComplianceReport = lazyPage(() => import("./reports/compliance"), "ComplianceReport");
const AdvisorReport = lazyPage(() => import("./reports/advisors"), "AdvisorReport");
const ScheduledCalls = lazyPage(() => import("./calls/scheduled"), "ScheduledCalls");
const PlanStats = lazyPage(() => import("./plans/stats"), "PlanStats");
const UsersPage = lazyPage(() => import("./users/users"), "UsersPage");
const LadderPage = lazyPage(() => import("./reminders/ladder"), "LadderPage");
const StatusesPage = lazyPage(() => import("./statuses/statuses"), "StatusesPage");
const PlansPage = lazyPage(() => import("./plans/plans"), "PlansPage");
const OrganizationPage = lazyPage(() => import("./organization/settings"), "OrganizationPage");
const TeamAbsencesPage = lazyPage(() => import("./absences/team"), "TeamAbsencesPage");
const NotificationsPage = lazyPage(() => import("./push/notifications"), "NotificationsPage");
const DistributionPage = lazyPage(() => import("./distribution/rules"), "DistributionPage");
const AdfPage = lazyPage(() => import("./adf/adf"), "AdfPage");

type Route = { pattern: string; page: PageName; render: (params: Record<string, string>) => ReactNode };

// What the first path needs, fetched while WhoAmI runs: its screen's code and, for the dashboard,
// its figures (the API still refuses them to a role it is not offered to).
const early: Record<string, (client: QueryClient) => void> = {
  "/dashboard": (client) => {
    void Dashboard.preload();
    void prefetchDashboard(client);
  },
  "/reports": () => void ResponseTimes.preload(),
  "/decisions": () => void DecisionsPage.preload(),
  "/compliance": () => void ComplianceReport.preload(),
  "/advisor-report": () => void AdvisorReport.preload(),
  "/calls": () => void ScheduledCalls.preload(),
  "/plan-stats": () => void PlanStats.preload(),
};

const routes: Route[] = [
  { pattern: "/leads", page: "leads", render: () => <MyLeads /> },
  { pattern: "/leads/:id", page: "leads", render: (p) => <LeadCard leadId={p["id"] ?? ""} /> },
  { pattern: "/actions", page: "actions", render: () => <ActionInbox /> },
  { pattern: "/alerts", page: "alerts", render: () => <AlertsPage /> },
  { pattern: "/absences", page: "absences", render: () => <AbsencesPage /> },
  { pattern: "/dashboard", page: "dashboard", render: () => <Dashboard /> },
  { pattern: "/reports", page: "reports", render: () => <ResponseTimes /> },
  { pattern: "/decisions", page: "decisions", render: () => <DecisionsPage /> },
  { pattern: "/sites", page: "sites", render: () => <SitesPage /> },
  { pattern: "/api-keys", page: "apiKeys", render: () => <ApiKeysPage /> },
  { pattern: "/compliance", page: "compliance", render: () => <ComplianceReport /> },
  { pattern: "/advisor-report", page: "advisorReport", render: () => <AdvisorReport /> },
  { pattern: "/calls", page: "calls", render: () => <ScheduledCalls /> },
  { pattern: "/plan-stats", page: "planStats", render: () => <PlanStats /> },
  { pattern: "/users", page: "users", render: () => <UsersPage /> },
  { pattern: "/reminders", page: "reminders", render: () => <LadderPage /> },
  { pattern: "/statuses", page: "statuses", render: () => <StatusesPage /> },
  { pattern: "/plans", page: "plans", render: () => <PlansPage /> },
  { pattern: "/organization", page: "organization", render: () => <OrganizationPage /> },
  { pattern: "/team-absences", page: "teamAbsences", render: () => <TeamAbsencesPage /> },
  { pattern: "/notifications", page: "notifications", render: () => <NotificationsPage /> },
  { pattern: "/distribution", page: "distribution", render: () => <DistributionPage /> },
  { pattern: "/adf", page: "adf", render: () => <AdfPage /> },
];

export function App() {
  const signedIn = useSyncExternalStore(subscribe, () => token() !== "");
  const queryClient = useQueryClient();
  useEffect(() => {
    if (!signedIn) queryClient.clear(); // nothing of the last person stays in memory
  }, [signedIn, queryClient]);
  const anonymous = useMemo(() => {
    const lang = langOf(undefined);
    return { lang, t: translator(lang) };
  }, []);
  if (!signedIn) {
    return (
      <I18nContext.Provider value={anonymous}>
        <SignIn />
      </I18nContext.Provider>
    );
  }
  return <SignedIn />;
}

/**
 * prefetch starts, before the first render, what a signed-in person's first page needs: WhoAmI,
 * and the code and data of the page at the address (see early).
 */
export function prefetch(client: QueryClient): void {
  if (token() === "") return;
  void client.prefetchQuery({ ...createQueryOptions(AuthService.method.whoAmI, {}, { transport }), staleTime: Infinity });
  early[window.location.pathname]?.(client);
}

function SignedIn() {
  const me = useQuery(AuthService.method.whoAmI, {}, { staleTime: Infinity });
  const lang = langOf(me.data?.user?.locale);
  const i18n = useMemo(() => ({ lang, t: translator(lang) }), [lang]);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  if (!me.data) {
    return (
      <I18nContext.Provider value={i18n}>
        <main id="main">{me.error ? <ErrorBanner error={me.error} /> : <Loading />}</main>
      </I18nContext.Provider>
    );
  }
  return (
    <I18nContext.Provider value={i18n}>
      <MeContext.Provider value={me.data}>
        <Shell>
          <Suspense fallback={<Loading />}>
            <Page />
          </Suspense>
        </Shell>
      </MeContext.Provider>
    </I18nContext.Provider>
  );
}

function Page() {
  const path = usePath();
  const role = useMe().role;
  const home = path === "/" || path === "/sign-in";
  useEffect(() => {
    if (home) navigate(homeOf(role), true);
  }, [home, role]);
  if (home) return null;
  for (const r of routes) {
    const params = match(r.pattern, path);
    if (params) return offers(role, r.page) ? r.render(params) : <Forbidden />;
  }
  return <NotFound />;
}
