// The ADF document a lead was created from, as received (admins, on the lead card). Leads that
// did not come by ADF have none: the API's "not found" shows nothing.
import { Code } from "@connectrpc/connect";
import { useQuery } from "@connectrpc/connect-query";
import { AdfService } from "@relance/api/relance/v1/adf_pb";
import { ErrorBanner } from "../forms/field";
import { formatDateTime, instant } from "../format/format";
import { useI18n } from "../i18n/i18n";
import { errorCode } from "../transport/transport";

/** AdfDocument shows a lead's document in a section of its own, folded unless open. */
export function AdfDocument({ leadId, zone, open = false }: { leadId: string; zone: string; open?: boolean }) {
  const { t, lang } = useI18n();
  const doc = useQuery(AdfService.method.getAdfDocument, { leadId });
  if (doc.error) return errorCode(doc.error) === Code.NotFound ? null : <ErrorBanner error={doc.error} />;
  if (!doc.data) return null;
  return (
    <section aria-labelledby="adf-document" className="card">
      <h2 id="adf-document">{t("adf.document")}</h2>
      <p className="muted">{t("adf.received", { at: formatDateTime(instant(doc.data.receiveTime), zone, lang) })}</p>
      <details open={open}>
        <summary>{t("adf.showDocument")}</summary>
        <pre className="pre wrap" tabIndex={0} aria-label={t("adf.document")}>
          {doc.data.content}
        </pre>
      </details>
    </section>
  );
}
