// The app: sign-in while signed out; once signed in, who the person is (WhoAmI) and the page
// of the path, if their role is offered it.
import { type ComponentType, type ReactNode, Suspense, lazy, useEffect, useMemo, useSyncExternalStore } from "react";
import { useQuery } from "@connectrpc/connect-query";
import { useQueryClient } from "@tanstack/react-query";
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
import { subscribe, token } from "./transport/session";

// Manager and admin screens load on first visit, so an advisor's first page carries none of them.
function lazyPage<K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K) {
  return lazy(() => load().then((m) => ({ default: m[name] })));
}
const Dashboard = lazyPage(() => import("./reports/dashboard"), "Dashboard");
const ResponseTimes = lazyPage(() => import("./reports/response-times"), "ResponseTimes");
const DecisionsPage = lazyPage(() => import("./decisions/decisions"), "DecisionsPage");
const SitesPage = lazyPage(() => import("./sites/sites"), "SitesPage");
const ApiKeysPage = lazyPage(() => import("./auth/api-keys"), "ApiKeysPage");
const NotificationsPage = lazyPage(() => import("./push/notifications"), "NotificationsPage");

type Route = { pattern: string; page: PageName; render: (params: Record<string, string>) => ReactNode };

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
  { pattern: "/notifications", page: "notifications", render: () => <NotificationsPage /> },
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
