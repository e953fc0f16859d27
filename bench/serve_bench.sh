#!/usr/bin/env bash
# The signing page under load, on loopback, each figure against a named peer in the same run:
#
#   views  GET /t/<token> on `sto serve` (wrk -t2, -c64 and -c16)  vs  nginx serving the same page
#          as a static file with the same headers: the ceiling of a web server on this machine
#   signs  POST /t/<token>/onderteken, a fresh token per request (wrk + bench/serve/sign.lua)
#          vs  the same signing acts by `sto sign` in one process per agreement (no HTTP, no
#          database, no audit log): what HTTP + database + audit cost on top of the act
#
# Goal (issue): >= 500 views/s on 2 cores with p99 < 50 ms.
#
#   bench/serve_bench.sh [STO]      STO: the sto binary (default $STO, else build/release/signing/cli/sto)
#
# Environment: VIEW_SECONDS (10), SIGN_SECONDS (20, the bound; the run ends sooner when the tokens
# run out), AGREEMENTS (8 copies of SAMPLE, each with its own kenmerk), SAMPLE
# (samples/regio-groot-108.xml), SIGN_CONNECTIONS (16). One signatory per agreement is left
# unsigned (their link is the one the views hit), so no agreement completes: completion mails
# every signatory the signed PDF, a cost of its own that is not a sign request's.
#
# Needs (Debian): wrk nginx-light (or nginx) poppler-utils curl python3; installs them when
# missing. Everything runs in a temp dir (KEEP_TMP=1 keeps it); every process started here is
# stopped on exit.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
sto=${1:-${STO:-$repo/build/release/signing/cli/sto}}
if [[ ! -x $sto ]]; then
  echo "serve_bench: no sto binary at $sto (build it, or give its path)" >&2
  exit 2
fi
sto=$(realpath "$sto")
view_seconds=${VIEW_SECONDS:-10}
sign_seconds=${SIGN_SECONDS:-20}
agreements=${AGREEMENTS:-8}
sample=$(realpath "${SAMPLE:-$repo/samples/regio-groot-108.xml}")
sign_connections=${SIGN_CONNECTIONS:-16}
python=/usr/bin/python3

