#!/usr/bin/env bash
# shellcheck disable=SC2016,SC2015  # $names in single quotes are jq's (--arg); `A && B || fail` fails when either fails
# The /beheer pages in a real browser: the real `sto` binary on SQLite, a real SMTP server on
# loopback (Debian's python3-aiosmtpd: tests/mail/smtp_sink.py) and Debian's chromium (headless,
# driven by playwright-core; axe-core for accessibility: tests/beheer/beheer.js).
#
#   run.sh STO_BINARY
#
# STO_BEHEER_SCREENSHOTS=DIR copies the screenshots (every /beheer page at 1280 and at 390 px) to
# DIR; they are always taken, and the 390 px ones checked for horizontal scrolling.
#
# The flow: sto init --beheer-wachtwoord-file, sto open samples/regio-klein-8.xml, sto invite (9
# invitations arrive at the sink), sto serve. Over HTTP (curl): without a session a page is a 303
# to /beheer/login, the API a 401, a POST a 303; the login form's csrf is bound to the cookie
# sto_login; a wrong password is a 401, the right one a 303 with sto_beheer (HttpOnly,
# SameSite=Strict, Path=/beheer); with the session the API gives exactly `sto status --json`, and a
# POST with a wrong csrf is a 403. In chromium at 1280 px (beheer.js desktop): the login page, a
# wrong password, login, the overview, the agreement page, two tekenbevoegden signing on their mail
# links while that page stays open (it shows them signed within 12 s, without a reload), a reminder
# through the page's confirmation step (the mail arrives at the sink), archief.zip and
# contract.pdf, an invalid upload's findings, logout. Then: the zip holds the archive (`sto verify`
# of it: incomplete, 2 of 9), contract.pdf passes qpdf --check and is the document sto status
# names. At 390 px (beheer.js phone): the pages again, and version 2 uploaded and opened through
# the page. axe-core on every page: a serious or critical violation fails. No token and no password
# in the access log, the commands' output or the audit log.
# Exits 1 with "BEHEER FAILED: …" on the first failed check; leaves no process and no file behind.
set -euo pipefail

