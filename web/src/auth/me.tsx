// Who is signed in (WhoAmI): their role decides which pages the app offers; the API decides
// what they may do.
import { createContext, useContext } from "react";
import type { WhoAmIResponse } from "@relance/api/relance/v1/auth_pb";
import { Role } from "@relance/api/relance/v1/types_pb";

export const MeContext = createContext<WhoAmIResponse | undefined>(undefined);

/** useMe returns the signed-in person; only inside the signed-in app. */
export function useMe(): WhoAmIResponse {
  const me = useContext(MeContext);
  if (!me) throw new Error("useMe outside the signed-in app");
  return me;
}

/** Page is one screen of the app and the roles it is offered to. */
export type PageName =
  | "leads"
  | "actions"
  | "alerts"
  | "absences"
  | "dashboard"
  | "reports"
  | "decisions"
  | "sites"
  | "apiKeys"
  | "compliance"
  | "advisorReport"
  | "calls"
  | "planStats"
  | "users"
  | "reminders"
  | "statuses"
  | "plans"
  | "organization"
  | "teamAbsences"
  | "notifications"
  | "distribution"
  | "adf";

const offered: Record<PageName, Role[]> = {
  leads: [Role.ADVISOR, Role.MANAGER, Role.ADMIN],
  actions: [Role.ADVISOR, Role.MANAGER, Role.ADMIN],
  alerts: [Role.ADVISOR, Role.MANAGER, Role.ADMIN],
  absences: [Role.ADVISOR, Role.MANAGER, Role.ADMIN],
  dashboard: [Role.MANAGER, Role.ADMIN],
  reports: [Role.MANAGER, Role.ADMIN],
  decisions: [Role.MANAGER, Role.ADMIN],
  sites: [Role.ADMIN],
  apiKeys: [Role.ADMIN],
  compliance: [Role.MANAGER, Role.ADMIN],
  advisorReport: [Role.MANAGER, Role.ADMIN],
  calls: [Role.MANAGER, Role.ADMIN],
  planStats: [Role.MANAGER, Role.ADMIN],
  users: [Role.ADMIN],
  reminders: [Role.ADMIN],
  statuses: [Role.ADMIN],
  plans: [Role.ADMIN],
  organization: [Role.ADMIN],
  teamAbsences: [Role.MANAGER],
  notifications: [Role.ADVISOR, Role.MANAGER, Role.ADMIN],
  distribution: [Role.MANAGER, Role.ADMIN],
  adf: [Role.ADMIN],
};

/** offers reports whether the app shows a page to a role (the API still checks every call). */
export function offers(role: Role, page: PageName): boolean {
  return offered[page].includes(role);
}

/** homeOf is the first page of a role. */
export function homeOf(role: Role): string {
  return role === Role.ADVISOR ? "/actions" : "/dashboard";
}
