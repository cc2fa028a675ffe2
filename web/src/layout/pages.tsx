// The pages for a path that leads nowhere and for a page the role may not open.
import { useI18n } from "../i18n/i18n";
import { Link } from "./router";

export function NotFound() {
  const { t } = useI18n();
  return (
    <>
      <h1>{t("pages.notFound")}</h1>
      <p>{t("pages.notFoundText")}</p>
      <Link href="/">{t("pages.home")}</Link>
    </>
  );
}

export function Forbidden() {
  const { t } = useI18n();
  return (
    <>
      <h1>{t("pages.forbidden")}</h1>
      <p>{t("pages.forbiddenText")}</p>
      <Link href="/">{t("pages.home")}</Link>
    </>
  );
}