[[ $# == 1 ]] || { echo "usage: $0 STO_BINARY" >&2; exit 2; }
STO=$(realpath "$1")
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PY=/usr/bin/python3            # Debian's: the PATH python may not see python3-aiosmtpd
KENMERK=STO25-071-SOK
SAMPLE=$ROOT/samples/regio-klein-8.xml
INVALID=$ROOT/samples/invalid/r4-cofinanciering-te-laag.xml
PASSWORD='Paarse-kikker 7 springt één keer'   # spaces and a non-ASCII letter on purpose
WRONG_PASSWORD='paarse-kikker 7 springt één keer'
STARTED=$SECONDS

fail() { echo "BEHEER FAILED: $*" >&2; exit 1; }
step() { printf '[%3ds] %s\n' $((SECONDS - STARTED)) "$*"; }

# --- the tools: a missing one fails the test (no skip) ---
[[ -x $STO ]] || fail "no sto binary at $1"
[[ -x /usr/bin/chromium ]] || fail "no /usr/bin/chromium (apt-get install chromium)"
command -v node >/dev/null || fail "no node (NodeSource node 20)"
command -v npm >/dev/null || fail "no npm"
"$PY" -c 'import aiosmtpd' 2>/dev/null || fail "$PY cannot import aiosmtpd (apt-get install python3-aiosmtpd)"
for tool in qpdf jq curl openssl unzip; do command -v $tool >/dev/null || fail "no $tool (qpdf, jq, curl, openssl, unzip)"; done
if [[ ! -d $HERE/node_modules/playwright-core || ! -d $HERE/node_modules/axe-core ]]; then
  (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || fail "npm ci in $HERE"
fi

# --- temporary files and processes, cleaned up on every exit ---
T=$(mktemp -d "${TMPDIR:-/tmp}/sto-beheer.XXXXXX")
W=$T/werkruimte
SINK_PID='' SERVE_PID='' WATCH_PID='' NODE_PID=''
stop() {  # stop PID: SIGTERM, then SIGKILL after 5 s
  local pid=$1
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  if [[ $rc != 0 && -f $T/access.log ]]; then
    echo "--- sto serve's stderr (last 30 lines) ---" >&2
    tail -n 30 "$T/access.log" >&2 || true
  fi
  stop "$NODE_PID"  # playwright closes its chromium on SIGTERM
  stop "$WATCH_PID"
  stop "$SERVE_PID"
  stop "$SINK_PID"
  if [[ -n ${KEEP_TMP:-} ]]; then echo "run.sh: kept $T" >&2; else rm -rf "$T"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
unset STO_HOME STO_PASSPHRASE

# Runs a sto command; its output goes to stdout and to $T/cli.log (searched for secrets at the end).
sto() {
  local out rc=0
  out=$("$STO" "$@" --home "$W" 2>&1) || rc=$?
  printf '%s\n' "$out" >>"$T/cli.log"
  [[ $rc == 0 ]] || fail "sto $1 exited with $rc: $out"
  printf '%s\n' "$out"
}
json() { jq -r "$@"; }
has() { grep "$@" >/dev/null; }  # not grep -q: with pipefail, the writer could die of SIGPIPE
count_mail() { find "$T/sink" -name '*.eml' 2>/dev/null | wc -l; }
wait_mail() {  # wait_mail N SECONDS: until the sink holds N messages (and not more)
  local deadline=$((SECONDS + $2))
  while (($(count_mail) < $1)); do
    ((SECONDS < deadline)) || fail "the sink holds $(count_mail) messages, expected $1"
    sleep 0.2
  done
  sleep 0.5
  (($(count_mail) == $1)) || fail "the sink holds $(count_mail) messages, expected $1"
}
# The browser, in the background: bash runs a trap only after a foreground child ends.
browser() {
  node "$HERE/beheer.js" "$@" &
  NODE_PID=$!
  local rc=0
  wait "$NODE_PID" || rc=$?
  NODE_PID=''
  return "$rc"
}
free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# The value of a form field in an HTML file (the first <input name=NAME>), however it is quoted.
field() {
  "$PY" - "$1" "$2" <<'EOF'
import html.parser, sys
class P(html.parser.HTMLParser):
    value = None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name") == sys.argv[2] and self.value is None:
            self.value = a.get("value") or ""
p = P()
p.feed(open(sys.argv[1], encoding="utf-8").read())
print(p.value if p.value is not None else "")
EOF
}
# curl against the server: -s, no redirects followed, headers to $T/h, body to $T/b; prints the status.
http() { curl -s -o "$T/b" -D "$T/h" -w '%{http_code}' "$@"; }
location() { tr -d '\r' <"$T/h" | awk 'tolower($1) == "location:" {print $2}' | sed "s|^$BASE||"; }

# --- the SMTP sink ---
"$PY" "$ROOT/tests/mail/smtp_sink.py" --dir "$T/sink" --port-file "$T/sink.port" 2>"$T/sink.err" &
SINK_PID=$!
for _ in $(seq 200); do
  [[ -f $T/sink.port ]] && break
  kill -0 "$SINK_PID" 2>/dev/null || fail "smtp_sink.py exited: $(cat "$T/sink.err")"
  sleep 0.1
done
[[ -f $T/sink.port ]] || fail "smtp_sink.py did not start"
SMTP_PORT=$(cat "$T/sink.port")
HTTP_PORT=$(free_port)
BASE=http://127.0.0.1:$HTTP_PORT
step "SMTP sink on 127.0.0.1:$SMTP_PORT, server will be $BASE"

# --- workspace with the penvoerder's password, version 1, invitations ---
printf '%s\n' "$PASSWORD" >"$T/wachtwoord"
sto init --smtp "127.0.0.1:$SMTP_PORT" --listen "127.0.0.1:$HTTP_PORT" --base-url "$BASE" \
  --beheer-wachtwoord-file "$T/wachtwoord" >/dev/null
grep -rqF -- "$PASSWORD" "$W/sto.conf" && fail "sto.conf holds the password in the clear"
sto open "$SAMPLE" | has "$KENMERK versie 1 geopend" || fail "sto open"
sto invite "$KENMERK" | tee "$T/invite.out" | has '^9 van 9 ' || fail "sto invite: $(cat "$T/invite.out")"
wait_mail 9 10
"$PY" "$ROOT/tests/e2e/mails.py" "$T/sink" 1 9 >"$T/mails.json"
sto status "$KENMERK" --json >"$T/status-1.json"
[[ $(json '[.tekenbevoegden[] | select(.state == "invited")] | length' "$T/status-1.json") == 9 ]] ||
  fail "not all 9 invited: $(cat "$T/status-1.json")"
# Two signers and one to remind, each with an address no other tekenbevoegde has (one mail each).
mapfile -t UNIQUE < <(json '.tekenbevoegden | group_by(.email | ascii_downcase) | map(select(length == 1)[0].tekenbevoegde)
  | .[]' "$T/status-1.json")
((${#UNIQUE[@]} >= 3)) || fail "the sample has fewer than 3 tekenbevoegden with an address of their own"
SIGNER1=${UNIQUE[0]} SIGNER2=${UNIQUE[1]} REMIND=${UNIQUE[2]}
REMIND_EMAIL=$(json --arg id "$REMIND" '.tekenbevoegden[] | select(.tekenbevoegde == $id) | .email' "$T/status-1.json")
step "9 invitations received over SMTP; $SIGNER1 and $SIGNER2 will sign, $REMIND is reminded"

# --- the page server; its stderr is the access log ---
"$STO" serve --home "$W" --listen "127.0.0.1:$HTTP_PORT" --base-url "$BASE" >"$T/serve.out" 2>>"$T/access.log" &
SERVE_PID=$!
# If this script is killed without its traps (SIGKILL), the server must not outlive it.
mkfifo "$T/never"
(exec 3<>"$T/never"; while kill -0 $$ 2>/dev/null; do read -r -t 1 -u 3 || true; done
 kill -TERM "$SERVE_PID" 2>/dev/null) &
WATCH_PID=$!
for _ in $(seq 100); do
  grep -q 'luistert op' "$T/serve.out" 2>/dev/null && break
  kill -0 "$SERVE_PID" 2>/dev/null || fail "sto serve exited: $(cat "$T/serve.out" "$T/access.log")"
  sleep 0.1
done
grep -q 'luistert op' "$T/serve.out" || fail "sto serve did not start"
sleep 0.2
grep -qxF "sto serve: beheer op $BASE/beheer/" "$T/serve.out" ||
  fail "sto serve does not print 'sto serve: beheer op $BASE/beheer/': $(cat "$T/serve.out")"

# --- over HTTP, without and with a session ---
for p in /beheer/ /beheer/nieuw "/beheer/overeenkomsten/$KENMERK" "/beheer/overeenkomsten/$KENMERK/archief.zip"; do
  code=$(http "$BASE$p")
  [[ $code == 303 && $(location) == /beheer/login ]] || fail "GET $p without a session: $code $(location), expected 303 /beheer/login"
done
for p in /beheer/api/overeenkomsten "/beheer/api/overeenkomsten/$KENMERK"; do
  code=$(http "$BASE$p")
  [[ $code == 401 ]] || fail "GET $p without a session: $code, expected 401"
done
code=$(http -d csrf=x -d bevestig=ja "$BASE/beheer/overeenkomsten/$KENMERK/herinner")
[[ $code == 303 && $(location) == /beheer/login ]] || fail "POST …/herinner without a session: $code $(location)"
JAR=$T/cookies
code=$(http -c "$JAR" "$BASE/beheer/login")
[[ $code == 200 ]] || fail "GET /beheer/login: $code"
grep -q $'\tsto_login\t' "$JAR" || fail "GET /beheer/login sets no cookie sto_login"
LOGIN_CSRF=$(field "$T/b" csrf)
[[ -n $LOGIN_CSRF ]] || fail "the login form has no csrf"
code=$(http -b "$JAR" -c "$JAR" --data-urlencode "csrf=$LOGIN_CSRF" --data-urlencode "wachtwoord=$WRONG_PASSWORD" "$BASE/beheer/login")
[[ $code == 401 ]] && has -F 'Onjuist wachtwoord.' "$T/b" || fail "a wrong password: $code, expected 401 with 'Onjuist wachtwoord.'"
code=$(http -b "$JAR" -c "$JAR" "$BASE/beheer/login")
LOGIN_CSRF=$(field "$T/b" csrf)
code=$(http --data-urlencode "csrf=$LOGIN_CSRF" --data-urlencode "wachtwoord=$PASSWORD" "$BASE/beheer/login")
[[ $code != 303 ]] || fail "a login without the cookie sto_login succeeded (the csrf must be bound to it)"
code=$(http -b "$JAR" -c "$JAR" --data-urlencode "csrf=$LOGIN_CSRF" --data-urlencode "wachtwoord=$PASSWORD" "$BASE/beheer/login")
[[ $code == 303 && $(location) == /beheer/ ]] || fail "POST /beheer/login: $code $(location), expected 303 /beheer/"
set_cookie=$(tr -d '\r' <"$T/h" | grep -i '^set-cookie: sto_beheer=' || true)
[[ -n $set_cookie ]] || fail "POST /beheer/login sets no cookie sto_beheer"
for attr in HttpOnly SameSite=Strict Path=/beheer; do
  has -i "; *$attr\(;\|$\)" <<<"$set_cookie" || fail "sto_beheer lacks $attr: ${set_cookie%%=*}=…; ${set_cookie#*; }"
done
code=$(http -b "$JAR" "$BASE/beheer/api/overeenkomsten")
[[ $code == 200 && $(jq -c . "$T/b") == "[\"$KENMERK\"]" ]] || fail "GET /beheer/api/overeenkomsten: $code $(head -c 200 "$T/b")"
code=$(http -b "$JAR" "$BASE/beheer/api/overeenkomsten/$KENMERK")
sto status "$KENMERK" --json >"$T/status-now.json"
[[ $code == 200 ]] && cmp -s "$T/b" "$T/status-now.json" ||
  fail "GET /beheer/api/overeenkomsten/$KENMERK ($code) is not byte for byte sto status --json: $(diff "$T/b" "$T/status-now.json" | head -5)"
tr -d '\r' <"$T/h" | has -i '^content-type: application/json' || fail "the API's Content-Type: $(grep -i content-type "$T/h")"
code=$(http -b "$JAR" "$BASE/beheer/")
[[ $code == 200 ]] || fail "GET /beheer/ with the session: $code"
code=$(http -b "$JAR" -d csrf=wrong -d tekenbevoegde="$REMIND" -d bevestig=ja "$BASE/beheer/overeenkomsten/$KENMERK/herinner")
[[ $code == 403 ]] || fail "POST …/herinner with the session and a wrong csrf: $code, expected 403"
[[ $(count_mail) == 9 ]] || fail "a refused POST sent mail"
step "over HTTP: no session -> 303 login / 401 API; csrf bound to sto_login; the API = sto status --json; wrong csrf -> 403"

# --- the browser at 1280 px ---
mkdir -p "$T/out"
jq -n --arg base "$BASE" --arg k "$KENMERK" --arg pw "$PASSWORD" --arg wrong "$WRONG_PASSWORD" \
  --arg status "$T/status-1.json" --arg mails "$T/mails.json" --arg s1 "$SIGNER1" --arg s2 "$SIGNER2" \
  --arg remind "$REMIND" --arg invalid "$INVALID" --arg v2 "$T/v2.xml" --arg out "$T/out" \
  --rawfile findings <("$STO" validate "$INVALID" 2>&1 | grep -E ': (fout|waarschuwing) \[' | sed "s|^$INVALID||") \
  '{base: $base, kenmerk: $k, password: $pw, wrong_password: $wrong, status: $status, mails: $mails,
    signers: [$s1, $s2], remind: $remind, v2: $v2, out: $out,
    invalid: {file: $invalid, findings: ($findings | split("\n") | map(select(length > 0)))}}' >"$T/config.json"
[[ $(json '.invalid.findings | length' "$T/config.json") -ge 1 ]] || fail "sto validate finds nothing in $INVALID"
browser desktop "$T/config.json" || fail "browser at 1280 px"

# The reminder arrived, to the one reminded, with a link. (A reminder the page could not force is a
# failure reported at the end, after the other checks.)
LATE_FAILURES=()
if [[ $(json '.remind_forced' "$T/out/desktop.json") != true ]]; then
  LATE_FAILURES+=("the reminder could not be forced through the page: \"$(json '.remind_message' "$T/out/desktop.json")\"; no mail")
  echo '[]' >"$T/mail-remind.json"
  sleep 2
  [[ $(count_mail) == 9 ]] || fail "an unforced reminder sent mail after all"
else
  wait_mail 10 20
  "$PY" "$ROOT/tests/e2e/mails.py" "$T/sink" 10 10 >"$T/mail-remind.json"
  [[ $(json '.[0].to | ascii_downcase' "$T/mail-remind.json") == "${REMIND_EMAIL,,}" ]] ||
    fail "the 10th mail is not to $REMIND_EMAIL: $(json '.[0].to' "$T/mail-remind.json")"
  json --arg b "$BASE/t/" '.[0].link // "" | startswith($b)' "$T/mail-remind.json" | has -x true ||
    fail "the reminder has no link to $BASE/t/…: $(json '.[0].subject' "$T/mail-remind.json")"
  step "reminder mail to $REMIND arrived: \"$(json '.[0].subject' "$T/mail-remind.json")\""
fi

sto status "$KENMERK" --json >"$T/status-2.json"
[[ $(json '.signed' "$T/status-2.json") == 2 ]] || fail "status: not 2 signed: $(cat "$T/status-2.json")"
[[ $(json '[.tekenbevoegden[] | select(.state == "signed") | .tekenbevoegde] | sort | join(" ")' "$T/status-2.json") == \
   "$(printf '%s\n' "$SIGNER1" "$SIGNER2" | sort | paste -sd' ')" ]] || fail "status: the signed ones are not $SIGNER1 $SIGNER2"

# archief.zip: one folder KENMERK-v1/ with the archive; sto verify of it says incomplete (2 of 9).
"$PY" - "$T/out/archief.zip" "$KENMERK-v1" >"$T/zip.out" <<'EOF' || fail "archief.zip: $(cat "$T/zip.out")"
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
bad = z.testzip()
assert bad is None, "corrupt member %s" % bad
names = z.namelist()
top = {n.split("/", 1)[0] for n in names}
assert top == {sys.argv[2]}, "not one folder %s/: %s" % (sys.argv[2], sorted(top))
for f in ["manifest.json", "contract.pdf", "audit.jsonl", "bewijsdossier.pdf", "agreement.xml", "ca.pem", "tsa.pem", "README.txt"]:
    assert "%s/%s" % (sys.argv[2], f) in names, "no %s/%s in %s" % (sys.argv[2], f, names)
for n in names:
    assert not n.startswith("/") and ".." not in n.split("/"), "unsafe name %s" % n
print(len(names))
EOF
unzip -q "$T/out/archief.zip" -d "$T/archief" || fail "unzip archief.zip"
FINGERPRINT=$(openssl x509 -in "$W/pki/ca.pem" -noout -fingerprint -sha256 | cut -d= -f2)
rc=0
"$STO" verify "$T/archief/$KENMERK-v1" --ca-fingerprint "$FINGERPRINT" --json >"$T/verify.json" 2>"$T/verify.err" || rc=$?
verdict=$(json '.verdict' "$T/verify.json" 2>/dev/null || echo '?')
# sto verify: exit 0 intact, 1 every other verdict: 2 of 9 signed is "incomplete".
[[ $rc == 1 && $verdict == incomplete ]] || fail "sto verify of the downloaded archive: exit $rc, verdict $verdict: $(cat "$T/verify.err")"
[[ $(json '.audit_head' "$T/verify.json") == $(json '.audit_head' "$T/status-2.json") ]] ||
  fail "the archive's audit head is not the one sto status shows"
step "archief.zip: $(cat "$T/zip.out") entries under $KENMERK-v1/; sto verify: $verdict (exit $rc), audit head = sto status"

# contract.pdf: qpdf is content, and it is the document sto status names.
qpdf --check "$T/out/contract.pdf" >"$T/qpdf.out" 2>&1 || fail "qpdf --check contract.pdf: $(tail -5 "$T/qpdf.out")"
[[ $(sha256sum <"$T/out/contract.pdf" | cut -d' ' -f1) == $(json '.document_sha256' "$T/status-2.json") ]] ||
  fail "contract.pdf's SHA-256 is not sto status's document_sha256"
step "contract.pdf: qpdf --check ok, SHA-256 = document_sha256"

# --- the browser at 390 px; version 2 opened through the upload page ---
sed 's/versie="1"/versie="2"/' "$SAMPLE" >"$T/v2.xml"
[[ $(grep -c 'versie="2"' "$T/v2.xml") == 1 ]] || fail "making version 2"
jq --arg s "$T/status-2.json" '.status = $s' "$T/config.json" >"$T/config-phone.json"
browser phone "$T/config-phone.json" || fail "browser at 390 px"
sto status "$KENMERK" --json >"$T/status-3.json"
[[ $(json '.versie' "$T/status-3.json") == 2 && $(json '.signed' "$T/status-3.json") == 0 ]] ||
  fail "after Openen: sto status does not show version 2 unsigned: $(jq -c '{versie, state, signed}' "$T/status-3.json")"
step "version 2 opened through /beheer/nieuw (sto status: versie 2)"

# --- the logs: no token, no password, no session; the audit log names the pages ---
stop "$SERVE_PID"; SERVE_PID=''
grep -q 'gestopt' "$T/serve.out" || fail "sto serve did not stop cleanly: $(cat "$T/serve.out")"
jq -r '.[] | .link | select(. != null) | sub(".*/t/"; "")' "$T/mails.json" "$T/mail-remind.json" >"$T/secrets"
printf '%s\n' "$PASSWORD" >>"$T/secrets"
awk -F'\t' '$6 == "sto_beheer" {print $7}' "$JAR" >>"$T/secrets"
"$PY" - "$W/sto.db" >"$T/audit.jsonl" <<'EOF'
import sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
for (entry,) in db.execute("SELECT entry FROM audit ORDER BY agreement_id, seq"):
    print(entry)
EOF
for f in access.log serve.out cli.log audit.jsonl sink.err; do
  if grep -qFf "$T/secrets" "$T/$f"; then fail "a token, the password or the session appears in $f"; fi
done
jq -e -s 'map(select(.via == "beheer")) | length > 0' "$T/audit.jsonl" >/dev/null ||
  fail "no audit entry has via=beheer (the reminder and the opening went through the pages)"

if [[ -n ${STO_BEHEER_SCREENSHOTS:-} ]]; then
  mkdir -p "$STO_BEHEER_SCREENSHOTS"
  cp "$T"/out/*.png "$STO_BEHEER_SCREENSHOTS/"
  step "screenshots copied to $STO_BEHEER_SCREENSHOTS"
fi

notes=$(jq -s -r '[.[].notes[]] | unique | .[] | "  spec deviation: " + .' "$T/out/desktop.json" "$T/out/phone.json")
[[ -z $notes ]] || printf '%s\n' "$notes"
((${#LATE_FAILURES[@]} == 0)) || fail "${LATE_FAILURES[*]}"
axe=$(jq -s -r '[.[].axe[]] | "\(length) page views: critical \(map(.critical) | add), serious \(map(.serious) | add), moderate \(map(.moderate) | add), minor \(map(.minor) | add)"' \
  "$T/out/desktop.json" "$T/out/phone.json")
echo "BEHEER OK in $((SECONDS - STARTED)) s: login/logout, overview, agreement page live" \
     "($(json '.live_ms' "$T/out/desktop.json") ms after the 2nd signature), reminder mail, archief.zip" \
     "(sto verify: $verdict), contract.pdf (qpdf, SHA-256), findings, version 2 opened; 1280 and 390 px;" \
     "axe-core $axe; $(find "$T/out" -name '*.png' | wc -l) screenshots"
