// The browser half of tests/e2e/run.sh: Debian's chromium (headless), driven by playwright-core,
// acts as every tekenbevoegde on the links from the received mail.
//
//   node e2e.js round MAILS.json STATUS.json OUT [--decline ID --reason TEXT] [--wrong-name ID]
//       For every invitation in MAILS.json (from mails.py), in a fresh browser context (by turns
//       a desktop 1280x800 and an iPhone 13): open the link, check the page against STATUS.json
//       (`sto status --json`: kenmerk, versie, wijziging, partner, naam, functie, document SHA-256), follow
//       #lees (application/pdf) and download the PDF (the bytes whose SHA-256 the page shows), tick bevestig, type the
//       name shown and submit #onderteken, then see #ontvangst. --decline ID (a tekenbevoegde's id): that one opens
//       "Ik onderteken niet", types the reason and submits #weiger instead. --wrong-name ID:
//       that one first types another name and must get 422 with #fout. Screenshots into OUT.
//   node e2e.js visit CHECKS.json
//       CHECKS.json: [{"link", "status", "h1", "contains": [..], "rows": {label: value}, "form": bool}]:
//       open each link, check the status, the title, the text, the <dl> rows and whether the
//       signing form is there.
//
// Every page is also checked for: the security headers, no console message (a CSP violation
// would log one), no request that carried a Referer (as the browser saw it; run.sh checks the
// server's log too), no horizontal overflow. Tokens are never printed: links are shown as
// /t/<T-n>. Exits 1 on the first failed check.
'use strict';
const { chromium, devices } = require('playwright-core');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const DESKTOP = { viewport: { width: 1280, height: 800 } };
const PHONE = (() => {
  const { defaultBrowserType, ...d } = devices['iPhone 13'];  // the rest: UA, 390 px, isMobile, touch, 3x
  return d;
})();

