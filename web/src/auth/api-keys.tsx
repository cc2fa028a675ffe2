// Partner API keys (admins): issue one with its scopes and an optional expiry day — its secret
// is shown once, with a copy button — list them without secrets, and revoke one at once.
import { type FormEvent, useState } from "react";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { useMutation, useQuery } from "@connectrpc/connect-query";
import { AuthService, Scope } from "@relance/api/relance/v1/auth_pb";
import { CheckGroup } from "../forms/checks";
import { ErrorBanner, Field } from "../forms/field";
import { ListTable } from "../layout/table";
import { browserTimeZone, formatDateTime, instant, zonedInstant } from "../format/format";
import { useI18n } from "../i18n/i18n";
import type { MessageKey } from "../i18n/fr";
import { useRefresh } from "../transport/invalidate";
import { fieldErrors } from "../transport/transport";

const scopes = [Scope.LEADS_CREATE, Scope.LEADS_READ, Scope.CALLS_RECORD];

export function ApiKeysPage() {
  const { t, lang } = useI18n();
  const keys = useQuery(AuthService.method.listApiKeys, {});
  const refresh = useRefresh(AuthService);
  const revoke = useMutation(AuthService.method.revokeApiKey, { onSuccess: refresh });
  const list = keys.data?.apiKeys ?? [];
  const zone = browserTimeZone(); // keys belong to the organisation, not to a site
  return (
    <>
      <h1>{t("keys.title")}</h1>
      <CreateKey />
      <ErrorBanner error={keys.error ?? revoke.error} />
      <ListTable
        pending={keys.isPending}
        empty={list.length === 0 && t("keys.empty")}
        label={t("keys.list")}
        headers={[t("keys.name"), t("keys.prefix"), t("keys.scopes"), t("keys.created"), t("keys.expires"), t("keys.state")]}
      >
        {list.map((k) => (
          <tr key={k.id}>
            <th scope="row">{k.name}</th>
            <td>
              <code>{k.prefix}…</code>
            </td>
            <td>{k.scopes.map((s) => t(`scope.${s}` as MessageKey)).join(", ")}</td>
            <td>{formatDateTime(instant(k.createTime), zone, lang)}</td>
            <td>{k.expireTime ? formatDateTime(instant(k.expireTime), zone, lang) : t("keys.never")}</td>
            <td>
              {(instant(k.expireTime)?.getTime() ?? Infinity) <= Date.now() && !k.revokeTime && <span className="muted">{t("keys.expired")} </span>}
              {k.revokeTime ? (
                t("keys.revoked", { at: formatDateTime(instant(k.revokeTime), zone, lang) })
              ) : (
                <button
                  type="button"
                  className="danger"
                  disabled={revoke.isPending}
                  aria-label={t("keys.revokeNamed", { name: k.name })}
                  onClick={() => window.confirm(t("keys.confirmRevoke", { name: k.name })) && revoke.mutate({ apiKeyId: k.id })}
                >
                  {t("keys.revoke")}
                </button>
              )}
            </td>
          </tr>
        ))}
      </ListTable>
    </>
  );
}

function CreateKey() {
  const { t } = useI18n();
  const refresh = useRefresh(AuthService);
  const [name, setName] = useState("");
  const [chosen, setChosen] = useState<Scope[]>([]);
  const [expiryDay, setExpiryDay] = useState("");
  const [copied, setCopied] = useState(false);
  const create = useMutation(AuthService.method.createApiKey, {
    onSuccess: () => {
      setName("");
      setChosen([]);
      setExpiryDay("");
      setCopied(false);
      refresh();
    },
  });
  const errors = fieldErrors(create.error);
  const secret = create.data?.secret ?? "";
  const submit = (e: FormEvent) => {
    e.preventDefault();
    // The key works until the end of the chosen day, in the browser's time zone.
    const expiry = expiryDay ? zonedInstant(`${expiryDay}T23:59`, browserTimeZone()) : undefined;
    create.mutate({ name, scopes: chosen, ...(expiry ? { expireTime: timestampFromDate(expiry) } : {}) });
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby="new-key">
      <h2 id="new-key">{t("keys.create")}</h2>
      {Object.keys(errors).length === 0 && <ErrorBanner error={create.error} />}
      {secret && (
        <div className="banner warn" role="status">
          <p>
            <strong>{t("keys.secretWarning", { name: create.data?.apiKey?.name ?? "" })}</strong>
          </p>
          <Field label={t("keys.secret")}>{(p) => <input {...p} readOnly size={40} value={secret} onFocus={(e) => e.target.select()} />}</Field>
          <button type="button" onClick={() => void navigator.clipboard.writeText(secret).then(() => setCopied(true))}>
            {copied ? t("keys.copied") : t("keys.copy")}
          </button>
        </div>
      )}
      <Field label={t("keys.name")} error={errors["name"]}>
        {(p) => <input {...p} maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <CheckGroup legend={t("keys.scopes")} options={scopes.map((s) => ({ value: s, label: t(`scope.${s}` as MessageKey) }))} chosen={chosen} onChange={setChosen} error={errors["scopes"]} />
      <Field label={t("keys.expiryDay")} error={errors["expire_time"]}>
        {(p) => <input {...p} type="date" value={expiryDay} onChange={(e) => setExpiryDay(e.target.value)} />}
      </Field>
      <button type="submit" className="primary" disabled={create.isPending}>
        {t("keys.submit")}
      </button>
    </form>
  );
}
