// Milestone 3's "train on your own build" measured in Chromium on this machine (not a test): training tokens/s of the
// same model, seed and steps in the TinyGPT page on the reference engine and on the student's own build
// (own-train.mjs: apps/train_gpt_main.cpp built by the in-browser clang with the given modules' reference solutions
// saved as the student's files, the prebuilt reference objects for the rest). Both single-threaded (the page is not
// cross-origin isolated unless --isolated). Prints a table with the ratio and the load average.
//
//   node bench/tinygpt-own.mjs [--steps 60] [--own 12] [--isolated]
//                              [--layers 2 --heads 4 --width 64 --block 64 --batch 32]
// --own: comma-separated module ids whose files are compiled in the page (02-14; each file compiles once per run).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startServer, launchBrowser, siteDir } from '../tests/web/harness.mjs';

const repo = path.resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({ options: {
  steps: { type: 'string', default: '60' }, own: { type: 'string', default: '12' },
  isolated: { type: 'boolean', default: false },
  layers: { type: 'string', default: '2' }, heads: { type: 'string', default: '4' }, width: { type: 'string', default: '64' },
  block: { type: 'string', default: '64' }, batch: { type: 'string', default: '32' },
} });
const own = args.own.split(',').filter(Boolean);
const code = (id) => {
  const dir = fs.readdirSync(path.join(repo, 'lessons')).find((d) => d.startsWith(`${id}_`));
  const lesson = JSON.parse(fs.readFileSync(path.join(repo, 'lessons', dir, 'lesson.json'), 'utf8'));
  return Object.fromEntries(lesson.files.map((f) => [f, fs.readFileSync(path.join(repo, f), 'utf8')]));
};
const modules = Object.fromEntries(Array.from({ length: 14 }, (_, i) => String(i + 1).padStart(2, '0')).map((id) =>
  [id, { code: own.includes(id) ? code(id) : {}, passedAt: '2026-12-01T00:00:00.000Z', lastRun: null }]));

const server = await startServer(siteDir, { isolate: args.isolated });
const browser = await launchBrowser();
const { page } = browser;
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const rows = [];
try {
  await page.goto(`${server.url}/milestone-tinygpt.html`);
  await page.evaluate((m) => localStorage.setItem('tinytorch.progress', JSON.stringify({ schema: 'tinytorch-progress', version: 1, modules: m, settings: {} })), modules);
  await page.reload();
  await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 120_000 });
  for (const engine of ['reference', 'mine']) {
    await page.check(`input[name="train-engine"][value="${engine}"]`);
    for (const [id, v] of [['train-block', args.block], ['train-layers', args.layers], ['train-heads', args.heads],
                           ['train-width', args.width], ['train-batch', args.batch], ['train-steps', args.steps]]) await page.fill(`#${id}`, v);
    const t0 = Date.now();
    await page.click('#train-start');
    await page.waitForFunction(() => window.ttGpt.training.engine && ['finished', 'failed', 'stopped'].includes(window.ttGpt.training.status), null, { timeout: 3_600_000 });
    const r = await page.evaluate(() => JSON.parse(JSON.stringify(window.ttGpt.training)));
    if (r.status !== 'finished') throw new Error(`${engine}: ${r.status}: ${await page.textContent('#train-own-error')}`);
    rows.push({ engine, tokensPerSec: median(r.rates.slice(1)), loss: r.losses.at(-1).y, wallS: (Date.now() - t0) / 1000 });
  }
} finally {
  await browser.close();
  server.close();
}
const [ref, mine] = rows;
console.log(`TinyGPT training in the page: ${args.layers} layers x ${args.heads} heads, width ${args.width}, context ${args.block}, batch ${args.batch}, ${args.steps} steps on austen.txt; own modules: ${own.join(', ') || 'none'}; load average ${os.loadavg()[0].toFixed(1)}`);
console.log('| engine | tokens/s (median slice) | ratio | last slice loss | wall s (incl. build) |');
console.log('|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.engine === 'mine' ? 'own build' : 'reference engine'} | ${Math.round(r.tokensPerSec)} | ${(r.tokensPerSec / ref.tokensPerSec).toFixed(2)} | ${r.loss.toFixed(4)} | ${r.wallS.toFixed(1)} |`);
if (mine && ref) console.log(`loss difference at the last slice: ${Math.abs(mine.loss - ref.loss)}`);