let redactions = [];
function redact(s) {
  let out = String(s);
  for (const [token, label] of redactions) out = out.split(token).join(label);
  return out;
}
function say(...parts) { console.log(redact(parts.join(' '))); }
// A heading's text without soft hyphens (&shy; lets a long Dutch word break on a phone).
async function title(page, selector = 'h1') {
  return (await page.locator(selector).innerText()).replace(/\u00ad/g, '');
}
function tokenOf(link) { return new URL(link).pathname.replace(/^\/t\//, ''); }

// A context with the checks every page gets.
async function open(browser, profile) {
  const context = await browser.newContext({ ...profile, acceptDownloads: true });
  const page = await context.newPage();
  // expected: the error statuses a check asked for; Chromium logs each on the console.
  const log = { console: [], referers: [], failed: [], expected: new Set() };
  page.on('console', (m) => {
    const status = /^Failed to load resource: the server responded with a status of (\d+) /.exec(m.text());
    if (m.type() === 'error' && status && log.expected.has(Number(status[1]))) return;
    log.console.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => log.console.push(`pageerror: ${e.message}`));
  page.on('request', async (r) => {
    let h;
    try { h = await r.allHeaders(); } catch { return; }  // the context is already closed
    // A memory-cache hit reports referer '' (docs/design/browser.md §2.3): absent.
    if (h.referer) log.referers.push(`${r.method()} ${r.url()} referer=${h.referer}`);
  });
  page.on('requestfailed', (r) => {
    // Leaving the PDF viewer for the next navigation aborts its requests: not a failure.
    if (!/ERR_ABORTED/.test(r.failure()?.errorText ?? '')) log.failed.push(`${r.url()} ${r.failure()?.errorText}`);
  });
  return { context, page, log };
}

async function finish({ context, page, log }, who) {
  await page.waitForTimeout(50);  // late request events
  assert.deepEqual(log.console, [], `${who}: console messages (CSP?)`);
  assert.deepEqual(log.referers, [], `${who}: a request carried a Referer`);
  assert.deepEqual(log.failed, [], `${who}: failed requests`);
  await context.close();
}

function checkHeaders(response, who) {
  const h = response.headers();
  assert.equal(h['referrer-policy'], 'no-referrer', `${who}: Referrer-Policy`);
  assert.match(h['content-security-policy'] ?? '', /default-src 'none'/, `${who}: CSP`);
  assert.equal(h['cache-control'], 'no-store', `${who}: Cache-Control`);
  assert.equal(h['x-content-type-options'], 'nosniff', `${who}: X-Content-Type-Options`);
  assert.equal(h['set-cookie'], undefined, `${who}: a cookie`);
}

// Against the emulated device's width: with isMobile, Chromium widens the layout viewport to fit
// content that is too wide, so clientWidth alone would hide an overflow.
async function noOverflow(page, who) {
  const width = page.viewportSize().width;
  const over = await page.evaluate((w) => {
    const wide = [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > w + 0.5)
      .map((e) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''} right=${e.getBoundingClientRect().right}`);
    return { scroll: Math.max(document.documentElement.scrollWidth, document.documentElement.clientWidth) - w, wide };
  }, width);
  assert.ok(over.scroll <= 0, `${who}: the page is ${over.scroll} px wider than the ${width} px viewport`);
  assert.deepEqual(over.wide, [], `${who}: elements beyond the right edge`);
}

// The <dl> rows as {label: value}.
async function rows(page) {
  return page.evaluate(() => {
    const out = {};
    for (const dt of document.querySelectorAll('dl dt')) out[dt.textContent] = dt.nextElementSibling.textContent;
    return out;
  });
}

async function shot(page, file) {
  await page.screenshot({ path: file, fullPage: true });
}

async function round(browser, mails, status, out, opts) {
  assert.equal(mails.length, status.tekenbevoegden.length, 'one invitation per tekenbevoegde');
  const flat = (x) => x.replace(/\s+/g, ' ');
  const seen = new Set();
  const result = { signed: [], declined: [], ms: [] };
  for (const [i, mail] of mails.entries()) {
    // One person may sign for two partners with one address: the mail names partner and functie.
    const candidates = status.tekenbevoegden.filter((x) => x.email.toLowerCase() === mail.to.toLowerCase() &&
                                                    flat(mail.plain).includes(`namens ${x.partner}, als ${x.functie}`));
    assert.equal(candidates.length, 1, `mail ${mail.n} to ${mail.to}: which tekenbevoegde?`);
    const t = candidates[0];
    assert.ok(!seen.has(t.tekenbevoegde), `two invitations for ${t.tekenbevoegde}`);
    seen.add(t.tekenbevoegde);
    assert.ok(mail.link, `mail ${mail.n}: no link alone on a line`);
    const token = tokenOf(mail.link);
    assert.match(token, /^[A-Za-z0-9_-]{43}$/, `mail ${mail.n}: token format`);
    assert.ok(mail.plain.includes(status.document_sha256), `mail ${mail.n}: the document hash`);
    const declines = t.tekenbevoegde === opts.decline;
    const phone = i % 2 === 1 || declines;
    const who = `${t.tekenbevoegde} (${phone ? 'phone' : 'desktop'})`;
    const started = Date.now();
    const s = await open(browser, phone ? PHONE : DESKTOP);
    const { page } = s;

    let response = await page.goto(mail.link);
    assert.equal(response.status(), 200, `${who}: GET the link`);
    checkHeaders(response, who);
    // An amendment (sto status --json names its number) says so in the title and a row of its own.
    assert.equal(await title(page), status.wijziging
      ? `Wijziging ${status.wijziging} van de samenwerkingsovereenkomst ondertekenen`
      : 'Samenwerkingsovereenkomst ondertekenen', `${who}: title`);
    const r = await rows(page);
    assert.equal(r['Kenmerk'], status.kenmerk, `${who}: kenmerk`);
    assert.equal(r['Versie'], String(status.versie), `${who}: versie`);
    assert.equal(r['Wijziging'], status.wijziging ? String(status.wijziging) : undefined, `${who}: wijziging`);
    assert.equal(r['U tekent namens'], t.partner, `${who}: partner`);
    assert.ok(r['Als'].startsWith(t.functie), `${who}: functie`);
    assert.equal(r['Naam'], t.naam, `${who}: naam`);
    assert.equal(r['Document (SHA-256)'], status.document_sha256, `${who}: document hash`);
    await noOverflow(page, who);
    const label = phone ? 'phone' : 'desktop';
    if (!opts.shots.has(`signing-page-${label}`)) {
      opts.shots.add(`signing-page-${label}`);
      await shot(page, path.join(out, `signing-page-${label}.png`));
    }

    // Read the contract: the link opens the PDF in the same tab (Chromium's viewer).
    const [pdf] = await Promise.all([
      page.waitForResponse((x) => new URL(x.url()).pathname === `/t/${token}/pdf`),
      page.locator('#lees').click(),
    ]);
    assert.equal(pdf.status(), 200, `${who}: the PDF`);
    assert.equal(pdf.headers()['content-type'], 'application/pdf', `${who}: the PDF's type`);
    // The viewer's response body is Chromium's wrapper page: take the bytes from the download link.
    response = await page.goto(mail.link);  // back to the page (no-store: fetched again)
    assert.equal(response.status(), 200, `${who}: the page again`);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('a[href$="/pdf?download=1"]').click(),
    ]);
    const file = path.join(out, `download-${mail.n}.pdf`);
    await download.saveAs(file);
    const bytes = fs.readFileSync(file);
    fs.unlinkSync(file);
    assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-', `${who}: PDF magic`);
    assert.equal(crypto.createHash('sha256').update(bytes).digest('hex'), status.document_sha256,
                 `${who}: the downloaded PDF is the document whose hash the page shows`);

    if (declines) {
      await page.locator('details summary').click();
      await page.locator('#weiger textarea[name=reden]').pressSequentially(opts.reason);
      await Promise.all([page.waitForURL(mail.link), page.locator('#weiger button[type=submit]').click()]);
      await page.locator('#ontvangst').waitFor();
      assert.equal(await title(page, '#ontvangst h1'), 'Niet ondertekend', `${who}: declined receipt`);
      assert.ok((await page.locator('#ontvangst').innerText()).includes(`Uw reden: ${opts.reason}`),
                `${who}: the reason on the receipt`);
      await noOverflow(page, `${who} declined`);
      if (!opts.shots.has('declined-phone')) {
        opts.shots.add('declined-phone');
        await shot(page, path.join(out, 'declined-phone.png'));
      }
      result.declined.push(t.tekenbevoegde);
    } else {
      const bevestig = page.locator('#onderteken input[name=bevestig]');
      const naam = page.locator('#onderteken input[name=naam]');
      const shown = await page.locator('#onderteken label:has(input[name=naam]) b').innerText();
      assert.equal(shown, t.naam, `${who}: the name to type`);
      if (t.tekenbevoegde === opts.wrongName) {
        await bevestig.check();
        await naam.pressSequentially('Iemand Anders');
        s.log.expected.add(422);
        const [bad] = await Promise.all([
          page.waitForResponse((x) => x.request().method() === 'POST'),
          page.locator('#onderteken button[type=submit]').click(),
        ]);
        assert.equal(bad.status(), 422, `${who}: a wrong name`);
        await page.locator('#fout').waitFor();
        say(`  ${who}: wrong name -> 422 "${await page.locator('#fout').innerText()}"`);
        await naam.clear();
      }
      await bevestig.check();
      await naam.pressSequentially(shown);  // real key presses, diacritics included
      const [post] = await Promise.all([
        page.waitForResponse((x) => x.request().method() === 'POST'),
        page.locator('#onderteken button[type=submit]').click(),
      ]);
      assert.equal(post.status(), 303, `${who}: POST onderteken`);
      const headers = await post.request().allHeaders();
      assert.equal(headers['sec-fetch-site'], 'same-origin', `${who}: Sec-Fetch-Site`);
      await page.waitForURL(mail.link);
      await page.locator('#ontvangst').waitFor();
      assert.equal(await title(page, '#ontvangst h1'), 'Ondertekend', `${who}: receipt`);
      const receipt = await rows(page);
      assert.match(receipt['Revisie'] ?? '', /^[1-9][0-9]*$/, `${who}: revision on the receipt`);
      assert.match(receipt['Certificaat (SHA-256)'] ?? '', /^[0-9a-f]{64}$/, `${who}: certificate hash`);
      await noOverflow(page, `${who} receipt`);
      if (!opts.shots.has(`receipt-${label}`)) {
        opts.shots.add(`receipt-${label}`);
        await shot(page, path.join(out, `receipt-${label}.png`));
      }
      result.signed.push(t.tekenbevoegde);
    }
    await finish(s, who);
    result.ms.push(Date.now() - started);
    say(`  ${who}: ${declines ? 'declined' : 'signed'} in ${Date.now() - started} ms`);
  }
  return result;
}

async function visit(browser, checks) {
  for (const [i, c] of checks.entries()) {
    const who = `visit ${i + 1} ${c.h1}`;
    const s = await open(browser, i % 2 ? PHONE : DESKTOP);
    if (c.status >= 400) s.log.expected.add(c.status);
    const response = await s.page.goto(c.link);
    assert.equal(response.status(), c.status, `${who}: status`);
    checkHeaders(response, who);
    assert.equal(await title(s.page), c.h1, `${who}: title`);
    const text = await s.page.locator('main').innerText();
    for (const want of c.contains ?? []) assert.ok(text.includes(want), `${who}: "${want}" is not on the page`);
    const r = await rows(s.page);
    for (const [k, v] of Object.entries(c.rows ?? {})) assert.equal(r[k], v, `${who}: ${k}`);
    assert.equal(await s.page.locator('#onderteken').count(), c.form ? 1 : 0, `${who}: the signing form`);
    await noOverflow(s.page, who);
    if (c.shot) await shot(s.page, c.shot);
    await finish(s, who);
    say(`  ${who}: ${response.status()}`);
  }
}

(async () => {
  const [mode, ...rest] = process.argv.slice(2);
  const started = Date.now();
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true });
  say(`chromium ${browser.version()}, launched in ${Date.now() - started} ms`);
  try {
    if (mode === 'round') {
      const [mailsFile, statusFile, out, ...flags] = rest;
      const flag = (name) => { const i = flags.indexOf(name); return i < 0 ? null : flags[i + 1]; };
      const mails = JSON.parse(fs.readFileSync(mailsFile, 'utf8'));
      redactions = mails.filter((m) => m.link).map((m, i) => [tokenOf(m.link), `<T-${m.n}>`]);
      const status = JSON.parse(fs.readFileSync(statusFile, 'utf8'));
      const r = await round(browser, mails, status, out, {
        decline: flag('--decline'), reason: flag('--reason'), wrongName: flag('--wrong-name'), shots: new Set(),
      });
      say(`round: ${r.signed.length} signed, ${r.declined.length} declined, ` +
          `${Math.round(r.ms.reduce((a, b) => a + b, 0) / r.ms.length)} ms per tekenbevoegde`);
    } else if (mode === 'visit') {
      const checks = JSON.parse(fs.readFileSync(rest[0], 'utf8'));
      redactions = checks.map((c, i) => [tokenOf(c.link), `<T-v${i + 1}>`]);
      await visit(browser, checks);
    } else {
      throw new Error(`unknown mode "${mode}"`);
    }
  } finally {
    await browser.close();
  }
  say(`e2e.js ${mode}: ${Date.now() - started} ms`);
})().catch((e) => {
  console.error(redact(`e2e.js FAILED: ${e.stack ?? e}`));
  process.exit(1);
});
