// Milestone 2 on the user's own files, in a real browser, through the page's own inputs: an image folder picked
// with the folder input (resized to 16 pixels: the preset's layers are fitted to it) and a CIFAR-10 binary archive
// picked with the archive input both train a few steps, with chart points and the archive's SHA-256 shown; after a
// reload both come back from the browser's cache without being picked again; a wrong archive and a folder with one
// class get a message in the page and leave nothing to train. All files are generated (generated-data.mjs).
// (The Fashion-MNIST run, pause/resume and export are milestone-cnn-training.test.mjs.)
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { cifarFiles, CLASSES, tar, writeFolder } from './generated-data.mjs';
import { launchBrowser, seedPassedModules, startServer } from './harness.mjs';

const MODULES = ['01', '02', '03', '04', '05', '06', '07', '08', '09', '10'];

const waitState = (page, states, timeout = 120_000) =>
  page.waitForFunction((s) => s.includes(document.body.dataset.state), states, { timeout });
const waitData = (page, states, timeout = 60_000) =>
  page.waitForFunction((s) => s.includes(document.body.dataset.data), states, { timeout });
const dataStatus = (page) => page.textContent('#data-status');
const charts = (page) => page.evaluate(() => {
  const points = (id, i) => Chart.getChart(document.getElementById(id)).data.datasets[i].data.map((p) => p.y);
  return { loss: points('loss-chart', 0), acc: points('acc-chart', 0), valLoss: points('loss-chart', 1) };
});

// Two classes a small CNN can tell apart: dark and light 8 x 8 images with some texture.
function twoClassFolder(root, perClass) {
  const files = {};
  for (const [c, base] of [['dark', 20], ['light', 200]]) {
    for (let i = 0; i < perClass; i++) {
      const pixels = new Uint8Array(8 * 8 * 3);
      for (let k = 0; k < pixels.length; k++) pixels[k] = base + ((i * 13 + k * 7) % 40);
      files[`${c}/${String(i).padStart(2, '0')}.png`] = { width: 8, height: 8, channels: 3, pixels };
    }
  }
  writeFolder(root, files);
}

// Sets the run short, trains it to the end and returns what the page showed.
async function trainShort(page, { batch, epochs }) {
  await page.fill('#batch-size', String(batch));
  await page.fill('#epochs', String(epochs));
  await page.fill('#train-limit', '0');
  await page.fill('#validation-limit', '0');
  await page.click('#train');
  await waitState(page, ['done', 'failed-run'], 180_000);
  assert.equal(await page.getAttribute('body', 'data-state'), 'done', await page.textContent('#stat-status'));
  return { step: Number(await page.getAttribute('body', 'data-step')), charts: await charts(page),
    count: Number(await page.getAttribute('#final-accuracy', 'data-count')) };
}

