// Business units (departments inside a site: new cars, used cars, service…): a site's units
// created, renamed, deactivated or reactivated by admins on the sites page; a person's unit at
// each of their sites set on the users page; and the unit filter of the reports, which managers
// read. The API's field violations appear next to the field they name.
import { type FormEvent, useState } from "react";
import { useMutation, useQuery } from "@connectrpc/connect-query";
import { TeamService } from "@relance/api/relance/v1/team_pb";
import type { Site, Unit, User } from "@relance/api/relance/v1/types_pb";
import { ErrorBanner, Field, Loading } from "../forms/field";
import { useI18n } from "../i18n/i18n";
import { useRefresh } from "../transport/invalidate";
import { fieldErrors } from "../transport/transport";
import { unitLabel, unitsFor } from "./choices";

/** SiteUnits lists a site's units, each renamed or (de)activated in place, and adds new ones. */
export function SiteUnits({ site }: { site: Site }) {
  const { t } = useI18n();
  const units = useQuery(TeamService.method.listUnits, { siteId: site.id });
  const list = units.data?.units ?? [];
  return (
    <section className="card" aria-labelledby="units">
      <h2 id="units">{t("units.title")}</h2>
      <ErrorBanner error={units.error} />
      {units.isPending ? (
        <Loading />
      ) : list.length === 0 ? (
        <p className="muted">{t("units.none")}</p>
      ) : (
        <ul className="units" aria-label={t("units.listOf", { site: site.name })}>
          {list.map((u) => (
            <UnitRow key={`${u.id}-${u.name}`} unit={u} />
          ))}
        </ul>
      )}
      <AddUnit site={site} />
    </section>
  );
}

/** UnitRow renames one unit, and deactivates or reactivates it. */
function UnitRow({ unit }: { unit: Unit }) {
  const { t } = useI18n();
  const refresh = useRefresh(TeamService);
  const [name, setName] = useState(unit.name);
  const rename = useMutation(TeamService.method.updateUnit, { onSuccess: refresh });
  const toggle = useMutation(TeamService.method.updateUnit, { onSuccess: refresh });
  const errors = fieldErrors(rename.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    rename.mutate({ unitId: unit.id, name });
  };
  return (
    <li aria-label={unit.name}>
      <form className="row" onSubmit={submit}>
        <Field label={t("units.renameNamed", { name: unit.name })} error={errors["name"]}>
          {(p) => <input {...p} maxLength={100} value={name} onChange={(e) => (rename.reset(), setName(e.target.value))} />}
        </Field>
        {!unit.active && <span className="badge">{t("units.inactive")}</span>}
        <button type="submit" disabled={rename.isPending || name === unit.name}>
          {t("units.rename")}
        </button>
        <button
          type="button"
          className={unit.active ? "danger" : undefined}
          disabled={toggle.isPending}
          onClick={() => toggle.mutate({ unitId: unit.id, active: !unit.active })}
        >
          {unit.active ? t("units.deactivate") : t("units.reactivate")}
        </button>
      </form>
      {Object.keys(errors).length === 0 && <ErrorBanner error={rename.error} />}
      <ErrorBanner error={toggle.error} />
    </li>
  );
}

/** AddUnit creates a unit on a site; a name the API refuses is marked on its field. */
function AddUnit({ site }: { site: Site }) {
  const { t } = useI18n();
  const refresh = useRefresh(TeamService);
  const [name, setName] = useState("");
  const add = useMutation(TeamService.method.createUnit, {
    onSuccess: () => {
      setName("");
      refresh();
    },
  });
  const errors = fieldErrors(add.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate({ siteId: site.id, name });
  };
  return (
    <form onSubmit={submit} aria-labelledby="add-unit">
      <h3 id="add-unit">{t("units.addTitle")}</h3>
      {Object.keys(errors).length === 0 && <ErrorBanner error={add.error} />}
      <Field label={t("units.name")} error={errors["name"]}>
        {(p) => <input {...p} maxLength={100} placeholder={t("units.placeholder")} value={name} onChange={(e) => (add.reset(), setName(e.target.value))} />}
      </Field>
      <button type="submit" className="primary" disabled={add.isPending}>
        {t("units.add")}
      </button>
    </form>
  );
}

