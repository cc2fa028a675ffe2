// Users (admins): the organisation's people with their role, sites and state; a person added or
// edited (role, manager, sites, language, contact details, a new password), deactivated or
// reactivated; their business unit at each of their sites; and the absences an admin keeps for
// someone else, in their site's zone.
import { type FormEvent, useState } from "react";
import { useMutation, useQuery } from "@connectrpc/connect-query";
import { TeamService } from "@relance/api/relance/v1/team_pb";
import { Locale, Role, type User } from "@relance/api/relance/v1/types_pb";
import { TeamAbsences } from "../absences/team";
import { CheckGroup } from "../forms/checks";
import { ErrorBanner, Field } from "../forms/field";
import { useI18n } from "../i18n/i18n";
import type { MessageKey } from "../i18n/fr";
import { ListTable } from "../layout/table";
import { useRefresh } from "../transport/invalidate";
import { fieldErrors } from "../transport/transport";
import { UserUnits } from "../units/units";

const roles = [Role.ADVISOR, Role.MANAGER, Role.ADMIN];
const locales = [Locale.FR, Locale.EN, Locale.RU];

export function UsersPage() {
  const { t } = useI18n();
  const users = useQuery(TeamService.method.listUsers, {});
  const sites = useQuery(TeamService.method.listSites, {});
  const [editing, setEditing] = useState("");
  const list = users.data?.users ?? [];
  const siteName = new Map((sites.data?.sites ?? []).map((s) => [s.id, s.name]));
  const user = list.find((u) => u.id === editing);
  return (
    <>
      <h1>{t("users.title")}</h1>
      <ErrorBanner error={users.error ?? sites.error} />
      <ListTable
        pending={users.isPending}
        empty={false}
        label={t("users.list")}
        headers={[t("users.name"), t("users.role"), t("users.sites"), t("users.state")]}
      >
        {list.map((u) => (
          <tr key={u.id}>
            <th scope="row">
              <button type="button" className="link" aria-label={t("users.editNamed", { name: u.displayName })} onClick={() => setEditing(u.id)}>
                {u.displayName}
              </button>
              <br />
              <span className="muted wrap">{u.email}</span>
            </th>
            <td>{t(`role.${u.role}` as MessageKey)}</td>
            <td>{u.siteIds.map((id) => siteName.get(id) ?? "—").join(", ")}</td>
            <td>{u.active ? t("users.active") : t("users.inactive")}</td>
          </tr>
        ))}
      </ListTable>
      {user ? (
        <>
          <UserForm key={user.id} user={user} users={list} onDone={() => setEditing("")} />
          <UserUnits user={user} />
          <TeamAbsences user={user} />
        </>
      ) : (
        <UserForm key="new" users={list} onDone={(id) => setEditing(id)} />
      )}
    </>
  );
}

/**
 * UserForm creates a person (no user) or edits one; an edit leaves the password as it is unless
 * a new one is typed. onDone gets the id of the person saved.
 */
