#!/usr/bin/env bash
# What tests/e2e/run.sh and tests/e2e/amendments.sh share, sourced by them after they set STO,
# BACKEND, HERE, ROOT and PY: the check that every tool is there (a missing one fails the test: no
# skip), a temporary folder $T and the cleanup of every process and file on any exit, the SMTP sink
# on loopback ($SMTP_PORT, its mail in $T/sink), a free port for the server ($HTTP_PORT, $BASE),
# and the helpers: fail, step, sto (a command; its output is kept in $T/cli.log), json, has,
# count_mail, wait_mail, browser (e2e.js), sto_serve, check_signed_pdf.
# shellcheck shell=bash disable=SC2034  # the variables are the scripts' that source this

STARTED=$SECONDS

fail() { echo "E2E FAILED ($BACKEND): $*" >&2; exit 1; }
step() { printf '[%3ds] %s\n' $((SECONDS - STARTED)) "$*"; }

# --- the tools: a missing one fails the test (no skip) ---
[[ -x $STO ]] || fail "no sto binary at $1"
[[ -x /usr/bin/chromium ]] || fail "no /usr/bin/chromium (apt-get install chromium)"
command -v node >/dev/null || fail "no node (NodeSource node 20)"
command -v npm >/dev/null || fail "no npm"
"$PY" -c 'import aiosmtpd' 2>/dev/null || fail "$PY cannot import aiosmtpd (apt-get install python3-aiosmtpd)"
for tool in pdfsig qpdf certutil jq curl; do command -v $tool >/dev/null || fail "no $tool (poppler-utils, qpdf, libnss3-tools, jq, curl)"; done
if [[ $BACKEND == postgresql ]]; then
  [[ -n ${STO_PG_CONN:-} ]] || fail "STO_PG_CONN is not set: run under tests/support/pg-throwaway.sh"
  command -v psql >/dev/null || fail "no psql"
fi
if [[ ! -d $HERE/node_modules/playwright-core ]]; then
  (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || fail "npm ci in $HERE"
fi

# --- temporary files and processes, cleaned up on every exit ---
T=$(mktemp -d "${TMPDIR:-/tmp}/sto-e2e.XXXXXX")
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
  rm -rf "$T"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
unset STO_HOME STO_PASSPHRASE

# Runs a sto command; its output goes to stdout and to $T/cli.log (searched for tokens at the end).
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
  node "$HERE/e2e.js" "$@" &
  NODE_PID=$!
  local rc=0
  wait "$NODE_PID" || rc=$?
  NODE_PID=''
  return "$rc"
}
free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

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
step "SMTP sink on 127.0.0.1:$SMTP_PORT, server will be $BASE, backend $BACKEND"

sto_serve() {
  "$STO" serve --home "$W" --listen "127.0.0.1:$HTTP_PORT" --base-url "$BASE" >"$T/serve.out" 2>>"$T/access.log" &
  SERVE_PID=$!
  # If this script is killed without its traps (SIGKILL), the server must not outlive it.
  # (read -t on a FIFO held open read-write waits without a child process that could linger.)
  mkfifo "$T/never"
  (exec 3<>"$T/never"; while kill -0 $$ 2>/dev/null; do read -r -t 1 -u 3 || true; done
   kill -TERM "$SERVE_PID" 2>/dev/null) &
  WATCH_PID=$!
  for _ in $(seq 100); do
    grep -q 'luistert op' "$T/serve.out" 2>/dev/null && return 0
    kill -0 "$SERVE_PID" 2>/dev/null || fail "sto serve exited: $(cat "$T/serve.out" "$T/access.log")"
    sleep 0.1
  done
  fail "sto serve did not start"
}

# check_signed_pdf FILE N: qpdf --check passes, and pdfsig finds N valid signatures, each by a
# certificate of the workspace's CA (trusted in a fresh NSS database) and no other.
check_signed_pdf() {
  local file=$1 n=$2 valid trusted
  qpdf --check "$file" >"$T/qpdf.out" 2>&1 || fail "qpdf --check $file: $(tail -5 "$T/qpdf.out")"
  if [[ ! -d $T/nss ]]; then
    mkdir "$T/nss"
    certutil -N -d "sql:$T/nss" --empty-password
    certutil -A -d "sql:$T/nss" -n sto-ca -t ",C," -i "$W/pki/ca.pem"
  fi
  pdfsig -nssdir "sql:$T/nss" "$file" >"$T/pdfsig.out" 2>&1 || true
  valid=$(grep -c 'Signature is Valid\.' "$T/pdfsig.out" || true)
  trusted=$(grep -c 'Certificate is Trusted\.' "$T/pdfsig.out" || true)
  [[ $(grep -c '^Signature #' "$T/pdfsig.out" || true) == "$n" && $valid == "$n" && $trusted == "$n" ]] ||
    fail "pdfsig $file: $valid valid, $trusted trusted of $n: $(cat "$T/pdfsig.out")"
}
