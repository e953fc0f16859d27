#!/usr/bin/env bash
# shellcheck disable=SC2016  # the $names in single quotes are jq's (--arg), not the shell's
# End to end, every kind of amendment (docs/amendment-format.md): the real `sto` binary, a real SMTP
# server on loopback (Debian's python3-aiosmtpd: tests/mail/smtp_sink.py) and a real browser
# (Debian's chromium, headless, driven by playwright-core: tests/e2e/e2e.js), on SQLite.
#
#   amendments.sh STO_BINARY
#
# The flow: sto init (with a penvoerder address), open and invite regio-klein-8.xml; the browser
# signs it for all 9 from the links in the mail. Then samples/wijzigingen/w1..w4 (toetreding,
# vervanging, bijdrage, uittreding) in turn, each naming the SHA-256 of the signed contract and of
# the amendment before as `sto status` shows them: sto validate and sto open in the workspace, sto
# invite; the invitations say which amendment; the browser signs each from its mail (the page says
# "Wijziging n"); then one mail per address to everyone bound by the agreement in force after the
# change and everyone who signed it, with the signed amendment attached (pdfsig: every signature
# valid and trusted; qpdf --check), and the penvoerder's notice. `sto status` shows the partner list in
# force after each, `sto partners export KENMERK` writes it, and the exported archive verifies
# (sto verify: intact, the four amendments by number and kind).
# Exits 1 with "E2E FAILED: …" on the first failed check; leaves no process and no file behind.
set -euo pipefail

