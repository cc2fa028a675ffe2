// The dashboard's request, apart from its screen: the app asks for the first figures while it
// still loads the screen's code and learns who is signed in.
import { createQueryOptions } from "@connectrpc/connect-query";
import type { QueryClient } from "@tanstack/react-query";
import { ReportService } from "@relance/api/relance/v1/report_pb";
import { Category } from "@relance/api/relance/v1/types_pb";
import { transport } from "../transport/transport";

/** periods are the dashboard's periods in hours; the first is shown first. */
export const periods = [12, 24, 72, 168];

/** dashboardInput is the Dashboard request of a period in hours, a category and a business unit ("" for all). */
export function dashboardInput(hours: number, category: Category, unitId = "") {
  return { period: { seconds: BigInt(hours * 3600) }, filter: { category, unitId } };
}

/** prefetchDashboard fetches the figures the dashboard first shows, before it renders. */
export function prefetchDashboard(client: QueryClient): Promise<void> {
  return client.prefetchQuery(createQueryOptions(ReportService.method.dashboard, dashboardInput(periods[0] ?? 12, Category.UNSPECIFIED), { transport }));
}
