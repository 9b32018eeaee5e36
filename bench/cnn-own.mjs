// Milestone 2's "train on your own build" measured in Chromium on this machine (not a test): training images/s of the
// same model, seed and steps in the CNN page on the reference engine and on the student's own build (own-train.mjs:
// apps/train_cnn_main.cpp built by the in-browser clang with the given modules' reference solutions saved as the
// student's files, the prebuilt reference objects for the rest). Both single-threaded (the page is not cross-origin
// isolated unless --isolated, and the own build has one thread). Prints a table with the ratio and the load average.
//
//   node bench/cnn-own.mjs [--train 2048] [--validation 500] [--batch 64] [--epochs 1] [--own 10] [--isolated]
// The model is the page's Fashion-MNIST preset (recipe fashion-cnn). --own: comma-separated module ids whose files
// are compiled in the page (02-10; each file compiles once per run).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startServer, launchBrowser, siteDir } from '../tests/web/harness.mjs';

const repo = path.resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({ options: {
  train: { type: 'string', default: '2048' }, validation: { type: 'string', default: '500' },
  batch: { type: 'string', default: '64' }, epochs: { type: 'string', default: '1' },
  own: { type: 'string', default: '10' }, isolated: { type: 'boolean', default: false },
} });
const own = args.own.split(',').filter(Boolean);
const code = (id) => {
  const dir = fs.readdirSync(path.join(repo, 'lessons')).find((d) => d.startsWith(`${id}_`));
  const lesson = JSON.parse(fs.readFileSync(path.join(repo, 'lessons', dir, 'lesson.json'), 'utf8'));
  return Object.fromEntries(lesson.files.map((f) => [f, fs.readFileSync(path.join(repo, f), 'utf8')]));
};
const modules = Object.fromEntries(Array.from({ length: 10 }, (_, i) => String(i + 1).padStart(2, '0')).map((id) =>
  [id, { code: own.includes(id) ? code(id) : {}, passedAt: '2026-12-01T00:00:00.000Z', lastRun: null }]));

const server = await startServer(siteDir, { isolate: args.isolated });
const browser = await launchBrowser();
const { page } = browser;
const rows = [];
let threads = '?';
try {
  await page.goto(`${server.url}/milestone-cnn-training.html`);
  await page.evaluate((m) => localStorage.setItem('tinytorch.progress', JSON.stringify({ schema: 'tinytorch-progress', version: 1, modules: m, settings: {} })), modules);
  await page.reload();
  await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 120_000 });
  for (const engine of ['reference', 'mine']) {
    await page.selectOption('#dataset', 'fashion-mnist');
    for (const [id, v] of [['train-limit', args.train], ['validation-limit', args.validation], ['batch-size', args.batch],
                           ['epochs', args.epochs]]) await page.fill(`#${id}`, v);
    await page.check(`input[name="train-engine"][value="${engine}"]`);
    const t0 = Date.now();
    await page.click('#train');
    await page.waitForFunction(() => ['done', 'failed-run', 'stopped'].includes(document.body.dataset.state), null, { timeout: 3_600_000 });
    const r = await page.evaluate(() => ({ state: document.body.dataset.state, status: document.getElementById('stat-status').textContent,
      imagesPerSec: window.ttCnn.run().imagesPerSec, validation: window.ttCnn.history().validation.at(-1) }));
    if (r.state !== 'done') throw new Error(`${engine}: ${r.state}: ${r.status}`);
    threads = await page.textContent('#env-threads');
    rows.push({ engine, ...r, wallS: (Date.now() - t0) / 1000 });
  }
} finally {
  await browser.close();
  server.close();
}
const [ref, mine] = rows;
console.log(`CNN training in the page: fashion-cnn preset, ${args.train} Fashion-MNIST images x ${args.epochs} epoch(s), batch ${args.batch}; ` +
  `reference engine on ${threads} thread(s), own build on 1; own modules: ${own.join(', ') || 'none'}; load average ${os.loadavg()[0].toFixed(1)}`);
console.log('| engine | images/s | ratio | validation loss | wall s (incl. build) |');
console.log('|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.engine === 'mine' ? 'own build' : 'reference engine'} | ${Math.round(r.imagesPerSec)} | ${(r.imagesPerSec / ref.imagesPerSec).toFixed(2)} | ${r.validation.loss.toFixed(6)} | ${r.wallS.toFixed(1)} |`);
if (mine && ref) console.log(`validation loss difference: ${Math.abs(mine.validation.loss - ref.validation.loss)}`);
