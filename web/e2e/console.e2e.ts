// The console in a real browser (Debian's Chromium, driven by playwright-core) against a real
// dev node, worker and indexer that `worker/tests/console.rs` starts on free ports and names in
// the environment. It serves the production build (web/dist) itself and keeps a screenshot of
// every page in $SONM_E2E_ARTIFACTS.
import { createReadStream, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSession, TaskControl, WorkerError } from '../src/control';
import { Terms } from '../src/terms';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: worker/tests/console.rs runs this with the services it started`);
  return value;
};
const NODE = env('SONM_E2E_NODE');
const INDEXER = env('SONM_E2E_INDEXER');
const WORKER = env('SONM_E2E_WORKER');
const WORKER_URL = env('SONM_E2E_WORKER_URL');
const IMAGE = env('SONM_E2E_IMAGE');
const PORT = Number(env('SONM_E2E_CONSOLE_PORT'));
const ARTIFACTS = env('SONM_E2E_ARTIFACTS');
const CHROMIUM = process.env.SONM_E2E_CHROMIUM ?? '/usr/bin/chromium';
const HERE = fileURLToPath(new URL('.', import.meta.url));
const DIST = resolve(HERE, '../dist');
/** How long a condition may take on a busy machine (blocks, finality, the indexer, podman). */
const PATIENCE = 120_000;

let server: Server;
let browser: Browser;
let page: Page;
let alice: string;
let bob: string;

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm' };

/** Serves the production build as any static web server would. */
function serve(): Promise<Server> {
  if (!existsSync(join(DIST, 'index.html'))) throw new Error(`no build in ${DIST}: run \`npm run build\` in web/`);
  const server = createServer((request, response) => {
    const path = join(DIST, decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname));
    const file = path.startsWith(DIST) && existsSync(path) && statSync(path).isFile() ? path : join(DIST, 'index.html');
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(response);
  });
  return new Promise((ready) => server.listen(PORT, '127.0.0.1', () => ready(server)));
}

async function shot(name: string) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** The chain's next nonce of `address`: what it has signed so far. */
async function nonce(address: string): Promise<number> {
  const http = NODE.replace(/^ws/, 'http');
  const response = await fetch(http, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: 1, jsonrpc: '2.0', method: 'system_accountNextIndex', params: [address] }),
  });
  return ((await response.json()) as { result: number }).result;
}

/** Fills the order form (1 core, 32 MiB, outbound, an hour) and submits it; waits for finality. */
async function submitOrder(side: 'ask' | 'bid', price: string) {
  await page.selectOption('select[name=side]', side);
  await page.fill('input[name=price]', price);
  await page.fill('input[name=duration]', '1h');
  await page.check('input[name=outbound]');
  await page.fill('input[name=cpu-cores]', '1');
  await page.fill('input[name=ram-size]', '32 MiB');
  await page.click('[data-testid=order-form] button[type=submit]');
  await page.locator('[data-testid=tx-progress][data-stage=finalized]').waitFor();
}

/** Places an order from a fresh form as `account`; its id once finalized. */
async function placeFromForm(account: string, side: 'ask' | 'bid', price: string): Promise<number> {
  await open('#/place');
  await page.getByTestId('account').selectOption(account);
  await submitOrder(side, price);
  return Number(await page.locator('[data-testid=order-placed] a').first().textContent());
}

/** Loads the console afresh at `hash`: going to the address the page is at only moves within the
 * page, which keeps what it showed (a poll would read the same answer again). */
async function open(hash: string) {
  await page.goto('about:blank');
  await page.goto(`http://127.0.0.1:${PORT}/?node=${encodeURIComponent(NODE)}&indexer=${encodeURIComponent(INDEXER)}${hash}`);
  await page.getByTestId('heads').waitFor({ timeout: PATIENCE });
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  await cryptoWaitReady();
  alice = new Keyring({ type: 'sr25519' }).addFromUri('//Alice').address;
  bob = new Keyring({ type: 'sr25519' }).addFromUri('//Bob').address;
  server = await serve();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(PATIENCE);
  page.on('console', (message) => message.type() === 'error' && console.error(`[page] ${message.text()}`));
}, PATIENCE);

afterAll(async () => {
  await browser?.close();
  server?.close();
});

