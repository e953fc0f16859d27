T=./build/storetest
rm -f m.db*
for i in 1 2 3 4; do $T migrate sqlite m.db & done; wait
sqlite3 m.db "select group_concat(version) from schema_version"
psql "$STO_PG_CONN" -qc "SET client_min_messages=warning" -c "DROP TABLE IF EXISTS schema_version, event, signatory, counters CASCADE"
for i in 1 2 3 4; do $T migrate postgresql "$STO_PG_CONN" 2>/dev/null & done; wait
psql "$STO_PG_CONN" -Atc "select string_agg(version::text, ',') from schema_version"
