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
  await screenshot(page, 'home');
  assert.deepEqual(browser.offsite, []);
  assert.deepEqual(browser.consoleErrors, []);
});
