#!/usr/bin/env bash
# The penvoerder's agreement page (/beheer/overeenkomsten/K) under load, on loopback, against a
# named peer in the same run:
#
#   views  GET /beheer/overeenkomsten/K of a 108-partner agreement (samples/regio-groot-108.xml,
#          140 tekenbevoegden) on `sto serve` with a logged-in session (wrk -t2, -c4, -c16, -c64),
#          while 20 tekenbevoegden sign at the same time through their links (bench/beheer/sign.py:
#          GET the link's page for its csrf, POST /onderteken; a fresh 20 for every wrk run)
#     vs   nginx serving the same page's HTML as a static file with the same headers (no signing):
#          the ceiling of a web server on this machine
#
# Goal (issue 14): >= 300 views/s with p99 < 100 ms while signatures come in.
#
#   bench/beheer_bench.sh [STO]     STO: the sto binary (default $STO, else build/release/signing/cli/sto)
#
# For reference, one run without signing (BASELINE_CONNECTIONS, 16): what the signatures cost.
#
# Environment: VIEW_SECONDS (10), CONNECTIONS ("4 16 64"), SIGNERS (20 per run), SAMPLE
# (samples/regio-groot-108.xml). The session cookie comes from logging in with curl, as a browser
# does: GET /beheer/login (cookie sto_login + the form's csrf), POST /beheer/login.
#
# Needs (Debian): wrk nginx-light (or nginx) curl python3; installs them when missing. Everything
# runs in a temp dir (KEEP_TMP=1 keeps it); every process started here is stopped on exit.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
sto=${1:-${STO:-$repo/build/release/signing/cli/sto}}
if [[ ! -x $sto ]]; then
  echo "beheer_bench: no sto binary at $sto (build it, or give its path)" >&2
  exit 2
fi
sto=$(realpath "$sto")
view_seconds=${VIEW_SECONDS:-10}
read -r -a connections <<<"${CONNECTIONS:-4 16 64}"
signers=${SIGNERS:-20}
sample=$(realpath "${SAMPLE:-$repo/samples/regio-groot-108.xml}")
python=/usr/bin/python3

