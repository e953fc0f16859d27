#!/usr/bin/env bash
# shellcheck disable=SC2016  # the $names in single quotes are jq's (--arg), not the shell's
# End to end: the real `sto` binary, a real SMTP server on loopback (Debian's python3-aiosmtpd:
# tests/mail/smtp_sink.py) and a real browser (Debian's chromium, headless, driven by
# playwright-core: tests/e2e/e2e.js), on SQLite or on PostgreSQL.
#
#   run.sh STO_BINARY sqlite|postgresql
#
# postgresql needs STO_PG_CONN (a libpq conninfo): run it under tests/support/pg-throwaway.sh.
# STO_E2E_SCREENSHOTS=DIR copies the screenshots (signing page desktop and phone, receipts,
# declined) to DIR, e.g. docs/img; they are always taken and checked for overflow.
#
# The flow: sto init/open/invite; the 9 invitations arrive at the sink; the browser opens each
# link from the mail, reads the PDF, and signs (8) or declines with a reason (1); `sto status`
# shows it. Version 2 is opened (after --bevestig): version 1's links show what was done, and that
# version 2 replaced it. Version 2 is invited and one link is viewed; version 3 is opened, which
# revokes version 2's open requests:
# their links now say "ingetrokken" (410). Version 3 is invited and signed by all 9; the
# completion mails (one per address) arrive with the signed PDF (the contract's revisions, 9 valid trusted
# signatures for pdfsig, qpdf --check). No token is in the access log, the commands' output or
# the audit log; no request carried a Referer; the audit chain is whole and has the events.
# Exits 1 with "E2E FAILED: …" on the first failed check; leaves no process and no file behind.
set -euo pipefail

