#!/bin/sh
# audit.sh SIGNED.pdf CA.pem -- every signature of a sto-signed PDF checked with openssl only:
# extract.py (byte ranges, /Contents), then per revision the timestamp token (openssl ts -verify:
# TSA chain to CA.pem, imprint = SHA-256 of the signature value), then the CMS (openssl cms
# -verify -cades: signature, signing-certificate-v2, chain to CA.pem at the timestamp's time).
# Prints one line per revision; exit 1 if anything fails. Checks signatures, not which objects
# a revision changed: that is `sto verify`'s structural check.
set -u
pdf=$1; ca=$2; here=$(dirname "$0"); dir=$(mktemp -d)
fail=0
python3 "$here/extract.py" "$pdf" "$dir" > "$dir/list" || { tail -1 "$dir/list"; echo "STRUCTURE: FAIL"; fail=1; }
for p7s in $(ls "$dir"/rev-*.p7s 2>/dev/null | sort -t- -k2 -n); do
  k=${p7s##*/rev-}; k=${k%.p7s}
  "$here/ts-extract.sh" "$p7s" "$dir/rev-$k" 2>/dev/null &&
    openssl ts -verify -token_in -in "$dir/rev-$k.tst.der" -data "$dir/rev-$k.sigvalue" -CAfile "$ca" >/dev/null 2>&1 ||
    { echo "rev $k: TIMESTAMP FAIL"; fail=1; continue; }
  when=$(openssl ts -reply -token_in -in "$dir/rev-$k.tst.der" -token_out -text 2>/dev/null | sed -n 's/^Time stamp: //p')
  openssl cms -verify -cades -attime "$(date -u -d "$when" +%s)" -binary -inform DER -in "$p7s" \
    -content "$dir/rev-$k.signed" -CAfile "$ca" -purpose smimesign -out /dev/null \
    -signer "$dir/rev-$k.signer.pem" 2>/dev/null || { echo "rev $k: CMS FAIL"; fail=1; continue; }
  echo "rev $k: ok, $when, $(openssl x509 -in "$dir/rev-$k.signer.pem" -noout -subject -nameopt utf8,sep_comma_plus_space)"
done
rm -rf "$dir"; exit $fail
