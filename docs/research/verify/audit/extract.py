#!/usr/bin/env python3
"""extract.py SIGNED.pdf OUTDIR -- for every /ByteRange, in file order (= revision order), write
OUTDIR/rev-K.signed (the bytes the signature covers) and OUTDIR/rev-K.p7s (the /Contents CMS, DER,
zero padding cut off), and print K, the ranges, and whether they are well-formed: start at 0, the
gap is exactly the /Contents hex string, and the second range ends at that revision's %%EOF.
Standard library only."""
import re, sys, pathlib

pdf = pathlib.Path(sys.argv[1]).read_bytes()
out = pathlib.Path(sys.argv[2]); out.mkdir(parents=True, exist_ok=True)

def der_length(b):  # total length of the DER TLV at b[0]
    n = b[1]
    if n < 0x80: return 2 + n
    k = n & 0x7F
    return 2 + k + int.from_bytes(b[2:2 + k], 'big')

ok = True
for k, m in enumerate(re.finditer(rb'/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]', pdf), 1):
    a, b, c, d = map(int, m.groups())
    gap = pdf[b:c]
    well = (a == 0 and gap[:1] == b'<' and gap[-1:] == b'>' and re.fullmatch(rb'[0-9A-Fa-f]*', gap[1:-1]) is not None
            and pdf[c + d - 6:c + d] == b'%%EOF\n')
    ok &= well
    der = bytes.fromhex(gap[1:-1].decode())
    (out / f'rev-{k}.signed').write_bytes(pdf[a:a + b] + pdf[c:c + d])
    (out / f'rev-{k}.p7s').write_bytes(der[:der_length(der)])
    print(k, a, b, c, d, 'ok' if well else 'MALFORMED', 'last' if c + d == len(pdf) else '')
print('file', len(pdf), 'bytes; the last range ends at EOF' if c + d == len(pdf) else 'BYTES AFTER THE LAST SIGNED RANGE')
sys.exit(0 if ok and c + d == len(pdf) else 1)
