set -u
T=./build/storetest
run() { # backend conn mode n
  $T init-counter $1 "$2" 2>/dev/null
  s=$(date +%s.%N)
  $T counter $1 "$2" $4 $3 & p1=$!
  $T counter $1 "$2" $4 $3 & p2=$!
  wait $p1 $p2
  e=$(date +%s.%N)
  echo "== $1 mode=$3 n=$4 per proc: $($T read-counter $1 "$2") (expected $((2*$4))) in $(echo "$e-$s"|bc)s"
}
rm -f /tmp/rs-store/c.db*
run sqlite /tmp/rs-store/c.db lock 200
run sqlite /tmp/rs-store/c.db nolock 200
run postgresql "$STO_PG_CONN" lock 200
run postgresql "$STO_PG_CONN" nolock 200
