// A page on another site auto-submits a form to the signing URL (the attacker knows the link but
// not the CSRF field, and tries anyway with a guessed value); also a copy of the real CSRF value.
const { chromium } = require('playwright-core');
(async () => {
  const [base, token, csrf] = process.argv.slice(2);
  const b = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true });
  const page = await (await b.newContext()).newPage();
  await page.route('http://evil.test/', (r) => r.fulfill({ contentType: 'text/html', body:
    `<form id=f method=post action="${base}/t/${token}/sign"><input name=csrf value="${csrf}">` +
    `<input name=naam value=Mallory><input name=akkoord value=ja></form><script>f.submit()</script>` }));
  const resp = page.waitForResponse((r) => r.url().endsWith('/sign'));
  await page.goto('http://evil.test/');
  const r = await resp;
  console.log('cross-site POST status', r.status(), 'request sec-fetch-site', (await r.request().allHeaders())['sec-fetch-site']);
  await b.close();
})();