[[ $# == 1 ]] || { echo "usage: $0 STO_BINARY" >&2; exit 2; }
STO=$(realpath "$1")
# shellcheck disable=SC2034  # harness.sh names it in its messages
BACKEND=sqlite
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PY=/usr/bin/python3            # Debian's: the PATH python may not see python3-aiosmtpd
KENMERK=STO25-071-SOK
SAMPLE=$ROOT/samples/regio-klein-8.xml
PENVOERDER=projectleider@akempis.example.nl
ZEROS=0000000000000000000000000000000000000000000000000000000000000000
# shellcheck source=harness.sh
source "$HERE/harness.sh"

sto init --smtp "127.0.0.1:$SMTP_PORT" --listen "127.0.0.1:$HTTP_PORT" --base-url "$BASE" \
  --penvoerder-email "$PENVOERDER" >/dev/null
# No round of the schedule while the test runs: the penvoerder's daily summary would come at a
# moment the mail counts below do not know (the completion mails go out right after each act).
grep -q '^herinneringen.interval = ' "$W/sto.conf" || fail "sto.conf has no herinneringen.interval"
sed -i 's/^herinneringen.interval = .*/herinneringen.interval = 86400/' "$W/sto.conf"
sto_serve

# in_force_sheet FILE: the partner list in force as `sto partners export` writes it (CSV), as
# JSON {"partners": {id: {"naam", "geld", "uren"}}, "tekenbevoegden": {id: {"partner", "email"}}}.
in_force_sheet() {
  sto partners export "$KENMERK" -o "$T/in-force.csv" | has "tekenbevoegden (die nu gelden in $KENMERK)" ||
    fail "sto partners export $KENMERK"
  "$PY" - "$T/in-force.csv" >"$1" <<'EOF'
import csv, io, json, sys
text = open(sys.argv[1], encoding="utf-8-sig").read()
rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
head = [h.strip() for h in rows[0]]
col = head.index
pid, naam, geld, uren = col("Partner-id"), col("Naam partner"), col("Bijdrage geld (euro)"), col("Bijdrage uren")
tid, email = col("Tekenbevoegde-id"), col("E-mailadres")
out, partner = {"partners": {}, "tekenbevoegden": {}}, None
for r in rows[1:]:
    if not any(c.strip() for c in r):
        continue
    if r[pid].strip():
        partner = r[pid].strip()
        out["partners"][partner] = {"naam": r[naam], "geld": r[geld], "uren": r[uren]}
    out["tekenbevoegden"][r[tid].strip()] = {"partner": partner, "email": r[email].strip().lower()}
json.dump(out, sys.stdout, ensure_ascii=False)
EOF
}

# sign_all N LABEL: invites, waits for the N invitations, and has the browser sign every one.
MAILS=0
sign_all() {
  local n=$1 label=$2 from
  sto invite "$KENMERK" | has "^$n van $n " || fail "sto invite ($label): not $n of $n"
  from=$((MAILS + 1)); MAILS=$((MAILS + n))
  wait_mail "$MAILS" 15
  "$PY" "$HERE/mails.py" "$T/sink" "$from" "$MAILS" >"$T/mails-$label.json"
  sto status "$KENMERK" --json >"$T/status-$label.json"
  mkdir -p "$T/shots-$label"
  browser round "$T/mails-$label.json" "$T/status-$label.json" "$T/shots-$label" || fail "browser, $label"
}

# --- the agreement: 9 sign in the browser ---
sto open "$SAMPLE" | has "$KENMERK versie 1 geopend" || fail "sto open"
sign_all 9 contract
sto status "$KENMERK" --json >"$T/status.json"
[[ $(json '.state' "$T/status.json") == completed ]] || fail "the contract is not complete: $(cat "$T/status.json")"
CONTRACT_SHA=$(json '.contract_sha256' "$T/status.json")
[[ $CONTRACT_SHA =~ ^[0-9a-f]{64}$ ]] || fail "sto status --json has no contract_sha256"
sto status "$KENMERK" | has -F "Getekend contract (SHA-256): $CONTRACT_SHA" || fail "sto status does not show the signed contract's hash"
# The contract's completion mails (one per address) and the penvoerder's notice.
ADDRESSES=$(json '[.tekenbevoegden[] | .email | ascii_downcase] | unique | length' "$T/status.json")
MAILS=$((MAILS + ADDRESSES + 1))
wait_mail "$MAILS" 60
in_force_sheet "$T/in-force-0.json"
[[ $(json '.partners | length' "$T/in-force-0.json") == 8 && $(json '.tekenbevoegden | length' "$T/in-force-0.json") == 9 ]] ||
  fail "the list in force of the contract: $(cat "$T/in-force-0.json")"
step "the contract: 9 signed in chromium, completion mails in, signed SHA-256 shown"

# --- the amendments, each signed by whom it concerns and the penvoerder's tekenbevoegden ---
VORIGE=''
amend() {  # amend N FILE SOORT CHECK: CHECK is a jq test on the list in force after it
  local n=$1 file=$2 soort=$3 check=$4 xml=$T/w$1.xml signers addresses first
  sed "s/sha256=\"$ZEROS\"/sha256=\"$CONTRACT_SHA\"/" "$ROOT/samples/wijzigingen/$file" >"$xml"
  [[ -z $VORIGE ]] || sed -i "s/<vorige nummer=\"$((n - 1))\" sha256=\"$CONTRACT_SHA\"/<vorige nummer=\"$((n - 1))\" sha256=\"$VORIGE\"/" "$xml"
  # Outside the workspace, as the penvoerder drafts it: against the agreement file and the
  # amendments before it (the hashes are checked by sto open, against the signed PDFs).
  local vorige=() k
  for ((k = 1; k < n; k++)); do vorige+=(--vorige "$T/w$k.xml"); done
  "$STO" validate "$xml" --overeenkomst "$SAMPLE" "${vorige[@]}" >"$T/validate-w$n.out" 2>&1 ||
    fail "sto validate w$n: $(cat "$T/validate-w$n.out")"
  sto open "$xml" | tee "$T/open-w$n.out" | has "wijziging $n" || fail "sto open w$n: $(cat "$T/open-w$n.out")"
  sto status "$KENMERK" --json >"$T/status-w$n-open.json"
  [[ $(json '.wijziging' "$T/status-w$n-open.json") == "$n" ]] || fail "status does not show wijziging $n as open"
  signers=$(json '.signatories' "$T/status-w$n-open.json")
  first=$((MAILS + 1))
  sign_all "$signers" "w$n"
  # The invitation says which amendment it is.
  [[ $(json --arg w "wijziging $n ($soort)" '[.[] | select((.subject | contains($w)) and (.plain | contains($w)))] | length' \
       "$T/mails-w$n.json") == "$signers" ]] || fail "w$n: the invitations do not name wijziging $n ($soort): $(json '[.[] | .subject]' "$T/mails-w$n.json")"
  sto status "$KENMERK" --json >"$T/status-w$n.json"
  [[ $(json '.state' "$T/status-w$n.json") == completed && $(json '.signed' "$T/status-w$n.json") == "$signers" ]] ||
    fail "w$n is not complete: $(cat "$T/status-w$n.json")"
  [[ $(json --arg n "$n" '.wijzigingen[] | select(.nummer == ($n | tonumber)) | .soort + " " + .state' "$T/status-w$n.json") == "$soort completed" ]] ||
    fail "status: wijziging $n is not a completed $soort"
  VORIGE=$(json --arg n "$n" '.wijzigingen[] | select(.nummer == ($n | tonumber)) | .signed_sha256' "$T/status-w$n.json")
  in_force_sheet "$T/in-force-$n.json"
  jq -e "$check" "$T/in-force-$n.json" >/dev/null || fail "the list in force after w$n: $(cat "$T/in-force-$n.json")"
  # Everyone bound after the change and everyone who signed it hear of it, once per address,
  # with the signed amendment; and the penvoerder.
  addresses=$(jq -rn --slurpfile f "$T/in-force-$n.json" --slurpfile s "$T/status-w$n.json" \
    '[($f[0].tekenbevoegden[] | .email), ($s[0].tekenbevoegden[] | .email | ascii_downcase)] | unique | length')
  MAILS=$((MAILS + addresses + 1))
  wait_mail "$MAILS" 60
  "$PY" "$HERE/mails.py" "$T/sink" $((first + signers)) "$MAILS" --save "$T/attachments-w$n" >"$T/done-w$n.json"
  [[ $(json --arg p "$PENVOERDER" '[.[] | select(.to == $p)] | length' "$T/done-w$n.json") == 1 ]] ||
    fail "w$n: not one notice to the penvoerder: $(json '[.[] | .to]' "$T/done-w$n.json")"
  [[ $(json --arg p "$PENVOERDER" --arg w "wijziging $n ($soort)" '.[] | select(.to == $p) | .subject | contains($w)' "$T/done-w$n.json") == true ]] ||
    fail "w$n: the penvoerder's notice does not name wijziging $n: $(json --arg p "$PENVOERDER" '.[] | select(.to == $p) | .subject' "$T/done-w$n.json")"
  jq --arg p "$PENVOERDER" '[.[] | select(.to != $p)]' "$T/done-w$n.json" >"$T/informed-w$n.json"
  [[ $(jq -rn --slurpfile f "$T/in-force-$n.json" --slurpfile s "$T/status-w$n.json" \
        '[($f[0].tekenbevoegden[] | .email), ($s[0].tekenbevoegden[] | .email | ascii_downcase)] | unique | join(" ")') == \
     $(json '[.[] | .to | ascii_downcase] | sort | join(" ")' "$T/informed-w$n.json") ]] ||
    fail "w$n: the mails after completion do not go to everyone concerned once: $(json '[.[] | .to]' "$T/informed-w$n.json")"
  [[ $(json --arg w "Van kracht: wijziging $n ($soort)" '[.[] | select((.subject | startswith($w)) and (.attachments | length) == 1)] | length' \
       "$T/informed-w$n.json") == "$addresses" ]] || fail "w$n: not every mail names the amendment with one attachment"
  [[ $(json '[.[] | .attachments[0].sha256] | unique | .[0]' "$T/informed-w$n.json") == "$VORIGE" &&
     $(json '[.[] | .attachments[0].sha256] | unique | length' "$T/informed-w$n.json") == 1 ]] ||
    fail "w$n: the attachments are not the signed amendment whose SHA-256 sto status shows"
  check_signed_pdf "$(json '.[0].attachments[0].path' "$T/informed-w$n.json")" "$signers"
  step "wijziging $n ($soort): $signers signed in chromium; $addresses partners' addresses and the penvoerder informed, the signed amendment attached (pdfsig, qpdf ok)"
}
amend 1 w1-toetreding.xml toetreding \
  '.partners.p9 != null and .tekenbevoegden.s10.partner == "p9" and (.partners | length) == 9'
amend 2 w2-vervanging.xml vervanging \
  '.tekenbevoegden.s3 == null and .tekenbevoegden.s11.partner == "p2"'
amend 3 w3-bijdrage.xml bijdrage \
  '.partners.p6.geld == "150000.00" and .partners.p6.uren == "360"'
amend 4 w4-uittreding.xml uittreding \
  '.partners.p8 == null and (.partners | length) == 8 and .partners.p9 != null'

# --- the archive: the contract and the four amendments verify offline ---
stop "$SERVE_PID"; SERVE_PID=''
sto export "$KENMERK" -o "$T/archief" >/dev/null
FINGERPRINT=$(openssl x509 -in "$W/pki/ca.pem" -noout -fingerprint -sha256 | cut -d= -f2)
rc=0
"$STO" verify "$T/archief" --ca-fingerprint "$FINGERPRINT" >"$T/verify.out" 2>&1 || rc=$?
[[ $rc == 0 ]] || fail "sto verify: exit $rc: $(cat "$T/verify.out")"
for w in "1 (toetreding)" "2 (vervanging)" "3 (bijdrage)" "4 (uittreding)"; do
  has -F "wijziging $w: intact" <"$T/verify.out" || fail "sto verify does not report wijziging $w: $(cat "$T/verify.out")"
done
for n in 1 2 3 4; do
  [[ $(sha256sum <"$T/archief/wijzigingen/$n/contract.pdf" | cut -d' ' -f1) == $(json --arg n "$n" \
     '.wijzigingen[] | select(.nummer == ($n | tonumber)) | .signed_sha256' "$T/status-w4.json") ]] ||
    fail "wijzigingen/$n/contract.pdf is not the signed amendment"
done
step "the archive: contract and wijzigingen 1-4 intact (sto verify)"
echo "E2E OK (amendments) in $((SECONDS - STARTED)) s: the contract and 4 amendments signed in chromium from" \
     "$MAILS mails over SMTP; every signed PDF valid for pdfsig and qpdf; the archive verifies"
