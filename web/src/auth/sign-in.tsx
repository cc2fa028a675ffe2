// The sign-in form: Login gives a bearer token kept for its lifetime.
import { type FormEvent, useState } from "react";
import { useMutation } from "@connectrpc/connect-query";
import { Code } from "@connectrpc/connect";
import { AuthService } from "@relance/api/relance/v1/auth_pb";
import { ErrorBanner, Field } from "../forms/field";
import { useI18n } from "../i18n/i18n";
import { instant } from "../format/format";
import { startSession } from "../transport/session";
import { errorCode, fieldErrors } from "../transport/transport";

export function SignIn() {
  const { t } = useI18n();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const login = useMutation(AuthService.method.login, {
    onSuccess: (res) => startSession(res.token, instant(res.expireTime)?.getTime() ?? 0),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    login.mutate({ email, password });
  };
  const errors = fieldErrors(login.error);
  const wrong = login.error && errorCode(login.error) === Code.Unauthenticated;
  return (
    <main className="sign-in" id="main">
      <h1>{t("app.name")}</h1>
      <form onSubmit={submit} className="card" aria-labelledby="sign-in-title">
        <h2 id="sign-in-title">{t("signIn.title")}</h2>
        {wrong ? (
          <p className="banner error" role="alert">
            {t("signIn.wrong")}
          </p>
        ) : (
          Object.keys(errors).length === 0 && <ErrorBanner error={login.error} />
        )}
        <Field label={t("signIn.email")} error={errors["email"]}>
          {(p) => (
            <input {...p} type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
          )}
        </Field>
        <Field label={t("signIn.password")} error={errors["password"]}>
          {(p) => (
            <input
              {...p}
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          )}
        </Field>
        <button type="submit" className="primary" disabled={login.isPending}>
          {t("signIn.submit")}
        </button>
      </form>
    </main>
  );
}
