T=./build/storetest
echo "##### SQLite basic"; rm -f t.db*; $T basic sqlite /tmp/rs-store/t.db
echo "##### PostgreSQL basic"; $T basic postgresql "$STO_PG_CONN"
echo "##### SQLite probe"; $T probe sqlite /tmp/rs-store/t.db
echo "##### PostgreSQL probe"; $T probe postgresql "$STO_PG_CONN"
echo "##### concurrency"; bash conc.sh
echo "##### row lock wait"; bash hold.sh
echo "##### busy timeout exceeded"; bash busy.sh
echo "##### concurrent migrations"; bash mig.sh
