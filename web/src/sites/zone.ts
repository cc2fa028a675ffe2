// The time zone instants are shown in: a site's own zone, from ListSites.
import { useQuery } from "@connectrpc/connect-query";
import { TeamService } from "@relance/api/relance/v1/team_pb";
import { useMe } from "../auth/me";
import { browserTimeZone } from "../format/format";

/** useSiteZone returns the IANA zone of siteId, else of the person's first site, else the device's. */
export function useSiteZone(siteId?: string): string {
  const me = useMe();
  const sites = useQuery(TeamService.method.listSites, {}, { staleTime: 5 * 60_000 });
  const id = siteId || me.user?.siteIds[0];
  return sites.data?.sites.find((s) => s.id === id)?.timeZone || browserTimeZone();
}
