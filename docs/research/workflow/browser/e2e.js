// End-to-end check of the signing page with Debian's chromium, driven by playwright-core.
// usage: node e2e.js BASE_URL TOKEN [--https]
const { chromium } = require('playwright-core');
const assert = require('node:assert/strict');

const [base, token] = process.argv.slice(2);
const https = process.argv.includes('--https');
const out = '/tmp/rs-browser';
const pageUrl = `${base}/t/${token}`;

function watch(page, log) {
  page.on('console', (m) => log.console.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => log.console.push(`pageerror: ${e.message}`));
  page.on('request', async (r) => {
    let h;
    try { h = await r.allHeaders(); } catch { return; }  // context already closed
    log.requests.push({ method: r.method(), url: r.url(), referer: h.referer ?? null,
                        origin: h.origin ?? null, secFetchSite: h['sec-fetch-site'] ?? null });
  });
  page.on('requestfailed', (r) => log.failed.push(`${r.url()} ${r.failure()?.errorText}`));
}

async function signFlow(browser, label, ctxOpts, name) {
  const ctx = await browser.newContext({ ignoreHTTPSErrors: https, ...ctxOpts });
  const page = await ctx.newPage();
  const log = { console: [], requests: [], failed: [] };
  watch(page, log);
  const resp = await page.goto(pageUrl);
  assert.equal(resp.status(), 200);
  const hdr = resp.headers();
  await page.screenshot({ path: `${out}/${label}-form.png`, fullPage: true });
  await page.getByLabel('Uw naam').fill(name);        // fill() sets the value; also try real typing:
  await page.getByLabel('Uw naam').clear();
  await page.getByLabel('Uw naam').pressSequentially(name);
  await page.getByRole('checkbox').check();
  await Promise.all([page.waitForURL(/\/ontvangst$/), page.getByRole('button', { name: 'Ondertekenen' }).click()]);
  const receipt = await page.locator('#receipt').innerText();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth).catch(() => 'n/a (no JS)');
  await page.screenshot({ path: `${out}/${label}-receipt.png`, fullPage: true });
  await ctx.close();
  return { hdr, receipt, log, overflow };
}

(async () => {
  const t0 = Date.now();
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true });
  console.log('launch ms', Date.now() - t0, 'version', browser.version());
  const results = {};

  const t1 = Date.now();
  results.desktop = await signFlow(browser, 'desktop', { viewport: { width: 1280, height: 800 } }, 'Jan <b>de</b> Vriës');
  console.log('desktop flow ms', Date.now() - t1);
  results.phone = await signFlow(browser, 'phone', { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3,
                                                     isMobile: true, hasTouch: true }, 'Fatma Yılmaz');
  results.nojs = await signFlow(browser, 'nojs', { javaScriptEnabled: false, viewport: { width: 1280, height: 800 } },
                                'Zonder Script');

  for (const [k, r] of Object.entries(results)) {
    console.log(`== ${k}: receipt="${r.receipt.replace(/\n/g, ' | ')}" horizontal overflow px=${r.overflow}`);
    if (typeof r.overflow === 'number') assert.ok(r.overflow <= 0, `${k}: page wider than the viewport`);
    console.log('   console:', JSON.stringify(r.log.console), 'failed:', JSON.stringify(r.log.failed));
    for (const q of r.log.requests) console.log(`   ${q.method} ${q.url.replace(token, '<T>')} referer=${q.referer} origin=${q.origin} sfs=${q.secFetchSite}`);
    assert.equal(r.log.console.length, 0, `${k}: console messages`);
    assert.ok(r.log.requests.every((q) => !q.referer), `${k}: a request carried a Referer`);
  }
  console.log('headers of the page:', JSON.stringify(results.desktop.hdr, null, 1));

  // Negative control: an inline style without its hash must produce a console CSP violation.
  {
    const ctx = await browser.newContext({ ignoreHTTPSErrors: https });
    const page = await ctx.newPage();
    const log = { console: [], requests: [], failed: [] };
    watch(page, log);
    await page.goto(`${pageUrl}?bad=1`);
    await page.waitForTimeout(200);
    console.log('negative control console:', JSON.stringify(log.console));
    assert.ok(log.console.some((c) => /Content Security Policy/.test(c)), 'detector missed the violation');
    await ctx.close();
  }

  // PDF: embedded in <iframe>/<object>, navigated to directly, and the link clicked.
  for (const kind of ['iframe', 'object', 'iframe-nosrc', 'iframe-fanone']) {
    const ctx = await browser.newContext({ ignoreHTTPSErrors: https, viewport: { width: 1280, height: 800 } });
    const page = await ctx.newPage();
    const log = { console: [], requests: [], failed: [] };
    watch(page, log);
    let downloads = 0;
    page.on('download', () => downloads++);
    await page.goto(`${pageUrl}/embed?kind=${kind}`);
    await page.waitForTimeout(4000);  // the PDF viewer renders asynchronously; 1.5 s was sometimes too short
    await page.screenshot({ path: `${out}/embed-${kind}.png` });
    const frames = page.frames().map((f) => f.url().replace(token, '<T>'));
    console.log(`embed ${kind}: frames=${JSON.stringify(frames)} downloads=${downloads} console=${JSON.stringify(log.console)} failed=${JSON.stringify(log.failed)}`);
    await ctx.close();
  }
  {
    const ctx = await browser.newContext({ ignoreHTTPSErrors: https, acceptDownloads: true });
    const page = await ctx.newPage();
    try {
      const r = await page.goto(`${pageUrl}/pdf`);
      console.log('goto pdf: status', r && r.status(), 'url', page.url().replace(token, '<T>'));
      await page.waitForTimeout(3000);
      await page.screenshot({ path: `${out}/pdf-direct.png` });
      console.log('goto pdf frames:', JSON.stringify(page.frames().map((f) => f.url().replace(token, '<T>'))));
    } catch (e) { console.log('goto pdf threw:', e.message.split('\n')[0]); }
    await page.goto(pageUrl);
    const dl = page.waitForEvent('download', { timeout: 5000 }).then((d) => d.suggestedFilename()).catch((e) => 'no download: ' + e.message.split('\n')[0]);
    const popup = page.waitForEvent('popup', { timeout: 5000 }).then((p) => 'popup ' + p.url()).catch(() => 'no popup');
    await page.getByRole('link', { name: /PDF/ }).click();
    console.log('click PDF link:', await dl, '|', await popup, '| page url now', page.url().replace(token, '<T>'));
    await ctx.close();
  }
  {
    // Content-Disposition: attachment -> a download event; the file arrives intact.
    const ctx = await browser.newContext({ ignoreHTTPSErrors: https, acceptDownloads: true });
    const page = await ctx.newPage();
    await page.goto(pageUrl);
    const [dl] = await Promise.all([
      page.waitForEvent('download'),
      page.evaluate((u) => { const a = document.createElement('a'); a.href = u; document.body.append(a); a.click(); }, `${pageUrl}/pdf?dl=1`),
    ]);
    const file = `${out}/downloaded.pdf`;
    await dl.saveAs(file);
    console.log('attachment download:', dl.suggestedFilename(), require('fs').statSync(file).size, 'bytes');
    await ctx.close();
  }
  await browser.close();
  console.log('total ms', Date.now() - t0);
})().catch((e) => { console.error(e); process.exit(1); });
