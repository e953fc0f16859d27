#!/usr/bin/env bash
# Offline verification of the 140-signature contract, against a named peer in the same run:
#
#   archive   sto verify ARCHIEF --ca-fingerprint FP: the whole archive (revision 0 re-rendered and
#             compared byte for byte, 140 CMS + timestamps + chains, the audit log, the bewijsdossier)
#   contract  sto verify contract.pdf --ca ca.pem --agreement ... --audit ... --tsa ...: the PDF alone
#   peer      pdfsig -nssdir sql:nss contract.pdf (poppler, the CA trusted in a throwaway NSS db):
#             140 CMS signatures and chains, no timestamps, no revision 0, no audit log
#
# The three run interleaved, ROUNDS times, the order rotating per round; every run's output is
# checked (sto exit 0 and "intact"; pdfsig one "Signature is Valid." and "Certificate is Trusted."
# per /ByteRange in the file), and the bench fails instead of reporting a failing run's time.
#
# Hashing: bytes_hashed from `sto verify --json`, against the file size, the one-pass minimum
# (file + the second range of every signature: each revision's tail feeds two hash states), what
# hashing every signature's ranges separately would read, and `openssl speed sha256` measured in
# the same run: the time pure SHA-256 of bytes_hashed takes, and its share of sto verify's time.
#
# Goals (issue): faster than pdfsig; total hashing close to one pass over the file.
#
#   bench/verify_bench.sh [STO] [ROUNDS]   STO: the sto binary (default $STO, else
#                                          build/release/signing/cli/sto); ROUNDS (default $ROUNDS, else 10)
#
# Environment: SAMPLE (samples/regio-groot-108.xml), KEEP_TMP=1 keeps the temp dir.
# Needs (Debian): poppler-utils libnss3-tools openssl time; installs them when missing (without
# /usr/bin/time the peak RSS column is left out).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
sto=${1:-${STO:-$repo/build/release/signing/cli/sto}}
if [[ ! -x $sto ]]; then
  echo "verify_bench: no sto binary at $sto (build it, or give its path)" >&2
  exit 2
fi
sto=$(realpath "$sto")
rounds=${2:-${ROUNDS:-10}}
if ! [[ $rounds =~ ^[1-9][0-9]*$ ]]; then
  echo "verify_bench: ROUNDS must be a positive number, not '$rounds'" >&2
  exit 2
fi
sample=$(realpath "${SAMPLE:-$repo/samples/regio-groot-108.xml}")