[[ $# == 2 && ($2 == sqlite || $2 == postgresql) ]] || { echo "usage: $0 STO_BINARY sqlite|postgresql" >&2; exit 2; }
STO=$(realpath "$1")
BACKEND=$2
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PY=/usr/bin/python3            # Debian's: the PATH python may not see python3-aiosmtpd
KENMERK=STO25-071-SOK
SAMPLE=$ROOT/samples/regio-klein-8.xml
REASON='De raad van toezicht keurt onze bijdrage (640 uur) pas in "maart" goed & wil één wijziging in <artikel 4>.'
# shellcheck source=harness.sh
source "$HERE/harness.sh"


# --- workspace, version 1, invitations ---
DB=()
[[ $BACKEND == postgresql ]] && DB=(--database "postgresql:$STO_PG_CONN")
sto init --smtp "127.0.0.1:$SMTP_PORT" --listen "127.0.0.1:$HTTP_PORT" --base-url "$BASE" "${DB[@]}" >/dev/null
if [[ $BACKEND == postgresql ]]; then
  grep -q '^database *= *postgresql:' "$W/sto.conf" || fail "sto.conf does not name PostgreSQL"
  [[ ! -e $W/sto.db ]] || fail "a SQLite database was made although PostgreSQL was asked for"
fi
sto open "$SAMPLE" | has "$KENMERK versie 1 geopend" || fail "sto open version 1"
sto invite "$KENMERK" | tee "$T/invite-1.out" | has '^9 van 9 ' || fail "sto invite v1: $(cat "$T/invite-1.out")"
wait_mail 9 10
"$PY" "$HERE/mails.py" "$T/sink" 1 9 >"$T/mails-1.json"
sto status "$KENMERK" --json >"$T/status-1.json"
[[ $(json '[.tekenbevoegden[] | select(.state == "invited")] | length' "$T/status-1.json") == 9 ]] ||
  fail "not all 9 invited: $(cat "$T/status-1.json")"
[[ $(json --arg b "$BASE/t/" '[.[] | select(.link != null and (.link | startswith($b)))] | length' "$T/mails-1.json") == 9 ]] ||
  fail "not every invitation has one link to $BASE/t/…"
step "9 invitations received over SMTP"

sto_serve

# --- round 1: 8 sign, 1 declines ---
DECLINER_ID=$(json '.tekenbevoegden[4].tekenbevoegde' "$T/status-1.json")
DECLINER=$(json '.tekenbevoegden[4].email' "$T/status-1.json")
[[ $(json --arg e "$DECLINER" '[.tekenbevoegden[] | select(.email == $e)] | length' "$T/status-1.json") == 1 ]] ||
  fail "the decliner's address $DECLINER is not unique in the sample"
WRONG_ID=$(json '.tekenbevoegden[1].tekenbevoegde' "$T/status-1.json")
mkdir -p "$T/shots"
browser round "$T/mails-1.json" "$T/status-1.json" "$T/shots" \
  --decline "$DECLINER_ID" --reason "$REASON" --wrong-name "$WRONG_ID" || fail "browser, version 1"
sto status "$KENMERK" --json >"$T/status-1b.json"
[[ $(json '.signed' "$T/status-1b.json") == 8 ]] || fail "status: not 8 signed: $(cat "$T/status-1b.json")"
[[ $(json '[.tekenbevoegden[] | select(.state == "signed")] | length' "$T/status-1b.json") == 8 ]] || fail "status: 8 signed"
[[ $(json --arg e "$DECLINER" '[.tekenbevoegden[] | select(.state == "declined" and .email == $e)] | length' \
  "$T/status-1b.json") == 1 ]] || fail "status: $DECLINER is not declined"
[[ $(json '.tekenbevoegden[] | select(.state == "declined") | .reason' "$T/status-1b.json") == "$REASON" ]] ||
  fail "status: the reason differs: $(json '.tekenbevoegden[] | select(.state == "declined") | .reason' "$T/status-1b.json")"
[[ $(json '.state' "$T/status-1b.json") == open && $(json '.effective' "$T/status-1b.json") == null ]] ||
  fail "status: version 1 should still be open without effective date"
sto status "$KENMERK" | has -F "reden: $REASON" || fail "sto status (text) does not show the reason"
step "version 1: 8 signed, 1 declined with the reason (sto status)"

# --- version 2: version 1 is revoked; what was done stays shown ---
V1_SIGNED=$(json --arg e "$DECLINER" '[.[] | select(.to != $e)][0].link' "$T/mails-1.json")
V1_DECLINED=$(json --arg e "$DECLINER" '.[] | select(.to == $e) | .link' "$T/mails-1.json")
sed 's/versie="1"/versie="2"/' "$SAMPLE" >"$T/v2.xml"
sed 's/versie="1"/versie="3"/' "$SAMPLE" >"$T/v3.xml"
[[ $(grep -c 'versie="2"' "$T/v2.xml") == 1 && $(grep -c 'versie="3"' "$T/v3.xml") == 1 ]] || fail "making versions 2 and 3"
# Without --bevestig sto open says whose signatures version 2 would void, and changes nothing.
rc=0
"$STO" open "$T/v2.xml" --home "$W" >"$T/open-2a.out" 2>&1 || rc=$?
[[ $rc == 1 ]] || fail "sto open v2 without --bevestig: exit $rc, expected 1"
has '8 handtekeningen vervallen' <"$T/open-2a.out" || fail "sto open v2 without --bevestig: $(cat "$T/open-2a.out")"
[[ $(sto status "$KENMERK" --json | jq -r '.versie') == 1 ]] || fail "version 2 opened without --bevestig"
sto open "$T/v2.xml" --bevestig | tee "$T/open-2.out" | has 'Versie 1 is ingetrokken' ||
  fail "sto open v2: $(cat "$T/open-2.out")"
jq -n --arg s "$V1_SIGNED" --arg d "$V1_DECLINED" --arg r "$REASON" '[
  {link: $s, status: 200, h1: "Vervangen door versie 2", rows: {Versie: "1"}, contains: ["Revisie", "geldt niet voor de nieuwe versie"], form: false},
  {link: $d, status: 200, h1: "Niet ondertekend", rows: {Versie: "1"}, contains: ["Uw reden: " + $r], form: false}]' >"$T/visit-1.json"
browser visit "$T/visit-1.json" || fail "browser: version 1's links after version 2"
sto invite "$KENMERK" | has '^9 van 9 ' || fail "sto invite v2"
wait_mail 18 10
"$PY" "$HERE/mails.py" "$T/sink" 10 18 >"$T/mails-2.json"
V2_DECLINER=$(json --arg e "$DECLINER" '.[] | select(.to == $e) | .link' "$T/mails-2.json")
jq -n --arg l "$V2_DECLINER" '[{link: $l, status: 200, h1: "Samenwerkingsovereenkomst ondertekenen",
  rows: {Versie: "2"}, form: true}]' >"$T/visit-2.json"
browser visit "$T/visit-2.json" || fail "browser: a version 2 link"
step "version 2 opened (version 1's links show their receipts), invited, one link viewed"

# --- version 3 revokes version 2's open requests: their links say "ingetrokken" (410) ---
sto open "$T/v3.xml" --bevestig | tee "$T/open-3.out" | has 'Versie 2 is ingetrokken' ||
  fail "sto open v3: $(cat "$T/open-3.out")"
jq '[.[] | {link, status: 410, h1: "Vervangen door versie 3", contains: ["vervangen door versie 3", "U ondertekent niets"], form: false}]' \
  "$T/mails-2.json" >"$T/visit-3.json"
