T=./build/storetest
$T init-counter postgresql "$STO_PG_CONN" 2>/dev/null
psql "$STO_PG_CONN" -qAt -c "BEGIN" -c "SELECT val FROM counters WHERE id=1 FOR UPDATE" -c "SELECT pg_sleep(2)" -c "UPDATE counters SET val=val+100 WHERE id=1" -c "COMMIT" >/dev/null &
sleep 0.3; s=$(date +%s.%N); $T counter postgresql "$STO_PG_CONN" 1 lock; e=$(date +%s.%N)
wait; echo "PG: waited $(echo "$e-$s"|bc)s behind psql's row lock; $($T read-counter postgresql "$STO_PG_CONN") (expect 101)"
rm -f h.db*; $T init-counter sqlite h.db
sqlite3 h.db "PRAGMA journal_mode=WAL" >/dev/null
(printf 'BEGIN IMMEDIATE;\nUPDATE counters SET val=val+100 WHERE id=1;\n.shell sleep 2\nCOMMIT;\n' | sqlite3 h.db) &
sleep 0.3; s=$(date +%s.%N); $T counter sqlite h.db 1 lock; e=$(date +%s.%N)
wait; echo "SQLite: waited $(echo "$e-$s"|bc)s behind sqlite3's write txn; $($T read-counter sqlite h.db) (expect 101)"
