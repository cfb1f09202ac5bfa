// Times the order book's first render in Chromium: from navigation to the first row of the book
// table, over RUNS fresh page loads (scripts/bench-console.sh starts what it reads).
//   node bench/first-render.mjs CONSOLE_URL NODE_URL INDEXER_URL [RUNS]
import { chromium } from 'playwright-core';

const [consoleUrl, node, indexer, runs = '5'] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.SONM_E2E_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const times = [];
for (let run = 0; run < Number(runs); run++) {
  const page = await browser.newPage();
  await page.goto(`${consoleUrl}/?node=${encodeURIComponent(node)}&indexer=${encodeURIComponent(indexer)}#/book`);
  await page.locator('[data-testid=book] tbody tr').first().waitFor({ timeout: 120_000 });
  times.push(await page.evaluate(() => performance.now()));
  await page.close();
}
await browser.close();
times.sort((a, b) => a - b);
console.log(JSON.stringify({ runs: times.length, median_ms: Math.round(times[Math.floor(times.length / 2)]), all_ms: times.map(Math.round) }));