browser visit "$T/visit-3.json" || fail "browser: version 2's links after version 3"
code=$(curl -s -o /dev/null -w '%{http_code}' "$V2_DECLINER/pdf")
[[ $code == 404 ]] || fail "the PDF of a revoked link: HTTP $code, expected 404"
sto status "$KENMERK" --json >"$T/status-3.json"
[[ $(json '.versie' "$T/status-3.json") == 3 ]] || fail "status does not name version 3"
step "version 3 opened: all 9 version 2 links show 'Vervangen door versie 3' (410)"

# --- version 3: all 9 sign; the completion mails bring the signed PDF ---
sto invite "$KENMERK" | has '^9 van 9 ' || fail "sto invite v3"
wait_mail 27 10
"$PY" "$HERE/mails.py" "$T/sink" 19 27 >"$T/mails-3.json"
mkdir -p "$T/shots-3"
browser round "$T/mails-3.json" "$T/status-3.json" "$T/shots-3" || fail "browser, version 3"
# One completion mail per address: someone signing for two partners gets one.
ADDRESSES=$(json '[.tekenbevoegden[] | .email | ascii_downcase] | unique | length' "$T/status-3.json")
wait_mail $((27 + ADDRESSES)) 60
"$PY" "$HERE/mails.py" "$T/sink" 28 $((27 + ADDRESSES)) --save "$T/attachments" >"$T/mails-4.json"
sto status "$KENMERK" --json >"$T/status-4.json"
[[ $(json '.state' "$T/status-4.json") == completed && $(json '.signed' "$T/status-4.json") == 9 &&
   $(json '.effective' "$T/status-4.json") != null ]] || fail "status after version 3: $(cat "$T/status-4.json")"
[[ $(json '[.partners[] | select(.bound | not)] | length' "$T/status-4.json") == 0 ]] || fail "not every partner is bound"
got=$(json '[.[] | .to | ascii_downcase] | sort | join(" ")' "$T/mails-4.json")
[[ $got == $(json '[.tekenbevoegden[] | .email | ascii_downcase] | unique | join(" ")' "$T/status-4.json") ]] ||
  fail "the completion mails do not go to the tekenbevoegden's $ADDRESSES addresses once each"
[[ $(json '[.[] | select(.subject | startswith("Ondertekend door alle partners"))] | length' "$T/mails-4.json") == "$ADDRESSES" ]] ||
  fail "completion subjects: $(json '[.[] | .subject]' "$T/mails-4.json")"
[[ $(json '[.[] | select((.attachments | length) == 1 and .attachments[0].content_type == "application/pdf")] | length' \
  "$T/mails-4.json") == "$ADDRESSES" ]] || fail "not every completion mail has one PDF attachment"
[[ $(json '[.[] | .attachments[0].sha256] | unique | length' "$T/mails-4.json") == 1 ]] || fail "the attachments differ"
CONTRACT=$W/contracten/$KENMERK-v3
[[ -f $CONTRACT/0000.pdf && -f $CONTRACT/0009.rev && ! -e $CONTRACT/0010.rev ]] || fail "$CONTRACT: not 0000.pdf + 9 revisions"
cat "$CONTRACT/0000.pdf" "$CONTRACT"/000[1-9].rev >"$T/signed.pdf"
ATTACHMENT=$(json '.[0].attachments[0].path' "$T/mails-4.json")
cmp -s "$ATTACHMENT" "$T/signed.pdf" || fail "the attachment is not the contract's revisions 0..9"
[[ $(sha256sum <"$CONTRACT/0000.pdf" | cut -d' ' -f1) == $(json '.document_sha256' "$T/status-4.json") ]] ||
  fail "0000.pdf is not the document of version 3"
check_signed_pdf "$ATTACHMENT" 9
step "version 3: 9 signed; $ADDRESSES completion mails with the signed PDF (9 valid, trusted signatures; qpdf ok)"

# --- the server's log and the audit log ---
stop "$SERVE_PID"; SERVE_PID=''
grep -q 'gestopt' "$T/serve.out" || fail "sto serve did not stop cleanly: $(cat "$T/serve.out")"
if [[ $BACKEND == sqlite ]]; then
  "$PY" - "$W/sto.db" >"$T/audit.tsv" <<'EOF'
import sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
for entry, h in db.execute("SELECT entry, hash FROM audit ORDER BY agreement_id, seq"):
    print(entry + "\t" + h)
EOF
else
  psql "$STO_PG_CONN" -X -q -At -F $'\t' -c 'SELECT entry, hash FROM audit ORDER BY agreement_id, seq' >"$T/audit.tsv"