# --- tools ---------------------------------------------------------------------------------------
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
command -v pdfsig >/dev/null || missing+=(poppler-utils)
command -v curl >/dev/null || missing+=(curl)
[[ -x $python ]] || missing+=(python3)
if ((${#missing[@]} > 0)); then
  echo "serve_bench: installing ${missing[*]}" >&2
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

# --- temp dir, processes, cleanup ------------------------------------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sto-serve-bench.XXXXXX")
web=$(mktemp -d "${TMPDIR:-/tmp}/sto-serve-bench-nginx.XXXXXX")  # nginx's workers may run as nobody
chmod 755 "$web"
serve_pid=
nginx_pid=
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
  stop_process "$serve_pid"
  stop_process "$nginx_pid"
  if [[ -n ${KEEP_TMP:-} ]]; then
    echo "serve_bench: kept $tmp and $web" >&2
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
      echo "serve_bench: the server stopped before answering $1" >&2
      return 1
    fi
    code=$(curl -s -o /dev/null -w '%{http_code}' "$1" || true)
    [[ $code == 200 || (${3:-} == any && $code != 000) ]] && return 0
    sleep 0.1
  done
  echo "serve_bench: $1 did not answer within 20 s" >&2
  return 1
}
now_ns() { date +%s%N; }

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

# --- workspace, agreements, invitations ------------------------------------------------------------
port=$(free_port)
base=http://127.0.0.1:$port
home=$tmp/werkruimte
unset STO_PASSPHRASE  # unencrypted keys: the key is loaded once either way
"$sto" init --home "$home" --listen "127.0.0.1:$port" --base-url "$base" >/dev/null
kenmerk0=$(grep -o -m1 'kenmerk="[^"]*"' "$sample" | cut -d'"' -f2)
kenmerken=()
mkdir -p "$tmp/agreements" "$tmp/mail"
for i in $(seq "$agreements"); do
  k="${kenmerk0%-*}-B$i"
  sed "0,/kenmerk=\"$kenmerk0\"/s//kenmerk=\"$k\"/" "$sample" >"$tmp/agreements/$k.xml"
  "$sto" open "$tmp/agreements/$k.xml" --home "$home" >/dev/null
  "$sto" invite "$k" --home "$home" >/dev/null
  mkdir "$tmp/mail/$k"
  mv "$home"/postvak/new/*.eml "$tmp/mail/$k/"
  kenmerken+=("$k")
done

"$sto" serve --home "$home" --listen "127.0.0.1:$port" --base-url "$base" >"$tmp/serve.out" 2>"$tmp/serve.log" &
serve_pid=$!
wait_for "$base/" "$serve_pid" any

# Every page fetched once, as each signatory's browser would: csrf and the name to type.
: >"$tmp/forms"
view_token=
for k in "${kenmerken[@]}"; do
  "$python" "$repo/bench/serve/forms.py" "$tmp/mail/$k" "$base" "$tmp/tokens.$k" "$tmp/forms.$k" >/dev/null
  [[ -n $view_token ]] || view_token=$(tail -n1 "$tmp/tokens.$k")
  head -n -1 "$tmp/forms.$k" >>"$tmp/forms"  # the last signatory stays unsigned
done
tokens_total=$(wc -l <"$tmp/forms")
wait_for "$base/t/$view_token" "$serve_pid"

# --- views: sto serve, then nginx with the same page -----------------------------------------------
view_url=$base/t/$view_token
for c in 64 16; do
  wrk -t2 -c"$c" -d"${view_seconds}s" --timeout 10s --latency "$view_url" >"$tmp/views-sto-$c.txt"
done

curl -s -D "$tmp/page.headers" -o "$web/page.html" "$view_url"
chmod 644 "$web/page.html"
header() { awk -v h="$1:" 'tolower($1) == tolower(h) {sub(/^[^:]*: /, ""); sub(/\r$/, ""); print; exit}' "$tmp/page.headers"; }
nport=$(free_port)
mkdir -p "$web/tmp"
cat >"$web/nginx.conf" <<EOF
# A throwaway nginx for bench/serve_bench.sh: the signing page as a static file, same headers.
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
  default_type "text/html; charset=utf-8";
  server {
    listen 127.0.0.1:$nport;
    root $web;
    location /t/ {
      try_files /page.html =404;
      add_header Referrer-Policy "$(header Referrer-Policy)";
      add_header Content-Security-Policy "$(header Content-Security-Policy)";
      add_header Cache-Control "$(header Cache-Control)";
      add_header X-Content-Type-Options "$(header X-Content-Type-Options)";
      add_header X-Frame-Options "$(header X-Frame-Options)";
    }
  }
}
EOF
"$nginx_bin" -p "$web" -c "$web/nginx.conf" -e "$web/error.log" &
nginx_pid=$!
wait_for "http://127.0.0.1:$nport/t/$view_token" "$nginx_pid"
for c in 64 16; do
  wrk -t2 -c"$c" -d"${view_seconds}s" --timeout 10s --latency "http://127.0.0.1:$nport/t/$view_token" \
    >"$tmp/views-nginx-$c.txt"
done
stop_process "$nginx_pid"
nginx_pid=

# --- signs over HTTP ----------------------------------------------------------------------------
wrk -t2 -c"$sign_connections" -d"${sign_seconds}s" --timeout 30s --latency -s "$repo/bench/serve/sign.lua" \
  "$base" -- "$tmp/forms" 2 >"$tmp/signs.txt"
sign_line=$(grep '^SIGN ' "$tmp/signs.txt")
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$sign_line"; }
stop_process "$serve_pid"
serve_pid=

# What really happened: the database's count, and the signatures in the PDF.
signed_total=0
best_k=
best_n=0
: >"$tmp/signed-ids"
for k in "${kenmerken[@]}"; do
  "$sto" status "$k" --json --home "$home" >"$tmp/status.$k.json"
  ids=$("$python" -c 'import json, sys
s = json.load(open(sys.argv[1]))
print(" ".join(t["tekenbevoegde"] for t in s["tekenbevoegden"] if t["state"] == "signed"))' "$tmp/status.$k.json")
  n=$(wc -w <<<"$ids")
  signed_total=$((signed_total + n))
  echo "$k $ids" >>"$tmp/signed-ids"
  if ((n > best_n)); then best_n=$n; best_k=$k; fi
done
pdf_valid=0
if [[ -n $best_k ]]; then
  contract_dir=$(find "$home/contracten" -maxdepth 1 -name "$best_k-v*" | head -n1)
  find "$contract_dir" -maxdepth 1 -type f \( -name '0000.pdf' -o -name '*.rev' \) | sort | xargs cat >"$tmp/signed.pdf"
  pdf_valid=$(pdfsig -nocert "$tmp/signed.pdf" 2>/dev/null | grep -c 'Signature is Valid' || true)
fi

# --- peer: the same acts, in process -----------------------------------------------------------
render_start=$(now_ns)
"$sto" render "$tmp/agreements/${kenmerken[0]}.xml" -o "$tmp/render.pdf" >/dev/null
render_ns=$(($(now_ns) - render_start))
peer_acts=0
peer_processes=0
peer_start=$(now_ns)
while read -r k ids; do
  [[ -n $ids ]] || continue
  args=()
  for id in $ids; do args+=(--tekenbevoegde "$id"); done
  "$sto" sign "$tmp/agreements/$k.xml" --contract "$tmp/peer/$k" --home "$home" "${args[@]}" >/dev/null
  peer_acts=$((peer_acts + $(wc -w <<<"$ids")))
  peer_processes=$((peer_processes + 1))
done <"$tmp/signed-ids"
peer_ns=$(($(now_ns) - peer_start))

# --- the server's own account ----------------------------------------------------------------------
logged=$(grep -c -E '^[^ ]+ (GET|POST|HEAD) ' "$tmp/serve.log" || true)
logged_bad=$(awk '$2 ~ /^(GET|POST|HEAD)$/ && $4 !~ /^[23]/' "$tmp/serve.log" | wc -l)
server_times() {  # method: p50/p99/max of the handling time the server logged (ms), after the queue
  awk -v m="$1" '$2 == m {t = $5; sub(/ms$/, "", t); print t + 0}' "$tmp/serve.log" | sort -n |
    awk '{a[NR] = $1} END {if (NR) printf "p50 %.1f, p99 %.1f, max %.1f ms (%d)", a[int((NR - 1) * 0.5) + 1], a[int((NR - 1) * 0.99) + 1], a[NR], NR}'
}
log_other=$(grep -v -E '^[^ ]+ (GET|POST|HEAD) |luistert op' "$tmp/serve.log" | sort | uniq -c | sort -rn | head -n5 || true)

# --- report ----------------------------------------------------------------------------------------
row() {  # label file
  printf '  %-34s %9.1f %9s %9s %8s %7s\n' "$1" "$(wrk_rate "$2")" "$(wrk_pct "$2" 50)" "$(wrk_pct "$2" 99)" \
    "$(wrk_bad "$2")" "$(wrk_errors "$2")"
}
goal() {  # file label
  local rate p99 verdict
  rate=$(wrk_rate "$1")
  p99=$(wrk_pct "$1" 99)
  verdict=$(awk -v r="$rate" -v p="$p99" 'BEGIN {print (r >= 500 && p < 50) ? "MET" : "NOT MET"}')
  printf '  goal >= 500 views/s, p99 < 50 ms, %-5s %s (%.0f views/s, p99 %s ms)\n' "$2:" "$verdict" "$rate" "$p99"
}
sign_elapsed=$(field elapsed_s)
sign_signed=$(field signed)
echo "sto serve benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average $load_before before," \
  "$(load) after ($(uname -m); other jobs on this machine count too)"
echo "sto: $sto ($("$sto" --version 2>/dev/null | head -n1 || echo '?')); nginx: $("$nginx_bin" -v 2>&1 | sed 's/.*\///')"
echo "page: $(wc -c <"$web/page.html") bytes; ${view_seconds}s per view run; wrk $(wrk -v 2>&1 | head -n1 | awk '{print $2}') -t2, client on the same cores"
echo
printf '  %-34s %9s %9s %9s %8s %7s\n' "" "req/s" "p50 ms" "p99 ms" "non-2xx" "sockerr"
row "views  sto serve      -c64" "$tmp/views-sto-64.txt"
row "views  nginx (peer)   -c64" "$tmp/views-nginx-64.txt"
row "views  sto serve      -c16" "$tmp/views-sto-16.txt"
row "views  nginx (peer)   -c16" "$tmp/views-nginx-16.txt"
printf '  %-34s %9.1f %9s %9s %8s %7s\n' "signs  sto serve      -c$sign_connections" \
  "$(awk -v n="$sign_signed" -v s="$sign_elapsed" 'BEGIN {print (s > 0) ? n / s : 0}')" \
  "$(field p50_ms)" "$(field p99_ms)" "$(field other)" "$(wrk_errors "$tmp/signs.txt")"
awk -v n="$peer_acts" -v ns="$peer_ns" -v p="$peer_processes" -v r="$render_ns" 'BEGIN {
  printf "  %-34s %9.1f   (%d acts in %.2f s, %d processes; %.1f acts/s without their start-up,\n", \
    "signs  sto sign (peer)  in-process", n / (ns / 1e9), n, ns / 1e9, p, n / ((ns - p * r) / 1e9)
  printf "  %-34s %9s    validation + rendering %.0f ms each)\n", "", "", r / 1e6 }'
echo
goal "$tmp/views-sto-64.txt" "-c64"
goal "$tmp/views-sto-16.txt" "-c16"
echo "  signs: $sign_signed answered 303 in ${sign_elapsed}s by wrk (sent $(field sent), answered $(field answered));" \
  "$tokens_total tokens offered in ${sign_seconds}s at most"
echo "  check: sto status counts $signed_total signed; pdfsig: $pdf_valid valid signatures in $best_k" \
  "(status: $best_n)"
echo "  server log: $logged requests, $logged_bad not 2xx/3xx; handling time as logged, GET $(server_times GET);" \
  "POST $(server_times POST)"
if [[ -n $log_other ]]; then
  echo "  server log, other lines (count, text):"
  while IFS= read -r line; do echo "    $line"; done <<<"$log_other"
fi

status=0
if ((signed_total < sign_signed)); then
  echo "serve_bench: wrk counted $sign_signed signs but the database has $signed_total" >&2
  status=1
fi
if ((pdf_valid != best_n)); then
  echo "serve_bench: $best_k has $best_n signatures in the database but $pdf_valid valid ones in its PDF" >&2
  status=1
fi
if ((peer_acts != signed_total)); then
  echo "serve_bench: the peer made $peer_acts acts for $signed_total signs" >&2
  status=1
fi
exit "$status"
