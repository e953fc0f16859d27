"""Signatories signing at the same time, for bench/beheer_bench.sh.

    sign.py BASE_URL TOKENS FIRST COUNT OUT

Takes the tokens FIRST .. FIRST+COUNT-1 (1-based lines of TOKENS, one token a line, as
bench/serve/forms.py writes them) and starts one thread per token, all released together: each
does what a signatory's browser does, on its own connection: GET /t/<token> (the page: the csrf
field, an HMAC only the server can make, and the name to type), then POST /t/<token>/onderteken
(csrf, bevestig=ja, naam) and expects 303. Writes one line per signatory to OUT:
"<status> <start_ns> <end_ns>" (CLOCK_REALTIME, so the caller can compare with its own clock),
and prints "SIGN ok=… failed=… p50_ms=… max_ms=… span_s=…" (span: first start to last end).
"""
import html
import http.client
import re
import sys
import threading
import time
import urllib.parse


def sign(base, token, barrier, results, i):
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    barrier.wait()
    start = time.time_ns()
    status = 0
    try:
        conn.request("GET", "/t/" + token)
        response = conn.getresponse()
        page = response.read().decode("utf-8")
        if response.getheader("Connection", "").lower() == "close":
            conn.close()
        csrf = re.search(r'name=csrf value="([^"]*)"', page)
        naam = re.search(r"Typ uw naam ter bevestiging: <b>(.*?)</b>", page)
        if response.status != 200 or not csrf or not naam:
            status = -response.status  # no signing form: already signed, revoked, …
        else:
            body = urllib.parse.urlencode({"csrf": csrf.group(1), "bevestig": "ja",
                                           "naam": html.unescape(naam.group(1))})
            conn.request("POST", "/t/" + token + "/onderteken", body,
                         {"Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin"})
            response = conn.getresponse()
            response.read()
            status = response.status
    except OSError as e:
        print(f"sign.py: {type(e).__name__}: {e}", file=sys.stderr)
        status = 0
    finally:
        conn.close()
    results[i] = (status, start, time.time_ns())


def main():
    base, tokens_file, first, count, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    with open(tokens_file) as f:
        tokens = [line.strip() for line in f if line.strip()][first - 1:first - 1 + count]
    if len(tokens) != count:
        sys.exit(f"sign.py: {tokens_file} has {len(tokens)} tokens from line {first}, {count} wanted")
    barrier = threading.Barrier(count)
    results = [None] * count
    threads = [threading.Thread(target=sign, args=(base, t, barrier, results, i)) for i, t in enumerate(tokens)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with open(out, "w") as f:
        f.writelines(f"{s} {a} {b}\n" for s, a, b in results)
    ok = [r for r in results if r[0] == 303]
    ms = sorted((b - a) / 1e6 for _, a, b in results)
    span = (max(b for _, _, b in results) - min(a for _, a, _ in results)) / 1e9
    print(f"SIGN ok={len(ok)} failed={count - len(ok)} p50_ms={ms[len(ms) // 2]:.1f} max_ms={ms[-1]:.1f} span_s={span:.2f}")


if __name__ == "__main__":
    main()