function UserForm({ user, users, onDone }: { user?: User; users: User[]; onDone: (userId: string) => void }) {
  const { t } = useI18n();
  const refresh = useRefresh(TeamService);
  const sites = useQuery(TeamService.method.listSites, {});
  const [email, setEmail] = useState(user?.email ?? "");
  const [name, setName] = useState(user?.displayName ?? "");
  const [role, setRole] = useState<Role>(user?.role ?? Role.ADVISOR);
  const [managerId, setManagerId] = useState(user?.managerId ?? "");
  const [siteIds, setSiteIds] = useState<string[]>(user?.siteIds ?? []);
  const [personalEmail, setPersonalEmail] = useState(user?.personalEmail ?? "");
  const [phone, setPhone] = useState(user?.phone ?? "");
  const [locale, setLocale] = useState<Locale>(user?.locale || Locale.FR);
  const [password, setPassword] = useState("");
  const done = {
    onSuccess: (res: { user?: User }) => {
      refresh();
      onDone(res.user?.id ?? "");
    },
  };
  const createUser = useMutation(TeamService.method.createUser, done);
  const updateUser = useMutation(TeamService.method.updateUser, done);
  const activate = useMutation(TeamService.method.updateUser, { onSuccess: refresh });
  const save = user ? updateUser : createUser;
  const errors = fieldErrors(save.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const fields = { displayName: name, role, managerId, personalEmail, phone, locale };
    if (user) updateUser.mutate({ userId: user.id, ...fields, sites: { siteIds }, ...(password ? { password } : {}) });
    else createUser.mutate({ email, ...fields, siteIds, password });
  };
  const managers = users.filter((u) => u.role !== Role.ADVISOR && u.active && u.id !== user?.id);
  const heading = user ? t("users.editTitle", { name: user.displayName }) : t("users.create");
  return (
    <form className="card" onSubmit={submit} aria-labelledby="user-form">
      <h2 id="user-form">{heading}</h2>
      {Object.keys(errors).length === 0 && <ErrorBanner error={save.error ?? activate.error} />}
      {user ? (
        <p className="wrap">{user.email}</p>
      ) : (
        <Field label={t("users.email")} error={errors["email"]}>
          {(p) => <input {...p} type="email" autoComplete="off" maxLength={254} value={email} onChange={(e) => setEmail(e.target.value)} />}
        </Field>
      )}
      <Field label={t("users.name")} error={errors["display_name"]}>
        {(p) => <input {...p} maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <div className="grid">
        <Field label={t("users.role")} error={errors["role"]}>
          {(p) => (
            <select {...p} value={role} onChange={(e) => setRole(Number(e.target.value))}>
              {roles.map((r) => (
                <option key={r} value={r}>
                  {t(`role.${r}` as MessageKey)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t("users.manager")} error={errors["manager_id"]}>
          {(p) => (
            <select {...p} value={managerId} onChange={(e) => setManagerId(e.target.value)}>
              <option value="">{t("users.noManager")}</option>
              {managers.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.displayName}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t("users.locale")} error={errors["locale"]}>
          {(p) => (
            <select {...p} value={locale} onChange={(e) => setLocale(Number(e.target.value))}>
              {locales.map((l) => (
                <option key={l} value={l}>
                  {t(`locale.${l}` as MessageKey)}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <CheckGroup
        legend={t("users.sites")}
        options={(sites.data?.sites ?? []).map((s) => ({ value: s.id, label: s.name }))}
        chosen={siteIds}
        onChange={setSiteIds}
        error={errors["site_ids"] ?? errors["sites.site_ids"]}
      />
      <div className="grid">
        <Field label={t("users.phone")} error={errors["phone"]}>
          {(p) => <input {...p} type="tel" autoComplete="off" placeholder="+33612345678" value={phone} onChange={(e) => setPhone(e.target.value)} />}
        </Field>
        <Field label={t("users.personalEmail")} error={errors["personal_email"]}>
          {(p) => <input {...p} type="email" autoComplete="off" value={personalEmail} onChange={(e) => setPersonalEmail(e.target.value)} />}
        </Field>
      </div>
      <Field label={user ? t("users.newPassword") : t("users.password")} error={errors["password"]}>
        {(p) => <input {...p} type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />}
      </Field>
      <div className="row">
        <button type="submit" className="primary" disabled={save.isPending}>
          {user ? t("common.save") : t("users.submit")}
        </button>
        {user && (
          <>
            <button type="button" onClick={() => onDone("")}>
              {t("common.cancel")}
            </button>
            <button
              type="button"
              className={user.active ? "danger" : undefined}
              disabled={activate.isPending}
              onClick={() => (!user.active || window.confirm(t("users.confirmDeactivate", { name: user.displayName }))) && activate.mutate({ userId: user.id, active: !user.active })}
            >
              {user.active ? t("users.deactivate") : t("users.reactivate")}
            </button>
          </>
        )}
      </div>
    </form>
  );
}
