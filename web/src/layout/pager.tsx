// Cursor pages of a listing: the tokens of the pages before the one shown, to go back, and the
// previous/next buttons.
import { useState } from "react";
import { useI18n } from "../i18n/i18n";

/** usePages keeps the page tokens of a listing; reset when its filters change. */
export function usePages() {
  const [tokens, setTokens] = useState<string[]>([""]);
  return {
    /** The page_token of the page shown ("" for the first). */
    token: tokens[tokens.length - 1] ?? "",
    /** The page shown, from 1. */
    number: tokens.length,
    next: (token: string) => setTokens([...tokens, token]),
    previous: () => setTokens(tokens.slice(0, -1)),
    reset: () => setTokens([""]),
  };
}

/** Pager offers the previous page, when there is one, and the next, when nextToken is set. */
export function Pager({ pages, nextToken }: { pages: ReturnType<typeof usePages>; nextToken: string }) {
  const { t } = useI18n();
  return (
    <div className="row">
      <button type="button" disabled={pages.number === 1} onClick={pages.previous}>
        {t("mgr.previous")}
      </button>
      <button type="button" disabled={!nextToken} onClick={() => pages.next(nextToken)}>
        {t("mgr.next")}
      </button>
    </div>
  );
}
