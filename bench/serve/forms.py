"""Prefetches the signing forms for bench/serve_bench.sh.

    forms.py POSTVAK_NEW BASE_URL OUT_TOKENS OUT_FORMS

Reads every invitation in POSTVAK_NEW (*.eml, the text/plain part is quoted-printable) and takes
the personal link (BASE_URL/t/<token>, alone on a line). Writes the tokens to OUT_TOKENS, then
GETs each page, as the signatory's browser would, to learn what a client cannot compute: the
csrf field (an HMAC of the token's hash with the workspace's secret) and the name to type. Writes
one line per token to OUT_FORMS: "/t/<token>/onderteken csrf=…&bevestig=ja&naam=…".
"""
import email
import email.policy
import glob
import html
import http.client
import re
import sys
import urllib.parse


def tokens(postvak, base):
    link = re.compile(r"^" + re.escape(base) + r"/t/([A-Za-z0-9_-]{43})$")
    found = []
    for path in sorted(glob.glob(postvak + "/*.eml")):
        with open(path, "rb") as f:
            message = email.message_from_binary_file(f, policy=email.policy.default)
        for part in message.walk():
            if part.get_content_type() == "text/plain":
                for line in part.get_content().splitlines():
                    m = link.match(line.strip())
                    if m:
                        found.append(m.group(1))
    return found


def main():
    postvak, base, out_tokens, out_forms = sys.argv[1:5]
    found = tokens(postvak, base)
    with open(out_tokens, "w") as f:
        f.writelines(t + "\n" for t in found)
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    lines = []
    skipped = 0
    for token in found:
        conn.request("GET", "/t/" + token)
        response = conn.getresponse()
        page = response.read().decode("utf-8")
        if response.status != 200:
            sys.exit(f"forms.py: GET /t/… gave HTTP {response.status}")
        if response.getheader("Connection", "").lower() == "close":
            conn.close()
        csrf = re.search(r'name=csrf value="([^"]*)"', page)
        naam = re.search(r"Typ uw naam ter bevestiging: <b>(.*?)</b>", page)
        if not csrf or not naam:
            skipped += 1  # signed or declined already: its page is the receipt
            continue
        body = urllib.parse.urlencode({"csrf": csrf.group(1), "bevestig": "ja", "naam": html.unescape(naam.group(1))})
        lines.append(f"/t/{token}/onderteken {body}\n")
    with open(out_forms, "w") as f:
        f.writelines(lines)
    if skipped:
        print(f"forms.py: {skipped} links have no signing form (signed or declined already)", file=sys.stderr)
    print(len(lines))


if __name__ == "__main__":
    main()