/** UserUnits sets a person's unit at each of their sites (admins), one site at a time. */
export function UserUnits({ user }: { user: User }) {
  const { t } = useI18n();
  const sites = useQuery(TeamService.method.listSites, {});
  const units = useQuery(TeamService.method.listUnits, {});
  const siteName = new Map((sites.data?.sites ?? []).map((s) => [s.id, s.name]));
  return (
    <section className="card" aria-labelledby="user-units">
      <h2 id="user-units">{t("units.ofUser", { name: user.displayName })}</h2>
      <ErrorBanner error={sites.error ?? units.error} />
      {sites.isPending || units.isPending ? (
        <Loading />
      ) : user.siteIds.length === 0 ? (
        <p className="muted">{t("units.noSites")}</p>
      ) : (
        user.siteIds.map((siteId) => {
          const current = user.units.find((su) => su.siteId === siteId)?.unitId ?? "";
          return (
            <UnitAt
              key={`${siteId}-${current}`}
              user={user}
              siteId={siteId}
              siteName={siteName.get(siteId) ?? "—"}
              current={current}
              units={unitsFor(units.data?.units ?? [], siteId, current)}
            />
          );
        })
      )}
    </section>
  );
}

/** UnitAt chooses a person's unit at one site, or none, and saves it with SetUserUnit. */
function UnitAt({ user, siteId, siteName, current, units }: { user: User; siteId: string; siteName: string; current: string; units: Unit[] }) {
  const { t } = useI18n();
  const refresh = useRefresh(TeamService);
  const [unitId, setUnitId] = useState(current);
  const save = useMutation(TeamService.method.setUserUnit, { onSuccess: refresh });
  const errors = fieldErrors(save.error);
  const label = t("units.at", { site: siteName });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({ userId: user.id, siteId, unitId });
  };
  return (
    <form className="row" onSubmit={submit} aria-label={label}>
      <Field label={label} error={errors["unit_id"] ?? errors["site_id"]}>
        {(p) => (
          <select {...p} value={unitId} onChange={(e) => (save.reset(), setUnitId(e.target.value))}>
            <option value="">{t("units.noUnit")}</option>
            {units.map((u) => (
              <option key={u.id} value={u.id}>
                {u.active ? u.name : `${u.name} (${t("units.inactive")})`}
              </option>
            ))}
          </select>
        )}
      </Field>
      <button type="submit" className="primary" disabled={save.isPending || unitId === current}>
        {t("common.save")}
      </button>
      {Object.keys(errors).length === 0 && <ErrorBanner error={save.error} />}
    </form>
  );
}

/**
 * UnitField picks the business unit a report is filtered on, or all of them; nothing is shown
 * while the organisation has no unit the person may see.
 */
export function UnitField({ value, onChange }: { value: string; onChange: (unitId: string) => void }) {
  const { t } = useI18n();
  const units = useQuery(TeamService.method.listUnits, {}, { staleTime: 5 * 60_000 });
  const sites = useQuery(TeamService.method.listSites, {}, { staleTime: 5 * 60_000 });
  const list = units.data?.units ?? [];
  if (list.length === 0) return null;
  const all = sites.data?.sites ?? [];
  return (
    <Field label={t("units.filter")}>
      {(p) => (
        <select {...p} value={value} onChange={(e) => onChange(e.target.value)}>
          <option value="">{t("units.all")}</option>
          {list.map((u) => (
            <option key={u.id} value={u.id}>
              {u.active ? unitLabel(u, all) : `${unitLabel(u, all)} (${t("units.inactive")})`}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
