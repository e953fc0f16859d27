#!/bin/sh
# ts-extract.sh CONTENTS.der OUT-PREFIX: writes OUT-PREFIX.tst.der (the RFC 3161 token in the
# signer's unsigned attribute id-aa-timeStampToken) and OUT-PREFIX.sigvalue (the signature value
# it must imprint), with openssl asn1parse + dd only.
set -eu
in=$1; out=$2
# "offset header-length length" per line, then the rest of the line
openssl asn1parse -inform DER -in "$in" |
  sed -E 's/^ *([0-9]+):d=([0-9]+) +hl=([0-9]+) +l= *([0-9]+) (.*)$/\1 \2 \3 \4 \5/' > "$out.asn1"
# the signature value: the last OCTET STRING at depth 5 before the unsigned attributes ([1] at depth 5)
set -- $(awk '$2==5 && /OCTET STRING/ {o=$1; h=$3; l=$4} $2==5 && /cont \[ 1 \]/ {print o, h, l; exit}' "$out.asn1")
dd if="$in" of="$out.sigvalue" iflag=skip_bytes,count_bytes skip=$(($1 + $2)) count=$3 status=none
# the token: the first SEQUENCE after the id-smime-aa-timeStampToken OID (inside its SET)
set -- $(awk '/id-smime-aa-timeStampToken/ {f=1; next} f && /SEQUENCE/ {print $1, $3, $4; exit}' "$out.asn1")
dd if="$in" of="$out.tst.der" iflag=skip_bytes,count_bytes skip=$1 count=$(($2 + $3)) status=none
