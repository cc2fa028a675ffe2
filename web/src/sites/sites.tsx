// Sites (admins): a site's time zone and the country national phone numbers are read in; the
// weekly opening hours, several spans a day, edited and saved in one UpdateSite; its closures,
// added or removed one by one, and an .ics holiday feed imported into them; its business units.
// The API's field violations appear next to the span they name.
import { type FormEvent, useEffect, useState } from "react";
import { create } from "@bufbuild/protobuf";
import { useMutation, useQuery } from "@connectrpc/connect-query";
import { TeamService } from "@relance/api/relance/v1/team_pb";
import { ClosureSchema, OpeningWindowSchema, type OpeningWindow, type Site, Weekday } from "@relance/api/relance/v1/types_pb";
import { ErrorBanner, Field, Loading } from "../forms/field";
import { useI18n } from "../i18n/i18n";
import type { MessageKey } from "../i18n/fr";
import { useRefresh } from "../transport/invalidate";
import { fieldErrors } from "../transport/transport";
import { SiteUnits } from "../units/units";
import { SiteSelect } from "./site-select";

const weekdays = [Weekday.MONDAY, Weekday.TUESDAY, Weekday.WEDNESDAY, Weekday.THURSDAY, Weekday.FRIDAY, Weekday.SATURDAY, Weekday.SUNDAY];

export function SitesPage() {
  const { t } = useI18n();
  const sites = useQuery(TeamService.method.listSites, {});
  const [siteId, setSiteId] = useState("");
  const list = sites.data?.sites ?? [];
  const site = list.find((s) => s.id === siteId) ?? list[0];
  return (
    <>
      <h1>{t("sites.title")}</h1>
      <ErrorBanner error={sites.error} />
      {sites.isPending ? (
        <Loading />
      ) : (
        <>
          <SiteSelect label={t("sites.title")} sites={list} value={site?.id ?? ""} onChange={setSiteId} />
          {site && (
            <>
              <TimeZone key={`zone-${site.id}`} site={site} />
              <CountryForm key={`country-${site.id}`} site={site} />
              <HoursEditor key={site.id} site={site} />
              <Closures site={site} />
              <SiteUnits key={`units-${site.id}`} site={site} />
            </>
          )}
        </>
      )}
    </>
  );
}

/** TimeZone changes the IANA zone a site's hours, closures and times are read in. */
function TimeZone({ site }: { site: Site }) {
  const { t } = useI18n();
  const refresh = useRefresh(TeamService);
  const [zone, setZone] = useState(site.timeZone);
  const save = useMutation(TeamService.method.updateSite, { onSuccess: refresh });
  const errors = fieldErrors(save.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({ siteId: site.id, timeZone: zone });
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby="time-zone">
      <h2 id="time-zone">{t("sites.timeZone")}</h2>
      {Object.keys(errors).length === 0 && <ErrorBanner error={save.error} />}
      {save.isSuccess && (
        <p className="banner ok" role="status">
          {t("common.saved")}
        </p>
      )}
      <Field label={t("admin.zoneLabel")} error={errors["time_zone"]}>
        {(p) => <input {...p} autoComplete="off" placeholder="Europe/Paris" maxLength={64} value={zone} onChange={(e) => (save.reset(), setZone(e.target.value))} />}
      </Field>
      <button type="submit" className="primary" disabled={save.isPending}>
        {t("admin.zoneSubmit")}
      </button>
    </form>
  );
}

