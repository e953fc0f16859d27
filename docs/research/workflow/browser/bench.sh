#!/bin/bash
# usage: bench.sh LABEL PATH SERVER-ARGS...
label=$1; path=$2; shift 2
T=TESTTOKEN_abcdefghijklmnopqrstuvwxyz0123456
/tmp/rs-browser/server/build/signserver --port 18090 --token $T "$@" > /tmp/rs-browser/b.out 2>/tmp/rs-browser/b.err &
pid=$!; sleep 0.4
url="${SCHEME:-http}://127.0.0.1:18090${path/@T/$T}"
curl -sk -o /dev/null "$url" >/dev/null
wrk -t2 -c${C:-50} -d10s --latency "$url" > /tmp/rs-browser/wrk-$label.txt 2>&1 &
wpid=$!
sleep 4
# probe: a fresh connection in the middle of the run (does a new visitor get served?)
probe=$(curl -sk -m 8 -o /dev/null -w "%{time_total}s" "${SCHEME:-http}://127.0.0.1:18090/plain" || echo "timeout(8s)")
wait $wpid
kill $pid; wait $pid 2>/dev/null
rps=$(awk '/Requests\/sec/{print $2}' /tmp/rs-browser/wrk-$label.txt)
p50=$(awk '$1=="50%"{print $2}' /tmp/rs-browser/wrk-$label.txt)
p90=$(awk '$1=="90%"{print $2}' /tmp/rs-browser/wrk-$label.txt)
p99=$(awk '$1=="99%"{print $2}' /tmp/rs-browser/wrk-$label.txt)
err=$(grep -E 'Socket errors|Non-2xx' /tmp/rs-browser/wrk-$label.txt | tr '\n' ' ')
echo "| $label | $path | $* | c=${C:-50} | $rps | $p50 | $p90 | $p99 | probe $probe | $err |"