# --- tools ---------------------------------------------------------------------------------------
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
command -v curl >/dev/null || missing+=(curl)
[[ -x $python ]] || missing+=(python3)
if ((${#missing[@]} > 0)); then
  echo "beheer_bench: installing ${missing[*]}" >&2
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

# --- temp dir, processes, cleanup ------------------------------------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sto-beheer-bench.XXXXXX")
web=$(mktemp -d "${TMPDIR:-/tmp}/sto-beheer-bench-nginx.XXXXXX")  # nginx's workers may run as nobody
chmod 755 "$web"
serve_pid=
nginx_pid=
sign_pid=
wrk_pid=
stop_process() {  # pid: SIGTERM, wait up to 10 s, then SIGKILL
  local pid=$1
  [[ -n $pid ]] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
  stop_process "$sign_pid"
  stop_process "$wrk_pid"
  stop_process "$serve_pid"
  stop_process "$nginx_pid"
  if [[ -n ${KEEP_TMP:-} ]]; then
    echo "beheer_bench: kept $tmp and $web" >&2
  else
    rm -rf "$tmp" "$web"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
wait_for() {  # url pid [any]: until the url answers 200 (or anything, with "any"), 20 s at most
  local code
  for _ in $(seq 200); do
    if ! kill -0 "$2" 2>/dev/null; then
      echo "beheer_bench: the server stopped before answering $1" >&2
      return 1
    fi
    code=$(curl -s -o /dev/null -w '%{http_code}' "$1" || true)
    [[ $code == 200 || (${3:-} == any && $code != 000) ]] && return 0
    sleep 0.1
  done
  echo "beheer_bench: $1 did not answer within 20 s" >&2
  return 1
}
now_ns() { date +%s%N; }
die() {
  echo "beheer_bench: $*" >&2
  exit 1
}

# wrk's figures: requests/s, p50 and p99 in ms, non-2xx/3xx count, socket errors.
to_ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.2f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.2f", v }
    else if (v ~ /m$/) { sub(/m$/, "", v); printf "%.2f", v * 60000 }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.2f", v * 1000 }
    else { printf "?" } }'
}
wrk_rate() { awk '/^Requests\/sec:/ {print $2}' "$1"; }
wrk_pct() { to_ms "$(awk -v p="$2%" '$1 == p {print $2}' "$1")"; }
wrk_bad() { awk '/Non-2xx or 3xx responses:/ {n = $NF} END {print n + 0}' "$1"; }
wrk_errors() {
  awk '/Socket errors:/ {gsub(",", ""); print $4 + $6 + $8 + $10; found = 1} END {if (!found) print 0}' "$1"
}

load() { cut -d' ' -f1-3 /proc/loadavg; }
load_before=$(load)

# --- workspace, the agreement, invitations (mail as files: MAP/postvak) ----------------------------
port=$(free_port)
base=http://127.0.0.1:$port
home=$tmp/werkruimte
password='beheer-bench-wachtwoord'
printf '%s\n' "$password" >"$tmp/wachtwoord"
unset STO_PASSPHRASE  # unencrypted keys: the key is loaded once either way
"$sto" init --home "$home" --listen "127.0.0.1:$port" --base-url "$base" \
  --beheer-wachtwoord-file "$tmp/wachtwoord" >/dev/null
kenmerk=$(grep -o -m1 'kenmerk="[^"]*"' "$sample" | cut -d'"' -f2)
"$sto" open "$sample" --home "$home" >/dev/null
"$sto" invite "$kenmerk" --home "$home" >/dev/null
mkdir -p "$tmp/mail"
mv "$home"/postvak/new/*.eml "$tmp/mail/"
"$python" -c 'import sys; sys.path.insert(0, sys.argv[1]); from forms import tokens; print("\n".join(tokens(sys.argv[2], sys.argv[3])))' \
  "$repo/bench/serve" "$tmp/mail" "$base" >"$tmp/tokens"
tokens_total=$(wc -l <"$tmp/tokens")
needed=$((signers * ${#connections[@]}))
((tokens_total > needed)) || die "$tokens_total links, $needed signers wanted (and one left unsigned)"

"$sto" serve --home "$home" --listen "127.0.0.1:$port" --base-url "$base" >"$tmp/serve.out" 2>"$tmp/serve.log" &
serve_pid=$!
wait_for "$base/" "$serve_pid" any

# --- the session, as a browser gets it -------------------------------------------------------------
jar=$tmp/cookies
curl -s -c "$jar" -o "$tmp/login.html" "$base/beheer/login"
csrf=$("$python" - "$tmp/login.html" <<'EOF'
import html.parser, sys
class P(html.parser.HTMLParser):
    value = None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name") == "csrf" and self.value is None:
            self.value = a.get("value") or ""
p = P()
p.feed(open(sys.argv[1], encoding="utf-8").read())
print(p.value or "")
EOF
)
[[ -n $csrf ]] || die "GET /beheer/login: no csrf in the form"
code=$(curl -s -b "$jar" -c "$jar" -o /dev/null -w '%{http_code}' --data-urlencode "csrf=$csrf" \
  --data-urlencode "wachtwoord=$password" "$base/beheer/login")
[[ $code == 303 ]] || die "POST /beheer/login: HTTP $code, expected 303"
session=$(awk -F'\t' '$6 == "sto_beheer" {print $7}' "$jar")
[[ -n $session ]] || die "POST /beheer/login set no cookie sto_beheer"
cookie="Cookie: sto_beheer=$session"
page_path=/beheer/overeenkomsten/$kenmerk
view_url=$base$page_path
code=$(curl -s -H "$cookie" -D "$tmp/page.headers" -o "$web/page.html" -w '%{http_code}' "$view_url")
[[ $code == 200 ]] || die "GET $page_path with the session: HTTP $code"
rows=$(grep -o '<tr data-tekenbevoegde=' "$web/page.html" | wc -l)

# --- views on sto serve without signing, for reference (what the signatures cost the views) ------
baseline_c=${BASELINE_CONNECTIONS:-16}
wrk -t2 -c"$baseline_c" -d"${view_seconds}s" --timeout 10s --latency -H "$cookie" "$view_url" >"$tmp/views-sto-alone.txt"

# --- views on sto serve, while SIGNERS sign through their links ------------------------------------
next_token=1
signed_during=0
sign_summary=()
for c in "${connections[@]}"; do
  wrk_start=$(now_ns)
  wrk -t2 -c"$c" -d"${view_seconds}s" --timeout 10s --latency -H "$cookie" "$view_url" >"$tmp/views-sto-$c.txt" &
  wrk_pid=$!
  sleep 1  # into the run: the signatures land on a loaded server
  "$python" "$repo/bench/beheer/sign.py" "$base" "$tmp/tokens" "$next_token" "$signers" "$tmp/signs-$c.txt" \
    >"$tmp/sign-$c.out" 2>"$tmp/sign-$c.err" &
  sign_pid=$!
  wait "$sign_pid" || die "sign.py (-c$c): $(cat "$tmp/sign-$c.err")"
  sign_pid=
  wait "$wrk_pid"
  wrk_pid=
  wrk_end=$(now_ns)
  next_token=$((next_token + signers))
  # Signed (303) and finished while wrk was running.
  n=$(awk -v s="$wrk_start" -v e="$wrk_end" '$1 == 303 && $3 <= e && $2 >= s {n++} END {print n + 0}' "$tmp/signs-$c.txt")
  signed_during=$((signed_during + n))
  sign_summary+=("-c$c: $(cat "$tmp/sign-$c.out"), $n of $signers signed within the wrk run")
done
"$sto" status "$kenmerk" --json --home "$home" >"$tmp/status.json"
signed_total=$("$python" -c 'import json, sys; print(json.load(open(sys.argv[1]))["signed"])' "$tmp/status.json")
curl -s -H "$cookie" -o "$tmp/page-after.html" "$view_url"
rows_signed=$(grep -o '<tr [^>]*data-state="\?signed' "$tmp/page-after.html" | wc -l)  # not the CSS's tr[data-state=signed]
stop_process "$serve_pid"
serve_pid=

# --- nginx with the same page and headers ----------------------------------------------------------
chmod 644 "$web/page.html"
add_headers=
for h in Content-Security-Policy Referrer-Policy Cache-Control X-Content-Type-Options X-Frame-Options; do
  v=$(awk -v h="$h:" 'tolower($1) == tolower(h) {sub(/^[^:]*: /, ""); sub(/\r$/, ""); print; exit}' "$tmp/page.headers")
  [[ -z $v ]] || add_headers+="      add_header $h \"$v\";"$'\n'
done
content_type=$(awk 'tolower($1) == "content-type:" {sub(/^[^:]*: /, ""); sub(/\r$/, ""); print; exit}' "$tmp/page.headers")
nport=$(free_port)
mkdir -p "$web/tmp"
cat >"$web/nginx.conf" <<EOF
# A throwaway nginx for bench/beheer_bench.sh: the agreement page as a static file, same headers.
daemon off;
worker_processes $(nproc);
pid $web/nginx.pid;
error_log $web/error.log warn;
events { worker_connections 1024; }
http {
  access_log $web/access.log;  # sto serve logs every request too
  client_body_temp_path $web/tmp/body;
  proxy_temp_path $web/tmp/proxy;
  fastcgi_temp_path $web/tmp/fastcgi;
  uwsgi_temp_path $web/tmp/uwsgi;
  scgi_temp_path $web/tmp/scgi;
  server_tokens off;
  etag off;
  keepalive_timeout 5s;     # as sto serve
  keepalive_requests 100;   # as sto serve
  types {}
  default_type "${content_type:-text/html; charset=utf-8}";
  server {
    listen 127.0.0.1:$nport;
    root $web;
    location /beheer/overeenkomsten/ {
      try_files /page.html =404;
$add_headers    }
  }
}
EOF
"$nginx_bin" -p "$web" -c "$web/nginx.conf" -e "$web/error.log" &
nginx_pid=$!
wait_for "http://127.0.0.1:$nport$page_path" "$nginx_pid"
for c in "${connections[@]}"; do
  wrk -t2 -c"$c" -d"${view_seconds}s" --timeout 10s --latency -H "$cookie" "http://127.0.0.1:$nport$page_path" \
    >"$tmp/views-nginx-$c.txt"
done
stop_process "$nginx_pid"
nginx_pid=

# --- the server's own account ----------------------------------------------------------------------
logged=$(grep -c -E '^[^ ]+ (GET|POST|HEAD) ' "$tmp/serve.log" || true)
logged_bad=$(awk '$2 ~ /^(GET|POST|HEAD)$/ && $4 !~ /^[23]/' "$tmp/serve.log" | wc -l)
server_times() {  # method path-prefix: p50/p99/max of the handling time the server logged (ms)
  awk -v m="$1" -v p="$2" '$2 == m && index($3, p) == 1 {t = $5; sub(/ms$/, "", t); print t + 0}' "$tmp/serve.log" |
    sort -n |
    awk '{a[NR] = $1} END {if (NR) printf "p50 %.1f, p99 %.1f, max %.1f ms (%d)", a[int((NR - 1) * 0.5) + 1], a[int((NR - 1) * 0.99) + 1], a[NR], NR; else printf "none"}'
}
log_other=$(grep -v -E '^[^ ]+ (GET|POST|HEAD) |luistert op|beheer op' "$tmp/serve.log" | sort | uniq -c | sort -rn | head -n5 || true)

# --- report ----------------------------------------------------------------------------------------
row() {  # label file
  printf '  %-36s %9.1f %9s %9s %8s %7s\n' "$1" "$(wrk_rate "$2")" "$(wrk_pct "$2" 50)" "$(wrk_pct "$2" 99)" \
    "$(wrk_bad "$2")" "$(wrk_errors "$2")"
}
goal() {  # file label
  local rate p99 verdict
  rate=$(wrk_rate "$1")
  p99=$(wrk_pct "$1" 99)
  verdict=$(awk -v r="$rate" -v p="$p99" 'BEGIN {print (r >= 300 && p < 100) ? "MET" : "NOT MET"}')
  printf '  goal >= 300 views/s, p99 < 100 ms, %-5s %s (%.0f views/s, p99 %s ms)\n' "$2:" "$verdict" "$rate" "$p99"
}
echo "sto beheer benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average $load_before before," \
  "$(load) after ($(uname -m); other jobs on this machine count too)"
echo "sto: $sto ($("$sto" --version 2>/dev/null | head -n1 || echo '?')); nginx: $("$nginx_bin" -v 2>&1 | sed 's/.*\///')"
echo "page: $page_path, $(wc -c <"$web/page.html") bytes, $rows rows ($(basename "$sample")); ${view_seconds}s per run;" \
  "wrk $(wrk -v 2>&1 | head -n1 | awk '{print $2}') -t2 with the session cookie, client on the same cores"
echo
printf '  %-36s %9s %9s %9s %8s %7s\n' "" "views/s" "p50 ms" "p99 ms" "non-2xx" "sockerr"
row "sto serve, nobody signing -c$baseline_c" "$tmp/views-sto-alone.txt"
for c in "${connections[@]}"; do
  row "sto serve + $signers signing  -c$c" "$tmp/views-sto-$c.txt"
  row "nginx (peer), static    -c$c" "$tmp/views-nginx-$c.txt"
done
echo
for c in "${connections[@]}"; do goal "$tmp/views-sto-$c.txt" "-c$c"; done
echo "  signatures: $signed_during completed during the wrk runs ($signers per run, each GET page + POST onderteken);" \
  "sto status counts $signed_total signed; the page afterwards shows $rows_signed rows signed"
for line in "${sign_summary[@]}"; do echo "    $line"; done
echo "  server log: $logged requests, $logged_bad not 2xx/3xx; handling time as logged," \
  "GET /beheer $(server_times GET /beheer); POST /t $(server_times POST /t)"
if [[ -n $log_other ]]; then
  echo "  server log, other lines (count, text):"
  while IFS= read -r line; do echo "    $line"; done <<<"$log_other"
fi

status=0
for c in "${connections[@]}"; do
  if (($(wrk_bad "$tmp/views-sto-$c.txt") > 0)); then
    echo "beheer_bench: -c$c: $(wrk_bad "$tmp/views-sto-$c.txt") views were not 2xx (the session?)" >&2
    status=1
  fi
done
if ((signed_total != needed)); then
  echo "beheer_bench: sto status counts $signed_total signed, $needed signers ran" >&2
  status=1
fi
if ((rows_signed != signed_total)); then
  echo "beheer_bench: the page shows $rows_signed rows signed, sto status $signed_total" >&2
  status=1
fi
exit "$status"
