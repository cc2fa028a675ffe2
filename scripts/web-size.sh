#!/usr/bin/env bash
# The first page's weight: the JavaScript and CSS that web/dist/index.html references (its module
# script, modulepreload and stylesheet links), each gzipped at -9, summed next to the target.
# Builds the app first unless WEB_SIZE_NO_BUILD=1. Needs no database.
set -euo pipefail
cd "$(dirname "$0")/.."

target_kb=200
if [ "${WEB_SIZE_NO_BUILD:-}" != 1 ]; then
  make --no-print-directory web >/dev/null
fi
index=web/dist/index.html
[ -f "$index" ] || { echo "web-size: $index missing; run make web" >&2; exit 1; }

# src="/assets/x.js" or href="/assets/x.css" on <script> and <link> tags, in document order.
mapfile -t files < <(grep -oE '<(script|link)[^>]*(src|href)="/assets/[^"]+\.(js|css)"' "$index" |
  grep -oE '/assets/[^"]+' | awk '!seen[$0]++')
[ "${#files[@]}" -gt 0 ] || { echo "web-size: no script or stylesheet in $index" >&2; exit 1; }

total=0
for f in "${files[@]}"; do
  bytes=$(gzip -9 -c "web/dist$f" | wc -c)
  total=$((total + bytes))
done
printf '\n%-52s %7s %9s %9s\n' "web app: first page (gzip -9)" "files" "KB" "target"
printf '%-52s %7d %9.1f %9s\n' "JavaScript and CSS referenced by index.html" "${#files[@]}" \
  "$(awk -v b="$total" 'BEGIN { print b / 1000 }')" "$target_kb KB"
