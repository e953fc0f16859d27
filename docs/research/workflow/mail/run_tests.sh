#!/bin/bash
# End-to-end check of mail_proto.cpp against smtp_sink.py (aiosmtpd) on loopback.
#   bash run_tests.sh [WORKDIR]      (default /tmp/rs-mail/run)
# Needs: g++, libpoco-dev, python3-aiosmtpd, openssl. Uses /usr/bin/python3 on purpose.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
W=${1:-/tmp/rs-mail/run}
PY=/usr/bin/python3
rm -rf "$W" && mkdir -p "$W" && cd "$W"

g++ -std=c++20 -O1 -Wall -Wextra "$HERE/mail_proto.cpp" -o mail_proto \
  -lPocoNetSSL -lPocoNet -lPocoCrypto -lPocoFoundation
head -c 300000 /dev/urandom > test.pdf   # any bytes: the check is byte identity
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout key.pem -out cert.pem \
  -days 2 -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout other-key.pem \
  -out other.pem -days 2 -subj "/CN=other" 2>/dev/null

SINKS=()
cleanup() { for p in "${SINKS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
start_sink() {  # start_sink NAME ARGS... -> $PORT
  local name=$1; shift
  $PY "$HERE/smtp_sink.py" --dir "$name" --port-file "$name.port" "$@" 2>"$name.err" &
  SINKS+=($!)
  for _ in $(seq 100); do [ -s "$name.port" ] && break; sleep 0.05; done
  PORT=$(cat "$name.port")
}
fails=0
expect() {  # expect WANT_RC DESCRIPTION -- COMMAND...
  local want=$1 what=$2; shift 3
  local out rc=0
  out=$("$@") || rc=$?
  if [ "$rc" = "$want" ]; then echo "ok   $what: $out"; else echo "FAIL $what (rc $rc, want $want): $out"; fails=$((fails+1)); fi
}

start_sink plain
expect 0  "plain SMTP, invitation (no PDF)" -- ./mail_proto smtp 127.0.0.1 "$PORT" jan@example.nl -
expect 0  "plain SMTP, completion with PDF" -- ./mail_proto smtp 127.0.0.1 "$PORT" jan@example.nl test.pdf
$PY "$HERE/check_eml.py" plain/2.eml test.pdf > plain-check.txt
grep -q "attachment identical to test.pdf : True" plain-check.txt && echo "ok   PDF bytes identical after SMTP" || { echo "FAIL PDF"; fails=$((fails+1)); }
grep -q "Uitnodiging: onderteken de samenwerkingsovereenkomst STO25-108-SOK – € 1.250 cofinanciering, ĳverig café" plain-check.txt \
  && echo "ok   subject decodes" || { echo "FAIL subject"; fails=$((fails+1)); }
grep -q "https://onderteken.sto-regio-gelderse-ijssel.nl/teken/q3J5x0V9Zr7mFh2LkPq_wTnYb8cXeA4sD6gUoIi1-0M" plain-check.txt \
  && echo "ok   link intact after QP decoding" || { echo "FAIL link"; fails=$((fails+1)); }

expect 78 "TLS configured, server offers no STARTTLS -> config (never plaintext)" -- ./mail_proto smtp 127.0.0.1 "$PORT" jan@example.nl - --tls cert.pem

start_sink tls --tls-cert cert.pem --tls-key key.pem --auth alice:geheim
expect 0  "STARTTLS (CA = test cert) + AUTH LOGIN" -- ./mail_proto smtp 127.0.0.1 "$PORT" jan@example.nl test.pdf --tls cert.pem --user alice --pass geheim
expect 0  "STARTTLS + AUTH PLAIN" -- ./mail_proto smtp 127.0.0.1 "$PORT" jan@example.nl - --tls cert.pem --user alice --pass geheim --plain
expect 78 "wrong password -> config" -- ./mail_proto smtp 127.0.0.1 "$PORT" jan@example.nl - --tls cert.pem --user alice --pass fout
expect 78 "no STARTTLS although the server requires it -> config" -- ./mail_proto smtp 127.0.0.1 "$PORT" jan@example.nl -
expect 78 "server cert not trusted -> config" -- ./mail_proto smtp 127.0.0.1 "$PORT" jan@example.nl - --tls other.pem --user alice --pass geheim
grep -q '"auth_login": "alice"' tls/1.json && echo "ok   sink saw the login" || { echo "FAIL login"; fails=$((fails+1)); }

start_sink flaky --tempfail-rcpt 1 --tempfail-data 1 --reject weg@example.nl
expect 75 "451 at RCPT -> transient" -- ./mail_proto smtp 127.0.0.1 "$PORT" jan@example.nl -
expect 75 "452 after DATA -> transient" -- ./mail_proto smtp 127.0.0.1 "$PORT" jan@example.nl -
expect 0  "third try -> sent" -- ./mail_proto smtp 127.0.0.1 "$PORT" jan@example.nl -
expect 65 "550 at RCPT -> permanent" -- ./mail_proto smtp 127.0.0.1 "$PORT" weg@example.nl -
cleanup; SINKS=()
expect 75 "nothing listening -> transient" -- ./mail_proto smtp 127.0.0.1 "$PORT" jan@example.nl -

expect 0  "pickup directory" -- ./mail_proto pickup pickup jan@example.nl test.pdf
f=$(ls pickup/new/*.eml)
$PY "$HERE/check_eml.py" "$f" test.pdf > pickup-check.txt
grep -q "attachment identical to test.pdf : True" pickup-check.txt && grep -q "defects: \[\]" pickup-check.txt \
  && echo "ok   pickup .eml parses, PDF identical" || { echo "FAIL pickup"; fails=$((fails+1)); }
[ -z "$(ls -A pickup/tmp)" ] && echo "ok   pickup/tmp empty" || { echo "FAIL tmp"; fails=$((fails+1)); }

echo "---- what a client sees (pickup):"; cat pickup-check.txt | cut -c1-200
echo "---- $fails failure(s)"
exit $((fails > 0))
