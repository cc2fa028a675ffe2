// ADF intake (admins): the vendor mappings that send a prospect to a site (by the vendor's id or
// name), and the intake tokens of lead providers that cannot set headers — created with the full
// address to post to shown once, with a copy button, listed, revoked; the recent documents, each
// with the lead it created and its XML as received.
import { type FormEvent, useState } from "react";
import { useMutation, useQuery } from "@connectrpc/connect-query";
import { AdfService } from "@relance/api/relance/v1/adf_pb";
import { TeamService } from "@relance/api/relance/v1/team_pb";
import type { Site } from "@relance/api/relance/v1/types_pb";
import { DeleteButton } from "../forms/delete";
import { ErrorBanner, Field, Loading } from "../forms/field";
import { int } from "../forms/number";
import { ListTable } from "../layout/table";
import { Link } from "../layout/router";
import { AdfDocument } from "./document";
import { browserTimeZone, formatDateTime, instant } from "../format/format";
import { useI18n } from "../i18n/i18n";
import { useRefresh } from "../transport/invalidate";
import { fieldErrors } from "../transport/transport";

export function AdfPage() {
  const { t } = useI18n();
  const sites = useQuery(TeamService.method.listSites, {});
  const list = sites.data?.sites ?? [];
  return (
    <>
      <h1>{t("adf.title")}</h1>
      <p>{t("adf.explain")}</p>
      <ErrorBanner error={sites.error} />
      {sites.isPending ? (
        <Loading />
      ) : (
        <>
          <Vendors sites={list} />
          <Tokens sites={list} />
          <Documents sites={list} />
        </>
      )}
    </>
  );
}