fi
"$PY" - "$T/audit.tsv" "$(json '.audit_head' "$T/status-4.json")" "$REASON" >"$T/audit-counts.json" <<'EOF'
import collections, hashlib, json, sys
prev, counts, reasons = "0" * 64, collections.Counter(), []
for n, line in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
    entry, h = line.rstrip("\n").rsplit("\t", 1)
    e = json.loads(entry)
    assert e["seq"] == n, (n, e["seq"])
    c = json.dumps(e, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert hashlib.sha256((prev + c).encode()).hexdigest() == h, "audit chain broken at %d" % n
    prev = h
    counts[e["event"]] += 1
    if e["event"] == "declined":
        reasons.append(e["reason"])
assert prev == sys.argv[2], "the audit head %s is not the one sto status shows (%s)" % (prev, sys.argv[2])
assert reasons == [sys.argv[3]], reasons
print(json.dumps(counts, sort_keys=True))
EOF
[[ -s $T/audit-counts.json ]] || fail "the audit chain does not check out"
AUDIT=$(cat "$T/audit-counts.json")
want='{"completed":1,"declined":1,"invited":27,"opened":3,"revoked":11,"signed":17,"viewed":19}'
[[ $(jq -c '{completed, declined, invited, opened, revoked, signed, viewed}' <<<"$AUDIT") == "$want" ]] ||
  fail "audit events: $AUDIT, expected $want (+ pdf-downloaded)"
# Each of the 18 links that signed read the PDF twice (the viewer, the download); the audit log
# records the first download per link (per server process).
pdf_gets=$(grep -c ' GET /t/…/pdf 200 ' "$T/access.log" || true)
[[ $(jq '."pdf-downloaded"' <<<"$AUDIT") == 18 && $pdf_gets == 36 ]] ||
  fail "pdf-downloaded entries: $(jq '."pdf-downloaded"' <<<"$AUDIT") (expected 18), PDF GETs in the access log: $pdf_gets (expected 36)"

# No token anywhere we write, no Referer ever received.
jq -r '.[] | .link | select(. != null) | sub(".*/t/"; "")' "$T"/mails-[123].json >"$T/tokens"
[[ $(sort -u "$T/tokens" | wc -l) == 27 ]] || fail "expected 27 distinct tokens, got $(sort -u "$T/tokens" | wc -l)"
for f in access.log serve.out cli.log audit.tsv sink.err; do
  if grep -qFf "$T/tokens" "$T/$f"; then fail "a token appears in $f"; fi
done
if grep -q 'met-referer' "$T/access.log"; then fail "a request carried a Referer: $(grep -m3 'met-referer' "$T/access.log")"; fi
grep -q ' POST /t/…/onderteken 303 ' "$T/access.log" || fail "the access log has no signing POST"
[[ $(grep -c ' POST /t/…/onderteken 303 ' "$T/access.log") == 17 ]] || fail "not 17 signing POSTs with 303 in the access log"
[[ $(grep -c ' POST /t/…/onderteken 422 ' "$T/access.log") == 1 ]] || fail "not 1 wrong-name POST (422) in the access log"
[[ $(grep -c ' POST /t/…/weiger 303 ' "$T/access.log") == 1 ]] || fail "not 1 decline POST in the access log"
[[ $(grep -c ' GET /t/… 410 ' "$T/access.log") == 9 ]] || fail "not 9 revoked pages (410) in the access log"
if grep -vE '^127\.0\.0\.1 (GET|POST|HEAD) (/t/…(/pdf|/onderteken|/weiger)?|/|/favicon\.ico|\(elders\)) [0-9]{3} [0-9]+\.[0-9]ms$' \
     "$T/access.log" >"$T/odd.log"; then
  fail "unexpected lines in sto serve's stderr: $(head -5 "$T/odd.log")"
fi

if [[ -n ${STO_E2E_SCREENSHOTS:-} ]]; then
  mkdir -p "$STO_E2E_SCREENSHOTS"
  cp "$T"/shots/{signing-page-desktop,signing-page-phone,receipt-desktop,receipt-phone,declined-phone}.png "$STO_E2E_SCREENSHOTS/"
  step "screenshots copied to $STO_E2E_SCREENSHOTS"
fi

lines=$(wc -l <"$T/access.log")
echo "E2E OK ($BACKEND) in $((SECONDS - STARTED)) s: 27 invitations and $ADDRESSES completion mails over SMTP;" \
     "17 signatures and 1 decline in chromium; 9 revoked links (410); signed PDF = the contract," \
     "9 valid trusted signatures; audit $(jq -c . <<<"$AUDIT");" \
     "access log $lines lines without tokens or Referer"