test('milestone 2: an image folder and a CIFAR-10 archive picked in the page train, are cached, and wrong ones are explained', async (t) => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tt-cnn-data-'));
  t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const server = await startServer();
  t.after(() => server.close());
  const browser = await launchBrowser({ viewport: { width: 1280, height: 1400 } });
  t.after(() => browser.close());
  const { page, consoleErrors, offsite } = browser;
  await page.goto(`${server.url}/milestone-cnn-training.html`);
  await seedPassedModules(page, MODULES);
  await page.reload();
  await waitState(page, ['ready']);

  // ---- an image folder: 2 classes x 16 images of 8 x 8, resized to 16 x 16 --------------------------------------
  twoClassFolder(path.join(tmp, 'shades'), 16);
  await page.selectOption('#dataset', 'folder');
  await waitData(page, ['none']);
  assert.equal(await page.isDisabled('#train'), true, 'nothing to train before a folder is picked');
  await page.fill('#folder-size', '16');
  await page.locator('#folder-size').blur();  // its change event now, before a folder is picked (after: a re-decode)
  await page.setInputFiles('#folder-files', path.join(tmp, 'shades'));
  await waitData(page, ['ready', 'error']);
  // 32 images, 15% (5) held out for validation
  assert.equal(await dataStatus(page), '2 classes, images 3×16×16, 27 training / 5 validation images');
  const layers = await page.inputValue('#layers');
  // the recipe's linear:2048 (32 x 8 x 8 after two pools of a 32-pixel image) becomes 32 x 4 x 4; 2 outputs
  assert.equal(layers.split('\n').join(' '),
    'conv:3:16:3:1 relu maxpool:2 conv:16:32:3:1 relu maxpool:2 flatten linear:512:64 relu linear:64:2');
  const parameters = (3 * 16 * 9 + 16) + (16 * 32 * 9 + 32) + (512 * 64 + 64) + (64 * 2 + 2);
  await page.waitForFunction((n) => document.getElementById('summary').dataset.parameters === String(n), parameters, { timeout: 120_000 });
  const folderRun = await trainShort(page, { batch: 8, epochs: 2 });
  assert.equal(folderRun.step, 8, '2 epochs of ceil(27 / 8) steps');
  assert.ok(folderRun.charts.loss.length >= 2, `training points: ${folderRun.charts.loss.length}`);
  assert.ok(folderRun.charts.loss.every(Number.isFinite), `losses: ${folderRun.charts.loss}`);
  assert.equal(folderRun.charts.valLoss.length, 2, 'one validation point per epoch');
  assert.equal(folderRun.count, 5);
  assert.equal(await page.locator('#predictions figure').count(), 5);

  // A folder with one class: the engine's message, in the page; nothing to train, and the cached folder stays.
  writeFolder(path.join(tmp, 'cats-only'), { 'cat/1.png': { width: 4, height: 4, channels: 3, pixels: new Uint8Array(48) },
    'cat/2.png': { width: 4, height: 4, channels: 3, pixels: new Uint8Array(48).fill(9) } });
  await page.setInputFiles('#folder-files', path.join(tmp, 'cats-only'));
  await waitData(page, ['ready', 'error']);
  assert.equal(await page.getAttribute('body', 'data-data'), 'error');
  assert.match(await dataStatus(page), /^ImageFolder 'cats-only': only one class folder \('cat'\); a classifier needs at least two classes/);
  assert.equal(await page.getAttribute('#data-status', 'class'), 'muted error');
  assert.equal(await page.isDisabled('#train'), true);

  // ---- a CIFAR-10 archive: a wrong one first, then one of 5 x 20 training and 20 test images -------------------
  await page.selectOption('#dataset', 'cifar10');
  await waitData(page, ['none', 'ready']);
  assert.equal(await page.getAttribute('body', 'data-data'), 'none', 'no archive cached yet');
  const python = zlib.gzipSync(tar([['cifar-10-batches-py/batches.meta', Buffer.from('pickle')],
    ['cifar-10-batches-py/data_batch_1', Buffer.alloc(9)]]));
  fs.writeFileSync(path.join(tmp, 'cifar-10-python.tar.gz'), python);
  await page.setInputFiles('#cifar-file', path.join(tmp, 'cifar-10-python.tar.gz'));
  await waitData(page, ['ready', 'error']);
  assert.equal(await page.getAttribute('body', 'data-data'), 'error');
  assert.equal(await dataStatus(page), "'cifar-10-python.tar.gz' is the Python version of CIFAR-10 (its batches are " +
    'pickles, which a page cannot read): pick the binary version, cifar-10-binary.tar.gz');
  assert.equal(await page.isDisabled('#train'), true);

  const archive = zlib.gzipSync(tar(cifarFiles({ n: 20 })));
  const sha256 = crypto.createHash('sha256').update(archive).digest('hex');
  fs.writeFileSync(path.join(tmp, 'cifar-10-binary.tar.gz'), archive);
  await page.setInputFiles('#cifar-file', path.join(tmp, 'cifar-10-binary.tar.gz'));
  await waitData(page, ['ready', 'error']);
  const cifarStatus = `10 classes, images 3×32×32, 100 training / 20 validation images, SHA-256 ${sha256}`;
  assert.equal(await dataStatus(page), cifarStatus);
  assert.equal(await page.inputValue('#layers'), 'conv:3:16:3:1 relu maxpool:2 conv:16:32:3:1 relu maxpool:2 flatten linear:2048:64 relu linear:64:10'.split(' ').join('\n'));
  const cifarRun = await trainShort(page, { batch: 20, epochs: 2 });
  assert.equal(cifarRun.step, 10);
  assert.ok(cifarRun.charts.loss.length >= 2, `training points: ${cifarRun.charts.loss.length}`);
  assert.equal(cifarRun.charts.valLoss.length, 2);
  assert.equal(cifarRun.count, 20);
  // the archive's class names (batches.meta.txt) label the results
  assert.match(await page.textContent('#per-class'), new RegExp(CLASSES.join('|')));

  // ---- a reload: the archive and the folder come from the cache, not from the inputs ------------------------
  await page.reload();
  await waitState(page, ['ready']);
  await page.selectOption('#dataset', 'cifar10');
  await waitData(page, ['ready', 'none']);
  assert.equal(await page.evaluate(() => document.getElementById('cifar-file').files.length), 0);
  assert.equal(await dataStatus(page), cifarStatus);
  assert.equal(await page.isDisabled('#train'), false);
  const again = await trainShort(page, { batch: 50, epochs: 1 });
  assert.equal(again.step, 2);
  assert.equal(again.count, 20);
  await page.selectOption('#dataset', 'folder');
  await waitData(page, ['ready', 'none']);
  assert.equal(await dataStatus(page), '2 classes, images 3×16×16, 27 training / 5 validation images');

  assert.deepEqual(offsite, []);
  assert.deepEqual(consoleErrors, []);
});
