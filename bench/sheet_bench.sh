#!/usr/bin/env bash
# Importing the partner sheet, as a whole process, against a named peer in the same run:
#
#   sto       sto partners import partners.xlsx --into AGREEMENT.xml -o OUT.xml: unzip and read
#             the .xlsx, map 140 rows to 108 partners, splice them into the agreement, and
#             validate the result exactly like sto validate (reader + regulation rules)
#   peer      soffice --headless --convert-to csv partners.xlsx: LibreOffice Calc only reading the
#             same .xlsx and writing it as CSV (no mapping, no validation)
#
# The sheet is the large sample's partner list written by `sto partners export` (108 partners,
# 140 tekenbevoegden). The two run interleaved, ROUNDS times; every run's output is checked (sto
# exit 0 and the written agreement; soffice's CSV with 141 lines) and a failing run fails the
# bench instead of being timed. Prints the medians and the ratio.
#
# Goal (issue 13): sto under 50 ms.
#
#   bench/sheet_bench.sh [STO] [ROUNDS]   STO: the sto binary (default build/release/signing/cli/sto);
#                                         ROUNDS (default $ROUNDS, else 10; soffice runs min(ROUNDS, 5) times)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
sto=$(realpath "${1:-${STO:-$repo/build/release/signing/cli/sto}}")
rounds=${2:-${ROUNDS:-10}}
sample=$repo/samples/regio-groot-108.xml
command -v soffice >/dev/null || { echo "sheet_bench: needs soffice (libreoffice-calc-nogui, .ci/deps)" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sto-sheet-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
"$sto" partners export "$sample" -o "$tmp/partners.xlsx" >/dev/null
# LibreOffice's first start creates its profile: not part of a conversion's cost.
soffice --headless "-env:UserInstallation=file://$tmp/lo" --convert-to csv --outdir "$tmp/warm" "$tmp/partners.xlsx" >/dev/null 2>&1

now_ms() { date +%s%N | awk '{printf "%.3f", $1 / 1000000}'; }
median() { sort -n | awk '{a[NR] = $1} END {if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

sto_times=() lo_times=() start_times=()
for ((r = 1; r <= rounds; r++)); do
  rm -f "$tmp/out.xml"
  t0=$(now_ms)
  "$sto" partners import "$tmp/partners.xlsx" --into "$sample" -o "$tmp/out.xml" >"$tmp/sto.out"
  t1=$(now_ms)
  [[ -s $tmp/out.xml ]] || { echo "sheet_bench: sto wrote nothing" >&2; cat "$tmp/sto.out" >&2; exit 1; }
  sto_times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')")
  # The floor any sto command pays here: starting the process (loading its libraries).
  t0=$(now_ms)
  "$sto" --version >/dev/null
  t1=$(now_ms)
  start_times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')")
  if ((r <= 5)); then
    rm -rf "$tmp/csv"
    t0=$(now_ms)
    soffice --headless "-env:UserInstallation=file://$tmp/lo" --convert-to csv --outdir "$tmp/csv" "$tmp/partners.xlsx" >/dev/null 2>&1
    t1=$(now_ms)
    lines=$(wc -l <"$tmp/csv/partners.csv")
    ((lines == 141)) || { echo "sheet_bench: soffice wrote $lines lines, not 141" >&2; exit 1; }
    lo_times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')")
  fi
done
sto_median=$(printf '%s\n' "${sto_times[@]}" | median)
lo_median=$(printf '%s\n' "${lo_times[@]}" | median)
start_median=$(printf '%s\n' "${start_times[@]}" | median)
printf 'partner sheet import, 108 partners / 140 tekenbevoegden (.xlsx, %s bytes), whole processes:\n' \
  "$(stat -c %s "$tmp/partners.xlsx")"
printf '  %-58s %9s ms (median of %d)\n' "sto partners import + validation" "$sto_median" "${#sto_times[@]}"
printf '  %-58s %9s ms (median of %d)\n' "  of which starting any sto process (sto --version)" "$start_median" "${#start_times[@]}"
printf '  %-58s %9s ms (median of %d)\n' "peer: LibreOffice soffice --convert-to csv" "$lo_median" "${#lo_times[@]}"
awk -v s="$sto_median" -v l="$lo_median" 'BEGIN {printf "  sto is %.0fx faster than the peer; goal: sto under 50 ms: %s\n", l / s, (s < 50 ? "met" : "NOT met")}'
