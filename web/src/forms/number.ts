// Whole numbers typed in a form: the browser gives the text, the request wants a number. Apart
// from the form pieces so that the rule is tested without a browser.

/** int reads a whole number field, dropping any fraction; blank or not a number is 0, which the API judges. */
export function int(s: string): number {
  return Math.trunc(Number(s)) || 0;
}
