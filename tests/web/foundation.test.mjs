// The served site loads the reference engine in a real browser, on wasm SIMD, without leaving the machine.
import test from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, screenshot } from './harness.mjs';

test('the home page reads the reference module: xsimd arch "wasm", SIMD width 4', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const { page } = browser;

  const response = await page.goto(`${server.url}/`);
  assert.equal(response.status(), 200);
  assert.equal(response.headers()['cross-origin-opener-policy'], 'same-origin');
  await page.waitForFunction(() => document.body.dataset.engine, null, { timeout: 30_000 });
  assert.equal(await page.getAttribute('body', 'data-engine'), 'ready');
  assert.equal(await page.textContent('#env-simd-arch'), 'wasm');
  assert.equal(await page.textContent('#env-simd-width'), '4');
  assert.equal(await page.textContent('#env-build'), 'web-reference');
  assert.equal(await page.evaluate(() => self.crossOriginIsolated), true);
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  assert.equal(await page.textContent('#env-threads'), String(Math.min(2, cores)));
  await screenshot(page, 'home');
  assert.deepEqual(browser.offsite, []);
  assert.deepEqual(browser.consoleErrors, []);
});

// A product on the page's engine with 1 and 2 threads, and on the single-threaded build: [equal bits?, threads].
const productOnPage = () => import('/js/engine.mjs').then(async ({ loadEngine, engineUrl }) => {
  const run = (M, threads) => {
    M.setNumThreads(threads);
    const a = M.randn([200, 300], 7), b = M.randn([300, 250], 8), c = a.matmul(b), out = c.toArray();
    for (const t of [a, b, c]) t.delete();
    return out;
  };
  const M = await loadEngine(), single = await loadEngine(engineUrl(false));
  const one = run(M, 1), two = run(M, M.maxThreads()), ref = run(single, 1);
  const same = (x, y) => x.length === y.length && x.every((v, i) => Object.is(v, y[i]));
  return [same(one, two) && same(two, ref), M.numThreads()];
});

test('cross-origin isolated: the threaded engine runs kernels on 2 threads with the same bits', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const browser = await launchBrowser();
  t.after(() => browser.close());
  await browser.page.goto(`${server.url}/`);
  const cores = await browser.page.evaluate(() => navigator.hardwareConcurrency);
  assert.deepEqual(await browser.page.evaluate(productOnPage), [true, Math.min(2, cores)]);
  assert.deepEqual(browser.consoleErrors, []);
});

test('not cross-origin isolated: the page falls back to the single-threaded engine and still works', async (t) => {
  const server = await startServer(undefined, { isolate: false });
  t.after(() => server.close());
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const { page } = browser;
  const response = await page.goto(`${server.url}/`);
  assert.equal(response.headers()['cross-origin-opener-policy'], undefined);
  await page.waitForFunction(() => document.body.dataset.engine, null, { timeout: 30_000 });
  assert.equal(await page.getAttribute('body', 'data-engine'), 'ready');
  assert.equal(await page.evaluate(() => self.crossOriginIsolated), false);
  assert.equal(await page.textContent('#env-threads'), '1');
  assert.deepEqual(await page.evaluate(productOnPage), [true, 1]);
  assert.deepEqual(browser.consoleErrors, []);
});
