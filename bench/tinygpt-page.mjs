// Milestone 3 measured in Chromium on this machine (not a test): the TinyGPT page's generation tokens/s with and
// without the KV cache at 256 tokens, its training tokens/s, and the validation loss reached after N minutes of
// in-page training on the packed Austen text. Prints a table.
//
//   node bench/tinygpt-page.mjs [--minutes 5] [--model assets/tinygpt.safetensors] [--isolated]
//                               [--layers 2 --heads 4 --width 64 --block 64 --batch 32 --lr 0.003]
// Needs the built site (make site) and, for training, build/datasets/austen.txt in it. Without the pretrained asset
// the generation rows use a new seeded model of the same shape as the training run.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startServer, launchBrowser, siteDir } from '../tests/web/harness.mjs';

const { values: args } = parseArgs({ options: {
  minutes: { type: 'string', default: '5' },
  model: { type: 'string', default: 'assets/tinygpt.safetensors' },
  isolated: { type: 'boolean', default: false },
  // the page's defaults
  layers: { type: 'string', default: '2' }, heads: { type: 'string', default: '4' }, width: { type: 'string', default: '64' },
  block: { type: 'string', default: '64' }, batch: { type: 'string', default: '32' }, lr: { type: 'string', default: '0.003' },
} });
const minutes = Number(args.minutes);

const server = await startServer(siteDir, { isolate: args.isolated });
const browser = await launchBrowser();
const { page } = browser;
const rows = [];
try {
  await page.goto(`${server.url}/milestone-tinygpt.html?model=${args.model}`);
  await page.evaluate(() => {
    const ids = Array.from({ length: 14 }, (_, i) => String(i + 1).padStart(2, '0'));
    const modules = Object.fromEntries(ids.map((id) => [id, { code: {}, passedAt: '2026-12-01T00:00:00.000Z', lastRun: null }]));
    localStorage.setItem('tinytorch.progress', JSON.stringify({ schema: 'tinytorch-progress', version: 1, modules, settings: {} }));
  });
  await page.reload();
  await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 120_000 });
  const pretrained = await page.evaluate(() => !!window.ttGpt.model);
  const threads = await page.textContent('#env-threads');

  // Training first (it also gives a model to generate from when there is no pretrained asset).
  const haveAusten = fs.existsSync(path.join(siteDir, 'datasets/austen.txt'));
  if (haveAusten) {
    for (const [id, v] of [['train-block', args.block], ['train-layers', args.layers], ['train-heads', args.heads],
                           ['train-width', args.width], ['train-batch', args.batch], ['train-lr', args.lr],
                           ['train-steps', '100000']]) await page.fill(`#${id}`, v);
    await page.selectOption('#train-corpus', 'austen');
    await page.click('#train-start');
    await page.waitForTimeout(minutes * 60_000);
    await page.click('#train-stop');
    await page.waitForFunction(() => ['stopped', 'finished'].includes(window.ttGpt.training.status), null, { timeout: 600_000 });
    const t = await page.evaluate(() => window.ttGpt.training);
    const last = t.losses.slice(-20);
    rows.push(['training steps in ' + minutes + ' min', String(t.step)]);
    rows.push(['training loss (mean of the last 20 slices)', (last.reduce((a, r) => a + r.y, 0) / last.length).toFixed(3)]);
    rows.push(['validation loss (last evaluation, nats/char)', t.validation.at(-1)?.y.toFixed(3) ?? '—']);
    const tps = await page.textContent('#train-status');
    rows.push(['training tokens/s (last slice)', /([\d,]+) tokens\/s/.exec(tps)?.[1] ?? '—']);
  } else {
    rows.push(['training', `skipped: ${path.join(siteDir, 'datasets/austen.txt')} is missing`]);
  }

  if (pretrained || haveAusten) {
    await page.selectOption('#gen-model', pretrained ? 'pretrained' : 'trained');
    await page.fill('#gen-prompt', 'It');
    await page.click('#kv-run');
    await page.waitForFunction(() => window.ttGpt.cacheSpeed, null, { timeout: 600_000 });
    const c = await page.evaluate(() => window.ttGpt.cacheSpeed);
    rows.push([`generation tokens/s, KV cache (${pretrained ? 'pretrained' : 'trained'}, 256 tokens)`, c.cached.tokensPerSec.toFixed(1)]);
    rows.push(['generation tokens/s, no cache', c.uncached.tokensPerSec.toFixed(1)]);
    rows.push(['KV cache speed-up', `${c.ratio.toFixed(2)}x`]);
  }
  rows.unshift(['engine threads', threads]);
} finally {
  await browser.close();
  server.close();
}
const width = Math.max(...rows.map((r) => r[0].length));
for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
