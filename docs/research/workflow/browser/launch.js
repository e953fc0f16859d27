const { chromium } = require('playwright-core');
(async () => {
  for (const [label, opts] of [
    ['wrapper default', { executablePath: '/usr/bin/chromium', headless: true }],
    ['wrapper chromiumSandbox:false', { executablePath: '/usr/bin/chromium', headless: true, chromiumSandbox: false }],
    ['wrapper chromiumSandbox:true', { executablePath: '/usr/bin/chromium', headless: true, chromiumSandbox: true }],
    ['binary default', { executablePath: '/usr/lib/chromium/chromium', headless: true }],
    ['binary chromiumSandbox:true +--no-sandbox arg', { executablePath: '/usr/lib/chromium/chromium', headless: true, chromiumSandbox: true, args: ['--no-sandbox'] }],
  ]) {
    const t0 = Date.now();
    try {
      const b = await chromium.launch({ ...opts, timeout: 30000 });
      const t1 = Date.now();
      const p = await b.newPage();
      await p.goto('data:text/html,<title>x</title>hi');
      const t2 = Date.now();
      console.log(`${label}: OK version=${b.version()} launch=${t1 - t0}ms +page=${t2 - t1}ms`);
      await b.close();
    } catch (e) { console.log(`${label}: FAIL after ${Date.now() - t0}ms: ${String(e.message).split('\n').slice(0, 4).join(' | ')}`); }
  }
})();