/** Vendors lists, adds and removes the vendor → site mappings. */
function Vendors({ sites }: { sites: Site[] }) {
  const { t, lang } = useI18n();
  const vendors = useQuery(AdfService.method.listAdfVendors, {});
  const refresh = useRefresh(AdfService);
  const remove = useMutation(AdfService.method.deleteAdfVendor, { onSuccess: refresh });
  const [by, setBy] = useState<"id" | "name">("id");
  const [value, setValue] = useState("");
  const [siteId, setSiteId] = useState(sites[0]?.id ?? "");
  const create = useMutation(AdfService.method.createAdfVendor, {
    onSuccess: () => {
      setValue("");
      refresh();
    },
  });
  const errors = fieldErrors(create.error);
  // Setting neither key is a violation of the whole request (no field): it belongs to the value.
  const valueError = errors["vendor_id"] ?? errors["vendor_name"] ?? errors[""];
  const siteName = (id: string) => sites.find((s) => s.id === id)?.name ?? id;
  const list = vendors.data?.vendors ?? [];
  const zone = browserTimeZone(); // mappings belong to the organisation, not to a site
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate(by === "id" ? { vendorId: value.trim(), siteId } : { vendorName: value.trim(), siteId });
  };
  return (
    <section className="card" aria-labelledby="adf-vendors">
      <h2 id="adf-vendors">{t("adf.vendors")}</h2>
      <p className="muted">{t("adf.vendorsNote")}</p>
      <ErrorBanner error={vendors.error ?? remove.error} />
      <ListTable
        pending={vendors.isPending}
        empty={list.length === 0 && t("adf.noVendors")}
        label={t("adf.vendorList")}
        headers={[t("adf.vendor"), t("adf.site"), t("adf.created"), t("distribution.actions")]}
      >
        {list.map((v) => {
          const name = v.vendorId ? t("adf.byIdOf", { value: v.vendorId }) : t("adf.byNameOf", { value: v.vendorName });
          return (
            <tr key={v.id}>
              <th scope="row" className="wrap">
                {name}
              </th>
              <td>{siteName(v.siteId)}</td>
              <td>{formatDateTime(instant(v.createTime), zone, lang)}</td>
              <td>
                <DeleteButton
                  label={t("adf.deleteVendorNamed", { name })}
                  confirm={t("adf.confirmDeleteVendor", { name })}
                  pending={remove.isPending}
                  onDelete={() => remove.mutate({ id: v.id })}
                />
              </td>
            </tr>
          );
        })}
      </ListTable>
      <form onSubmit={submit} aria-labelledby="adf-vendor-form">
        <h3 id="adf-vendor-form">{t("adf.createVendor")}</h3>
        {Object.keys(errors).length === 0 && <ErrorBanner error={create.error} />}
        <div className="grid">
          <Field label={t("adf.by")}>
            {(p) => (
              <select {...p} value={by} onChange={(e) => setBy(e.target.value === "name" ? "name" : "id")}>
                <option value="id">{t("adf.byId")}</option>
                <option value="name">{t("adf.byName")}</option>
              </select>
            )}
          </Field>
          <Field label={by === "id" ? t("adf.vendorId") : t("adf.vendorName")} error={valueError}>
            {(p) => <input {...p} value={value} onChange={(e) => setValue(e.target.value)} />}
          </Field>
          <Field label={t("adf.site")} error={errors["site_id"]}>
            {(p) => (
              <select {...p} value={siteId} onChange={(e) => setSiteId(e.target.value)}>
                {sites.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
        <button type="submit" className="primary" disabled={create.isPending}>
          {t("adf.submitVendor")}
        </button>
      </form>
    </section>
  );
}

/** Tokens creates, lists and revokes the intake tokens. */
function Tokens({ sites }: { sites: Site[] }) {
  const { t, lang } = useI18n();
  const tokens = useQuery(AdfService.method.listIntakeTokens, {});
  const refresh = useRefresh(AdfService);
  const revoke = useMutation(AdfService.method.revokeIntakeToken, { onSuccess: refresh });
  const [source, setSource] = useState("");
  const [siteId, setSiteId] = useState("");
  const [budget, setBudget] = useState("0");
  const [copied, setCopied] = useState(false);
  const create = useMutation(AdfService.method.createIntakeToken, {
    onSuccess: () => {
      setSource("");
      setSiteId("");
      setBudget("0");
      setCopied(false);
      refresh();
    },
  });
  const errors = fieldErrors(create.error);
  const url = create.data ? window.location.origin + create.data.path : "";
  const siteName = (id: string) => sites.find((s) => s.id === id)?.name ?? id;
  const list = tokens.data?.tokens ?? [];
  const zone = browserTimeZone();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({ source: source.trim(), siteId, requestsPerMinute: int(budget) });
  };
  return (
    <section className="card" aria-labelledby="adf-tokens">
      <h2 id="adf-tokens">{t("adf.tokens")}</h2>
      <p className="muted">{t("adf.tokensNote")}</p>
      <ErrorBanner error={tokens.error ?? revoke.error} />
      <ListTable
        pending={tokens.isPending}
        empty={list.length === 0 && t("adf.noTokens")}
        label={t("adf.tokenList")}
        headers={[t("adf.source"), t("adf.defaultSite"), t("keys.prefix"), t("adf.created"), t("keys.state")]}
      >
        {list.map((k) => (
          <tr key={k.id}>
            <th scope="row" className="wrap">
              {k.source}
            </th>
            <td>{k.siteId ? siteName(k.siteId) : t("common.none")}</td>
            <td>
              <code>{k.prefix}…</code>
            </td>
            <td>{formatDateTime(instant(k.createTime), zone, lang)}</td>
            <td>
              {k.revokeTime ? (
                t("keys.revoked", { at: formatDateTime(instant(k.revokeTime), zone, lang) })
              ) : (
                <button
                  type="button"
                  className="danger"
                  disabled={revoke.isPending}
                  aria-label={t("adf.revokeNamed", { source: k.source, prefix: k.prefix })}
                  onClick={() => window.confirm(t("adf.confirmRevoke", { source: k.source })) && revoke.mutate({ id: k.id })}
                >
                  {t("keys.revoke")}
                </button>
              )}
            </td>
          </tr>
        ))}
      </ListTable>
      <form onSubmit={submit} aria-labelledby="adf-token-form">
        <h3 id="adf-token-form">{t("adf.createToken")}</h3>
        {Object.keys(errors).length === 0 && <ErrorBanner error={create.error} />}
        {url && (
          <div className="banner warn" role="status">
            <p>
              <strong>{t("adf.urlWarning", { source: create.data?.token?.source ?? "" })}</strong>
            </p>
            <Field label={t("adf.url")}>{(p) => <input {...p} readOnly size={60} value={url} onFocus={(e) => e.target.select()} />}</Field>
            <button type="button" onClick={() => void navigator.clipboard.writeText(url).then(() => setCopied(true))}>
              {copied ? t("keys.copied") : t("keys.copy")}
            </button>
          </div>
        )}
        <div className="grid">
          <Field label={t("adf.source")} error={errors["source"]}>
            {(p) => <input {...p} value={source} onChange={(e) => setSource(e.target.value)} />}
          </Field>
          <Field label={t("adf.defaultSite")} error={errors["site_id"]}>
            {(p) => (
              <select {...p} value={siteId} onChange={(e) => setSiteId(e.target.value)}>
                <option value="">{t("adf.noDefaultSite")}</option>
                {sites.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t("adf.budget")} error={errors["requests_per_minute"]}>
            {(p) => <input {...p} type="number" step={1} value={budget} onChange={(e) => setBudget(e.target.value)} />}
          </Field>
        </div>
        <button type="submit" className="primary" disabled={create.isPending}>
          {t("adf.submitToken")}
        </button>
      </form>
    </section>
  );
}

/** Documents lists the recent documents by the lead each created, one's XML shown on demand. */
function Documents({ sites }: { sites: Site[] }) {
  const { t, lang } = useI18n();
  const docs = useQuery(AdfService.method.listAdfDocuments, { pageSize: 20 });
  const [shown, setShown] = useState("");
  const siteName = (id: string) => sites.find((s) => s.id === id)?.name ?? id;
  const list = docs.data?.documents ?? [];
  const zone = browserTimeZone();
  return (
    <section className="card" aria-labelledby="adf-documents">
      <h2 id="adf-documents">{t("adf.recent")}</h2>
      <p className="muted">{t("adf.recentNote")}</p>
      <ErrorBanner error={docs.error} />
      <ListTable
        pending={docs.isPending}
        empty={list.length === 0 && t("adf.noDocuments")}
        label={t("adf.documentList")}
        headers={[t("adf.lead"), t("adf.receivedAt"), t("adf.site"), t("adf.source"), t("adf.outcome"), t("adf.xml")]}
      >
        {list.map((d) => (
          <tr key={d.leadId}>
            <th scope="row">
              <Link href={`/leads/${d.leadId}`}>{d.contactName}</Link>
            </th>
            <td>{formatDateTime(instant(d.receiveTime), zone, lang)}</td>
            <td>{siteName(d.siteId)}</td>
            <td className="wrap">{d.source}</td>
            <td>{t("adf.created.outcome")}</td>
            <td>
              <button
                type="button"
                className="link"
                aria-expanded={shown === d.leadId}
                aria-label={t("adf.showDocumentOf", { name: d.contactName })}
                onClick={() => setShown(shown === d.leadId ? "" : d.leadId)}
              >
                {t("adf.showDocument")}
              </button>
            </td>
          </tr>
        ))}
      </ListTable>
      {shown && <AdfDocument key={shown} leadId={shown} zone={zone} open />}
    </section>
  );
}