// CountryForm sets the site's country (ISO 3166-1 alpha-2), named in the person's language.
function CountryForm({ site }: { site: Site }) {
  const { lang, t } = useI18n();
  const refresh = useRefresh(TeamService);
  const [country, setCountry] = useState(site.country);
  const save = useMutation(TeamService.method.updateSite, { onSuccess: refresh });
  const errors = fieldErrors(save.error);
  const name = /^[A-Z]{2}$/.test(country) ? new Intl.DisplayNames([lang], { type: "region" }).of(country) : undefined;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({ siteId: site.id, country });
  };
  return (
    <form className="card row" onSubmit={submit} aria-label={t("sites.country")}>
      {Object.keys(errors).length === 0 && <ErrorBanner error={save.error} />}
      <Field label={t("sites.country")} error={errors["country"] ?? (site.country === "" ? t("sites.countryMissing") : undefined)}>
        {(p) => (
          <input
            {...p}
            required
            maxLength={2}
            size={3}
            autoCapitalize="characters"
            value={country}
            onChange={(e) => {
              save.reset();
              setCountry(e.target.value.toUpperCase());
            }}
          />
        )}
      </Field>
      {name && name !== country && <span className="muted">{name}</span>}
      <button type="submit" className="primary" disabled={save.isPending || country === site.country}>
        {t("common.save")}
      </button>
    </form>
  );
}