# --- tools ---------------------------------------------------------------------------------------
missing=()
command -v pdfsig >/dev/null || missing+=(poppler-utils)
command -v certutil >/dev/null || missing+=(libnss3-tools)
command -v openssl >/dev/null || missing+=(openssl)
[[ -x /usr/bin/time ]] || missing+=(time)
if ((${#missing[@]} > 0)); then
  echo "verify_bench: installing ${missing[*]}" >&2
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
have_time=0
[[ -x /usr/bin/time ]] && have_time=1

# --- temp dir, cleanup ---------------------------------------------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sto-verify-bench.XXXXXX")
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
  if [[ -n ${KEEP_TMP:-} ]]; then
    echo "verify_bench: kept $tmp" >&2
  else
    rm -rf "$tmp"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now_ns() { date +%s%N; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
die() {
  echo "verify_bench: $*" >&2
  exit 1
}
load_before=$(load)

# --- the archive ---------------------------------------------------------------------------------
unset STO_PASSPHRASE
"$sto" demo "$sample" -o "$tmp/demo" >"$tmp/demo.out" 2>&1 || {
  cat "$tmp/demo.out" >&2
  die "sto demo failed"
}
archief=$tmp/demo/archief
pdf=$archief/contract.pdf
for f in contract.pdf ca.pem agreement.xml audit.jsonl tsa.pem; do
  [[ -f $archief/$f ]] || die "sto demo wrote no $archief/$f"
done
fp=$(openssl x509 -in "$archief/ca.pem" -noout -fingerprint -sha256 | cut -d= -f2)
file_size=$(stat -c%s "$pdf")

# Every signature's /ByteRange [a b c d]: the signed bytes are [0, b) and [c, c+d).
grep -a -o '/ByteRange \[[0-9 ]*\]' "$pdf" | tr -d '[]' >"$tmp/byteranges"
read -r signatures naive_bytes sum_d < <(awk '{n++; naive += $3 + $5; d += $5} END {print n + 0, naive + 0, d + 0}' \
  "$tmp/byteranges")
((signatures > 0)) || die "no /ByteRange in $pdf"
one_pass_min=$((file_size + sum_d))

# The peer's trust: the CA in a throwaway NSS database, as docs/signing.md tells an auditor.
mkdir "$tmp/nss"
certutil -N -d "sql:$tmp/nss" --empty-password
certutil -A -d "sql:$tmp/nss" -n sto-ca -t ",C," -i "$archief/ca.pem"

# shellcheck disable=SC2034  # read through the nameref cmd below
cmd_archive=("$sto" verify "$archief" --ca-fingerprint "$fp")
# shellcheck disable=SC2034
head=$(sed -n 's/.*"head": "\([0-9a-f]*\)".*/\1/p' "$archief/manifest.json")
cmd_contract=("$sto" verify "$pdf" --ca "$archief/ca.pem" --agreement "$archief/agreement.xml"
  --audit "$archief/audit.jsonl" --audit-head "$head" --tsa "$archief/tsa.pem")
cmd_peer=(pdfsig -nssdir "sql:$tmp/nss" "$pdf")

# check name output rc: did this run succeed? (a failing run's time is never reported)
check() {
  local name=$1 out=$2 rc=$3 valid trusted
  case $name in
    archive | contract)
      ((rc == 0)) || die "$name: sto verify exited $rc (output in $out)"
      ;;
    peer)
      ((rc == 0)) || die "peer: pdfsig exited $rc (output in $out)"
      valid=$(grep -c 'Signature is Valid\.' "$out" || true)
      trusted=$(grep -c 'Certificate is Trusted\.' "$out" || true)
      ((valid == signatures && trusted == signatures)) ||
        die "peer: pdfsig found $valid valid signatures and $trusted trusted certificates of $signatures"
      ;;
  esac
}

# --- once, untimed: correctness, the JSON figures, a warm page cache ---------------------------------
for name in archive contract; do
  declare -n cmd="cmd_$name"
  rc=0
  "${cmd[@]}" --json >"$tmp/$name.json" 2>"$tmp/$name.err" || rc=$?
  check "$name" "$tmp/$name.json" "$rc"
  unset -n cmd
done
json_field() { sed -n "s/^ *\"$2\": *\"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}$/\1/p" "$1" | head -n1; }
for name in archive contract; do
  verdict=$(json_field "$tmp/$name.json" verdict)
  [[ $verdict == intact ]] || die "$name: verdict '$verdict', not intact"
done
expected=$(json_field "$tmp/archive.json" expected_signatures)
((expected == signatures)) || die "the archive expects $expected signatures, the PDF has $signatures /ByteRange"
hashed_archive=$(json_field "$tmp/archive.json" bytes_hashed)
hashed_contract=$(json_field "$tmp/contract.json" bytes_hashed)
[[ $hashed_archive =~ ^[0-9]+$ && $hashed_contract =~ ^[0-9]+$ ]] || die "no bytes_hashed in sto verify --json"
rc=0
"${cmd_peer[@]}" >"$tmp/peer.check" 2>&1 || rc=$?
check peer "$tmp/peer.check" "$rc"

# SHA-256 throughput on this machine, now (kB/s, 1000 bytes; openssl counts CPU time).
sha_kbs=$(openssl speed -seconds 3 -bytes 16384 sha256 2>/dev/null | awk '$1 == "sha256" {v = $2; sub(/k$/, "", v); print v}')
[[ -n $sha_kbs ]] || die "no sha256 figure from openssl speed"

# --- timed rounds, interleaved -------------------------------------------------------------------
names=(archive contract peer)
for name in "${names[@]}"; do : >"$tmp/times.$name"; : >"$tmp/rss.$name"; : >"$tmp/cpu.$name"; done
for ((r = 0; r < rounds; r++)); do
  for ((k = 0; k < 3; k++)); do
    name=${names[$(((r + k) % 3))]}
    declare -n cmd="cmd_$name"
    out=$tmp/run.$name.out
    rc=0
    if ((have_time)); then
      start=$(now_ns)
      /usr/bin/time -f '%M %U %S' -o "$tmp/rss" "${cmd[@]}" >"$out" 2>&1 || rc=$?
      end=$(now_ns)
      tail -n1 "$tmp/rss" | awk '{print $1 >> "'"$tmp/rss.$name"'"; print ($2 + $3) * 1e9 >> "'"$tmp/cpu.$name"'"}'
    else
      start=$(now_ns)
      "${cmd[@]}" >"$out" 2>&1 || rc=$?
      end=$(now_ns)
    fi
    unset -n cmd
    check "$name" "$out" "$rc"
    echo $((end - start)) >>"$tmp/times.$name"
  done
done
load_after=$(load)

# --- figures ---------------------------------------------------------------------------------------
median_ms() { sort -n "$1" | awk '{a[NR] = $1} END {m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.0f", m / 1e6}'; }
min_ms() { sort -n "$1" | awk 'NR == 1 {printf "%.0f", $1 / 1e6}'; }
max_ms() { sort -n "$1" | awk 'END {printf "%.0f", $1 / 1e6}'; }
cpu_ms() { ((have_time)) && median_ms "$1" || echo "n/a"; }
peak_mb() { ((have_time)) && sort -n "$1" | awk 'END {printf "%.0f MB", $1 / 1024}' || echo "n/a"; }
med_archive=$(median_ms "$tmp/times.archive")
med_contract=$(median_ms "$tmp/times.contract")
med_peer=$(median_ms "$tmp/times.peer")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
sha_ms() { awk -v n="$1" -v k="$sha_kbs" 'BEGIN {printf "%.2f", n / (k * 1000) * 1000}'; }

cpu=$(awk -F': *' '/^model name/ {print $2; exit}' /proc/cpuinfo)
[[ -n $cpu ]] || cpu=$(uname -m)
poppler=$(pdfsig -v 2>&1 | awk '/pdfsig version/ {print $3; exit}')
sto_version=$("$sto" --version 2>/dev/null | head -n1 || echo '?')

echo "sto verify benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores, $cpu ($(uname -m));" \
  "load average $load_before before, $load_after after (other jobs on this machine count too)"
echo "sto: $sto ($sto_version); peer: pdfsig from poppler $poppler; $(openssl version | cut -d' ' -f1-2)"
echo "file: $(basename "$sample") signed by sto demo, contract.pdf $file_size bytes, $signatures signatures;" \
  "$rounds rounds, interleaved, wall time per process (date +%s%N around it), page cache warm"
echo
printf '| %-58s | %9s | %9s | %9s | %9s | %9s | %9s |\n' "" "median ms" "min ms" "max ms" "vs pdfsig" "CPU ms" "peak RSS"
printf '|%s|%s|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..60})" "-----------" "-----------" "-----------" "-----------" \
  "-----------" "-----------"
row() {  # name label
  local med
  med=$(median_ms "$tmp/times.$1")
  printf '| %-58s | %9s | %9s | %9s | %9s | %9s | %9s |\n' "$2" "$med" "$(min_ms "$tmp/times.$1")" \
    "$(max_ms "$tmp/times.$1")" "$(ratio "$med_peer" "$med")x" "$(cpu_ms "$tmp/cpu.$1")" "$(peak_mb "$tmp/rss.$1")"
}
row archive "sto verify ARCHIEF --ca-fingerprint (whole archive)"
row contract "sto verify contract.pdf --ca --agreement --audit --tsa"
row peer "pdfsig -nssdir (peer, poppler $poppler)"
echo
echo "\"vs pdfsig\": pdfsig's median over the row's median (> 1: faster than pdfsig); CPU ms: median user + sys" \
  "(/usr/bin/time, 10 ms steps); peak RSS: the largest maxrss of the rounds."
echo
sha_archive=$(sha_ms "$hashed_archive")
printf '| %-58s | %16s | %12s |\n' "hashing" "bytes" "x file size"
printf '|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..60})" "------------------" "--------------"
hrow() { printf '| %-58s | %16s | %12s |\n' "$1" "$2" "$(ratio "$2" "$file_size")"; }
hrow "contract.pdf" "$file_size"
hrow "sto verify bytes_hashed (archive)" "$hashed_archive"
hrow "sto verify bytes_hashed (contract alone)" "$hashed_contract"
hrow "one-pass minimum: file + sum of d_k" "$one_pass_min"
hrow "naive: every signature's ranges, sum of b_k + d_k" "$naive_bytes"
echo
echo "openssl speed -seconds 3 -bytes 16384 sha256: $(awk -v k="$sha_kbs" 'BEGIN {printf "%.0f MB/s", k / 1000}')" \
  "(CPU time); pure SHA-256 of bytes_hashed: $sha_archive ms =" \
  "$(awk -v s="$sha_archive" -v m="$med_archive" 'BEGIN {printf "%.1f%%", 100 * s / m}') of the archive's median," \
  "$(awk -v s="$(sha_ms "$hashed_contract")" -v m="$med_contract" 'BEGIN {printf "%.1f%%", 100 * s / m}') of the contract's;" \
  "the naive $naive_bytes bytes would take $(sha_ms "$naive_bytes") ms"
echo

status=0
verdict() { ((${1})) && echo "MET" || echo "NOT MET"; }
echo "goal faster than pdfsig, whole archive:   $(verdict "med_archive < med_peer")" \
  "($med_archive ms vs $med_peer ms median, $(ratio "$med_peer" "$med_archive")x)"
echo "goal faster than pdfsig, contract alone:  $(verdict "med_contract < med_peer")" \
  "($med_contract ms vs $med_peer ms median, $(ratio "$med_peer" "$med_contract")x)"
if ((hashed_archive < one_pass_min)); then
  echo "goal hashing close to one pass:           ODD: $hashed_archive bytes hashed, below the one-pass" \
    "minimum $one_pass_min (is some range not hashed?)"
  status=1
else
  echo "goal hashing close to one pass:           $(verdict "hashed_archive * 10 <= file_size * 11")" \
    "($(ratio "$hashed_archive" "$file_size")x the file, $( ((hashed_archive == one_pass_min)) && echo "exactly the one-pass minimum" || echo "$(ratio "$hashed_archive" "$one_pass_min")x the one-pass minimum");" \
    "naive would be $(ratio "$naive_bytes" "$file_size")x)"
fi
((have_time)) || echo "(no /usr/bin/time: peak RSS not measured)"
exit "$status"