describe('the console against a dev node, a worker and an indexer', () => {
  let deal: number;

  it("shows the worker's asks in the order book", async () => {
    await open('#/book');
    await page.locator(`[data-testid=book] a[title="${WORKER}"]`).first().waitFor();
    await page.getByTestId('depth-chart').waitFor();
    await shot('book');
  }, PATIENCE);

  it('refuses a bad form value by name and signs nothing', async () => {
    await open('#/place');
    await page.getByTestId('account').selectOption(bob);
    const before = await nonce(bob);
    await page.fill('input[name=price]', '0.4 EUR/h');
    await page.click('[data-testid=order-form] button[type=submit]');
    const error = page.getByTestId('form-error');
    await expect(error.getAttribute('data-field')).resolves.toBe('price');
    await expect(error.textContent()).resolves.toMatch(/price: "0.4 EUR\/h"/);
    expect(await page.getByTestId('tx-progress').count()).toBe(0);
    expect(await nonce(bob)).toBe(before);
    await shot('place-refused');
  }, PATIENCE);

  it("places a bid that the worker's ask matches, and the deal appears", async () => {
    await submitOrder('bid', '0.4 SNM/h');
    await page.getByTestId('order-placed').waitFor();
    await shot('place');
    await open('#/mine');
    const card = page.locator('article.deal').first();
    await card.waitFor();
    deal = Number((await card.getAttribute('data-testid'))!.replace('deal-', ''));
    expect(deal).toBeGreaterThanOrEqual(0);
    await expect.poll(() => card.getByTestId('deal-refund-now').textContent(), { timeout: PATIENCE }).toMatch(/SNM/);
    await shot('mine');
  }, PATIENCE);

  it('starts the task, follows its logs live and answers an exec', async () => {
    await open(`#/deals/${deal}/task`);
    await page.getByTestId('authorize').click();
    await page.fill('input[name=image]', IMAGE);
    await page.fill('input[name=command]', 'sh -c "i=0; while true; do i=$((i+1)); echo line $i; sleep 1; done"');
    await page.click('[data-testid=task-start] button[type=submit]');
    await expect.poll(() => page.getByTestId('task-status').textContent(), { timeout: PATIENCE }).toMatch(/running/);
    // Lines keep arriving while the page is open: followed live.
    await expect.poll(() => page.getByTestId('task-logs').textContent(), { timeout: PATIENCE }).toMatch(/line 3/);
    await expect.poll(() => page.getByTestId('task-logs').textContent(), { timeout: PATIENCE }).toMatch(/line 5/);
    await page.fill('input[name=exec]', 'echo hello from exec');
    await page.click('[data-testid=task-exec] button[type=submit]');
    await expect.poll(() => page.getByTestId('exec-output').textContent(), { timeout: PATIENCE }).toMatch(/hello from exec\s*\[exit 0\]/);
    await shot('task');
  }, PATIENCE * 2);

  it('refuses a session key past its expiry by name', async () => {
    const terms = await Terms.load(readFileSync(resolve(HERE, '../src/wasm/sonm_terms.wasm')));
    const customer = { address: bob, name: 'Bob', source: 'dev', pair: new Keyring({ type: 'sr25519' }).addFromUri('//Bob') };
    const now = Math.floor(Date.now() / 1000);
    const expired = await openSession(terms, customer, deal, now - 7200, 3600);
    const error = await new TaskControl(terms, WORKER_URL, deal, expired).status().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerError);
    expect((error as WorkerError).errorName).toBe('SessionExpired');
  }, PATIENCE);

  it('closes the deal with blacklisting, and the refund and the deal show in the history', async () => {
    await open('#/mine');
    const card = page.getByTestId(`deal-${deal}`);
    // The refund the pallet would give now is shown before closing.
    await expect.poll(() => card.getByTestId('deal-refund-now').textContent(), { timeout: PATIENCE }).toMatch(/SNM/);
    await card.getByTestId('close-blacklist').check();
    await card.getByTestId('close-deal').click();
    await page.locator('[data-testid=tx-progress][data-stage=finalized]').waitFor();
    await expect
      .poll(
        async () => {
          await open('#/mine');
          const row = page.locator(`[data-testid=closed-deals] tr[data-deal="${deal}"]`);
          return (await row.count()) ? row.textContent() : '';
        },
        { timeout: PATIENCE, interval: 2000 },
      )
      .toMatch(/ByCustomer.*SNM.*yes/);
    const refund = await page.locator(`[data-testid=closed-deals] tr[data-deal="${deal}"] [data-testid=closed-refund]`).textContent();
    expect(refund).toMatch(/SNM/);
    expect(refund).not.toBe('0 SNM');
    await shot('history');
  }, PATIENCE * 2);

  it("lists a bid's matching asks, leaving out the supplier its author blacklisted", async () => {
    // Alice's ask has no worker behind it, and Bob blacklisted the worker on close: nobody opens
    // a deal with Bob's bid, and only Alice's ask may match it (the worker's asks fit it too).
    const ask = await placeFromForm(alice, 'ask', '0.1 SNM/h');
    const bid = await placeFromForm(bob, 'bid', '0.4 SNM/h');
    await expect
      .poll(
        async () => {
          await open(`#/orders/${bid}`);
          await page.waitForFunction(() => !document.querySelector('main .progress'), undefined, { timeout: PATIENCE });
          const rows = page.locator('[data-testid=matches] tbody tr');
          // Without rows, what the page says instead (no orders, or a refusal), for the failure.
          if (!(await rows.count())) return page.locator('main section').last().innerText();
          return rows.evaluateAll((all) => all.map((row) => row.getAttribute('data-order')));
        },
        { timeout: PATIENCE, interval: 2000 },
      )
      .toEqual([String(ask)]);
    await page.getByTestId('open-deal').waitFor();
    await shot('order');
  }, PATIENCE * 2);

  it('shows every other page', async () => {
    for (const [hash, name] of [
      [`#/deals/${deal}`, 'deal'],
      [`#/suppliers/${WORKER}`, 'supplier'],
      ['#/workers', 'workers'],
      ['#/masternodes', 'masternodes'],
      ['#/prices', 'prices'],
      ['#/trust', 'trust'],
      ['#/gateway', 'gateway'],
    ]) {
      await open(hash);
      await page.locator('main section h2').waitFor();
      await page.waitForFunction(() => !document.querySelector('main .progress'), undefined, { timeout: PATIENCE });
      expect(await page.locator('main .error').count(), `${name}: ${await page.locator('main .error').allTextContents()}`).toBe(0);
      await shot(name);
    }
  }, PATIENCE * 3);
});
