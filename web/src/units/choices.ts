// Which units a screen offers, and how it names them: pure, so that the rules are tested apart
// from the screens.
import type { Site, Unit } from "@relance/api/relance/v1/types_pb";

/** unitLabel names a unit with its site, as the reports name their unit rows: "New cars (Paris)". */
export function unitLabel(unit: Unit, sites: Site[]): string {
  const site = sites.find((s) => s.id === unit.siteId)?.name;
  return site ? `${unit.name} (${site})` : unit.name;
}

/**
 * unitsFor returns the units a person may be put in at siteId: the site's active units by name,
 * and current (the person's unit there, "" for none) even when deactivated, so that the choice
 * shows what is saved.
 */
export function unitsFor(units: Unit[], siteId: string, current: string): Unit[] {
  return units.filter((u) => u.siteId === siteId && (u.active || u.id === current)).sort((a, b) => a.name.localeCompare(b.name));
}
