import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { SiteSchema, UnitSchema } from "@relance/api/relance/v1/types_pb";
import { unitLabel, unitsFor } from "./choices";

const paris = create(SiteSchema, { id: "s1", name: "Paris" });
const unit = (id: string, siteId: string, name: string, active = true) => create(UnitSchema, { id, siteId, name, active });

describe("unitLabel", () => {
  it("names the unit with its site, or alone when the site is not known", () => {
    expect(unitLabel(unit("u1", "s1", "New cars"), [paris])).toBe("New cars (Paris)");
    expect(unitLabel(unit("u1", "s2", "New cars"), [paris])).toBe("New cars");
  });
});

describe("unitsFor", () => {
  const units = [unit("u1", "s1", "Used cars"), unit("u2", "s1", "New cars"), unit("u3", "s1", "Service", false), unit("u4", "s2", "Body shop")];
  it("offers the site's active units by name", () => {
    expect(unitsFor(units, "s1", "").map((u) => u.id)).toEqual(["u2", "u1"]);
  });
  it("keeps the person's deactivated unit so that the saved choice shows", () => {
    expect(unitsFor(units, "s1", "u3").map((u) => u.id)).toEqual(["u2", "u3", "u1"]);
  });
  it("offers nothing of another site", () => {
    expect(unitsFor(units, "s3", "u4")).toEqual([]);
  });
});