function HoursEditor({ site }: { site: Site }) {
  const { t } = useI18n();
  const refresh = useRefresh(TeamService);
  const [windows, setWindows] = useState<OpeningWindow[]>(site.windows);
  useEffect(() => setWindows(site.windows), [site.windows]);
  const save = useMutation(TeamService.method.updateSite, { onSuccess: refresh });
  const errors = fieldErrors(save.error);
  const edit = (i: number, change: Partial<Pick<OpeningWindow, "weekday" | "start" | "end">>) => {
    save.reset();
    setWindows((ws) => ws.map((w, j) => (j === i ? create(OpeningWindowSchema, { weekday: w.weekday, start: w.start, end: w.end, ...change }) : w)));
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({ siteId: site.id, windows: { windows } });
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby="hours">
      <h2 id="hours">{t("sites.hours")}</h2>
      {Object.keys(errors).length === 0 && <ErrorBanner error={save.error} />}
      {save.isSuccess && (
        <p className="banner ok" role="status">
          {t("common.saved")}
        </p>
      )}
      <ol className="windows">
        {windows.map((w, i) => {
          const at = `windows.windows[${i}]`;
          const rowError = errors[at];
          return (
            <li key={i} className="window" aria-label={`${t(`weekday.${w.weekday}` as MessageKey)} ${w.start}–${w.end}`}>
              <Field label={t("sites.weekday")} error={errors[`${at}.weekday`]}>
                {(p) => (
                  <select {...p} value={w.weekday} onChange={(e) => edit(i, { weekday: Number(e.target.value) })}>
                    {weekdays.map((d) => (
                      <option key={d} value={d}>
                        {t(`weekday.${d}` as MessageKey)}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field label={t("sites.start")} error={errors[`${at}.start`]}>
                {(p) => <input {...p} inputMode="numeric" placeholder="09:00" size={5} value={w.start} onChange={(e) => edit(i, { start: e.target.value })} />}
              </Field>
              <Field label={t("sites.end")} error={errors[`${at}.end`] ?? rowError}>
                {(p) => <input {...p} inputMode="numeric" placeholder="18:00" size={5} value={w.end} onChange={(e) => edit(i, { end: e.target.value })} />}
              </Field>
              <button type="button" className="link" onClick={() => setWindows((ws) => ws.filter((_, j) => j !== i))}>
                {t("common.remove")}
              </button>
            </li>
          );
        })}
      </ol>
      <div className="row">
        <button type="button" onClick={() => setWindows((ws) => [...ws, create(OpeningWindowSchema, { weekday: Weekday.MONDAY, start: "09:00", end: "12:00" })])}>
          {t("sites.addWindow")}
        </button>
        <button type="submit" className="primary" disabled={save.isPending}>
          {t("common.save")}
        </button>
      </div>
    </form>
  );
}

function Closures({ site }: { site: Site }) {
  const { t } = useI18n();
  const refresh = useRefresh(TeamService);
  const [file, setFile] = useState<File | undefined>();
  const [replace, setReplace] = useState(false);
  const importIcs = useMutation(TeamService.method.importSiteClosures, { onSuccess: refresh });
  const removeClosure = useMutation(TeamService.method.updateSite, { onSuccess: refresh });
  const errors = fieldErrors(importIcs.error);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!file) return;
    importIcs.mutate({ siteId: site.id, ics: new Uint8Array(await file.arrayBuffer()), replace });
  };
  return (
    <section className="card" aria-labelledby="closures">
      <h2 id="closures">{t("sites.closures")}</h2>
      <ErrorBanner error={removeClosure.error} />
      {site.closures.length === 0 ? (
        <p className="muted">{t("sites.noClosures")}</p>
      ) : (
        <ul className="closures">
          {site.closures.map((c, i) => {
            const span = `${c.startDate}${c.endDate && c.endDate !== c.startDate ? ` – ${c.endDate}` : ""}`;
            return (
              <li key={i}>
                {span} {c.reason}{" "}
                <button
                  type="button"
                  className="link"
                  disabled={removeClosure.isPending}
                  aria-label={t("admin.closureRemove", { span })}
                  onClick={() => removeClosure.mutate({ siteId: site.id, closures: { closures: site.closures.filter((_, j) => j !== i) } })}
                >
                  {t("common.remove")}
                </button>
              </li>
            );
          })}
        </ul>
      )}
      <AddClosure site={site} />
      <form onSubmit={(e) => void submit(e)}>
        <h3>{t("sites.import")}</h3>
        {Object.keys(errors).length === 0 && <ErrorBanner error={importIcs.error} />}
        {importIcs.data && (
          <p className="banner ok" role="status">
            {t("sites.imported", { count: importIcs.data.imported })}
          </p>
        )}
        <Field label={t("sites.importFile")} error={errors["ics"]}>
          {(p) => <input {...p} type="file" accept=".ics,text/calendar" required onChange={(e) => setFile(e.target.files?.[0])} />}
        </Field>
        <label className="check">
          <input type="checkbox" checked={replace} onChange={(e) => setReplace(e.target.checked)} />
          {t("sites.replace")}
        </label>
        <button type="submit" className="primary" disabled={importIcs.isPending || !file}>
          {t("sites.importSubmit")}
        </button>
      </form>
    </section>
  );
}

/** AddClosure adds one closure (a day or a span of days) to a site's list, in one UpdateSite. */
function AddClosure({ site }: { site: Site }) {
  const { t } = useI18n();
  const refresh = useRefresh(TeamService);
  const [start, setStart] = useState("");
  const [end, setEnd] = useState("");
  const [reason, setReason] = useState("");
  const add = useMutation(TeamService.method.updateSite, {
    onSuccess: () => {
      setStart("");
      setEnd("");
      setReason("");
      refresh();
    },
  });
  const errors = fieldErrors(add.error);
  const at = `closures.closures[${site.closures.length}]`;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate({ siteId: site.id, closures: { closures: [...site.closures, create(ClosureSchema, { startDate: start, endDate: end, reason })] } });
  };
  return (
    <form onSubmit={submit} aria-labelledby="add-closure">
      <h3 id="add-closure">{t("admin.closureAdd")}</h3>
      {Object.keys(errors).length === 0 && <ErrorBanner error={add.error} />}
      <div className="grid">
        <Field label={t("admin.closureStart")} error={errors[`${at}.start_date`]}>
          {(p) => <input {...p} type="date" value={start} onChange={(e) => setStart(e.target.value)} />}
        </Field>
        <Field label={t("admin.closureEnd")} error={errors[`${at}.end_date`] ?? errors[at]}>
          {(p) => <input {...p} type="date" value={end} onChange={(e) => setEnd(e.target.value)} />}
        </Field>
      </div>
      <Field label={t("admin.closureReason")} error={errors[`${at}.reason`]}>
        {(p) => <input {...p} maxLength={200} value={reason} onChange={(e) => setReason(e.target.value)} />}
      </Field>
      <button type="submit" className="primary" disabled={add.isPending}>
        {t("admin.closureSubmit")}
      </button>
    </form>
  );
}
