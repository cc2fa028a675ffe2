// The kinds of activity a form offers, in the person's language.
import type { ActivityKind } from "@relance/api/relance/v1/types_pb";
import { useI18n } from "../i18n/i18n";
import type { MessageKey } from "../i18n/fr";

/** KindOptions writes the <option>s of a select among kinds. */
export function KindOptions({ kinds }: { kinds: ActivityKind[] }) {
  const { t } = useI18n();
  return kinds.map((k) => (
    <option key={k} value={k}>
      {t(`kind.${k}` as MessageKey)}
    </option>
  ));
}
