#!/usr/bin/env bash
# Runs the partner examples against a running server, as make test does after the browser
# tests: the README's three curl forms (REST, Connect JSON POST, Connect GET), the Go partner and
# the TypeScript partner. An admin makes the API key they use; by default the demo seed's admin.
# The Go and TypeScript partners also register a webhook endpoint on loopback with the admin's
# token, so the server must allow private endpoints (ALLOW_PRIVATE_WEBHOOKS=true).
#
#   RELANCE_URL=http://127.0.0.1:8080 bash examples/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
url="${RELANCE_URL:?set RELANCE_URL to a running server}"
email="${RELANCE_ADMIN_EMAIL:-admin@demo.relance.test}"
password="${RELANCE_ADMIN_PASSWORD:-demo-password}"

log() { printf '\033[1;34m[examples]\033[0m %s\n' "$*" >&2; }
# call PATH JSON [TOKEN]: a Connect (JSON) call; prints the answer, fails on an error status.
call() {
  curl -sS --fail-with-body --max-time 10 -H 'Content-Type: application/json' \
    ${3:+-H "Authorization: Bearer $3"} -d "$2" "$url/$1"
}
# field EXPR: one field of the JSON on stdin (EXPR over d, such as d.sites[0].id).
field() { node -e 'let s="";process.stdin.on("data",c=>s+=c).on("end",()=>{const d=JSON.parse(s);const v='"$1"';if(v===undefined||v==="")process.exit(1);console.log(v)})'; }

token="$(call relance.v1.AuthService/Login "{\"email\":\"$email\",\"password\":\"$password\"}" | field d.token)"
site="$(call relance.v1.TeamService/ListSites '{}' "$token" | field d.sites[0].id)"
key="$(call relance.v1.AuthService/CreateApiKey \
  '{"name":"examples","scopes":["SCOPE_LEADS_CREATE","SCOPE_LEADS_READ","SCOPE_CALLS_RECORD"]}' "$token" | field d.secret)"
export RELANCE_URL="$url" RELANCE_API_KEY="$key" RELANCE_SITE_ID="$site" RELANCE_ADMIN_TOKEN="$token"

log "curl: REST, Connect POST, Connect GET"
stamp="$(date +%s%N)"
lead="$(curl -sS --fail-with-body --max-time 10 -X POST "$url/v1/leads" \
  -H "Authorization: Bearer $RELANCE_API_KEY" -H 'Content-Type: application/json' \
  -d "{\"idempotencyKey\":\"curl-$stamp\",\"siteId\":\"$RELANCE_SITE_ID\",\"source\":\"curl\",\"contact\":{\"name\":\"Camille Curl\",\"phone\":\"+33612340003\"}}" |
  field d.lead.id)"
curl -sS --fail-with-body --max-time 10 "$url/v1/leads/$lead" -H "Authorization: Bearer $RELANCE_API_KEY" | field d.lead.contact.name >/dev/null
call relance.v1.LeadService/GetLead "{\"leadId\":\"$lead\"}" "$RELANCE_API_KEY" | field d.lead.id >/dev/null
curl -sS --fail-with-body --max-time 10 --get "$url/relance.v1.LeadService/GetLead" \
  -H "Authorization: Bearer $RELANCE_API_KEY" \
  --data-urlencode encoding=json --data-urlencode "message={\"leadId\":\"$lead\"}" | field d.lead.id >/dev/null
openapi="$(curl -sS --fail-with-body --max-time 10 "$url/openapi.yaml")"
[[ "$openapi" == *$'\n'"openapi: 3."* ]] || { echo "examples: /openapi.yaml is no OpenAPI 3 document" >&2; exit 1; }
log "curl: lead $lead created, read three ways"

log "building the TypeScript package (make sdk)"
make --no-print-directory sdk >/dev/null

log "Go partner (examples/go-partner)"
(cd examples/go-partner && timeout 300 go run .)

log "TypeScript partner (examples/ts-partner)"
(cd examples/ts-partner && npm ci --no-audit --no-fund --loglevel=error >/dev/null &&
  node_modules/.bin/tsc -p tsconfig.json && timeout 60 node --preserve-symlinks dist/main.js)
log "ok"
