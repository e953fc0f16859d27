rm -f h.db*; ./build/storetest init-counter sqlite h.db
(printf 'BEGIN IMMEDIATE;\n.shell sleep 2\nCOMMIT;\n' | sqlite3 h.db) &
sleep 0.5; s=$(date +%s.%N); STO_BUSY_MS=500 ./build/storetest counter sqlite h.db 1 lock; e=$(date +%s.%N)
echo "gave up after $(echo "$e-$s"|bc)s"; wait
