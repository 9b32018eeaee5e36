// Milestone 2 in a real browser, on a small subset of the bundled Fashion-MNIST: the page stays locked until 01-10
// have passed; training adds chart points and lowers the loss; pause stops the steps and Space resumes them; a
// reload offers the last epoch's checkpoint, and the resumed run ends with the very weights (byte for byte) of an
// uninterrupted run; the downloaded weights, run by the engine in node (tt_web), give the accuracy the page showed,
// and so does PyTorch (python3-torch, when installed) running the page's own "load in PyTorch" script.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, launchBrowser, screenshot, seedPassedModules as seedProgress, siteDir } from './harness.mjs';
import { loadEngine } from '../node/load-engine.mjs';
import { pytorchScript } from '../../web/js/milestones/cnn-training/pytorch.mjs';

const TRAIN = 512, VALIDATION = 200, BATCH = 32, EPOCHS = 6;  // 16 steps per epoch, 96 in all
const STEPS = (TRAIN / BATCH) * EPOCHS;

const state = (page) => page.getAttribute('body', 'data-state');
const waitState = (page, states, timeout = 120_000) =>
  page.waitForFunction((s) => s.includes(document.body.dataset.state), states, { timeout });
const chartPoints = (page) => page.evaluate(() => {
  const points = (id, i) => Chart.getChart(document.getElementById(id)).data.datasets[i].data.map((p) => p.y);
  return { loss: points('loss-chart', 0), acc: points('acc-chart', 0), valLoss: points('loss-chart', 1), valAcc: points('acc-chart', 1) };
});

async function setUpSmallRun(page) {
  await page.selectOption('#dataset', 'fashion-mnist');
  await page.fill('#train-limit', String(TRAIN));
  await page.fill('#validation-limit', String(VALIDATION));
  await page.fill('#batch-size', String(BATCH));
  await page.fill('#epochs', String(EPOCHS));
}

async function downloadWeights(page) {
  const [weights] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  const card = await Promise.all([page.waitForEvent('download'), page.click('#download-card')]).then(([d]) => d);
  return {
    weights: fs.readFileSync(await weights.path()), weightsName: weights.suggestedFilename(),
    card: JSON.parse(fs.readFileSync(await card.path(), 'utf8')), cardName: card.suggestedFilename(),
  };
}

// The first n images and labels of a packed .ttds set (datasets/pack.py documents the format).
function readTtds(file, n) {
  const b = fs.readFileSync(file);
  assert.equal(b.toString('latin1', 0, 4), 'TTDS');
  const [, count, c, h, w] = [1, 2, 3, 4, 5].map((i) => b.readUInt32LE(4 * i));
  const labels = b.subarray(32, 32 + count).subarray(0, n);
  const images = b.subarray(32 + count, 32 + count + n * c * h * w);
  return { labels, images, shape: [c, h, w] };
}

test('milestone 2: train on Fashion-MNIST, pause, resume after a reload bit-identically, export weights', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const browser = await launchBrowser({ viewport: { width: 1280, height: 1400 } });
  t.after(() => browser.close());
  const { page, consoleErrors, offsite } = browser;
  const url = `${server.url}/milestone-cnn-training.html`;

  // Locked until modules 01-10 have passed.
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.state !== 'loading');
  assert.equal(await state(page), 'locked');
  await seedProgress(page, ['01', '02', '03', '04', '05', '06', '07', '08', '09']);
  await page.reload();
  await page.waitForFunction(() => document.body.dataset.state !== 'loading');
  assert.equal(await state(page), 'locked');
  assert.equal(await page.textContent('#locked-remaining'), '10');
  assert.equal(await page.textContent('header.site-header .crumb'), 'Milestone 2 · Train a CNN');
  assert.equal(await page.$('header.site-header h1'), null, 'the page title is not the header');
  await seedProgress(page, ['01', '02', '03', '04', '05', '06', '07', '08', '09', '10']);
  await page.reload();
  await waitState(page, ['ready']);

  // The preset is the fashion-cnn recipe: its parameter count (assets/fashion-cnn.json) before any training.
  // (the worker's engine loads first: the threaded build takes a while on a busy machine)
  await page.waitForFunction(() => document.getElementById('summary').dataset.parameters, null, { timeout: 120_000 });
  assert.equal(await page.getAttribute('#summary', 'data-parameters'), '105866');
  // A bad layer list names the layer that does not fit: the C++ message, straight from the threaded build.
  assert.equal(await page.evaluate(() => crossOriginIsolated), true, 'the worker loads tt_web_mt');
  await page.fill('#layers', 'conv:3:16:3:1\nrelu\nflatten\nlinear:12544:10');
  await page.waitForFunction(() => /layer 0 \(conv\) expects 3 channels, receives 1/.test(document.getElementById('summary').textContent),
    null, { timeout: 60_000 });
  await page.selectOption('#preset', '0');
  await page.waitForFunction(() => document.getElementById('summary').dataset.parameters === '105866', null, { timeout: 60_000 });

  // Train: chart points arrive and the loss goes down.
  await setUpSmallRun(page);
  await page.click('#train');
  await page.waitForFunction(() => Number(document.getElementById('loss-chart').dataset.trainPoints) >= 4, null, { timeout: 120_000 });

  // Pause: no steps while paused. Then Space (focus on the page, not a field) resumes.
  await page.click('#pause');
  await waitState(page, ['paused']);
  const pausedAt = await page.getAttribute('body', 'data-step');
  await page.waitForTimeout(1500);
  assert.equal(await page.getAttribute('body', 'data-step'), pausedAt, 'no steps while paused');
  assert.equal(await state(page), 'paused');
  await page.evaluate(() => document.activeElement?.blur());
  await page.keyboard.press('Space');
  await page.waitForFunction((s) => document.body.dataset.step !== s, pausedAt, { timeout: 60_000 });

  // After epoch 1's checkpoint is stored: pause, and reload in the middle of the run.
  await page.waitForFunction(() => Number(document.body.dataset.savedEpoch) >= 1, null, { timeout: 120_000 });
  await page.evaluate(() => document.activeElement?.blur());
  await page.keyboard.press('Space');
  await waitState(page, ['paused', 'done']);
  assert.equal(await state(page), 'paused', 'the run should not be over yet');
  // An epoch that ended just before the pause draws its validation point at once, and its checkpoint is marked
  // saved when the IndexedDB write completes: wait for the store to catch up with the chart.
  await page.waitForFunction(() => Number(document.body.dataset.savedEpoch)
    === Chart.getChart(document.getElementById('loss-chart')).data.datasets[1].data.length, null, { timeout: 60_000 });
  const saved = Number(await page.getAttribute('body', 'data-saved-epoch'));
  const before = await chartPoints(page);
  assert.ok(before.loss.length >= 5, `chart points: ${before.loss.length}`);
  const first = before.loss[0], last = before.loss.slice(-3).reduce((a, b) => a + b) / 3;
  assert.ok(last < first - 0.3, `the loss should fall: first ${first}, last ${last}`);
  assert.equal(before.valLoss.length, saved, 'one validation point per finished epoch');
  await screenshot(page, 'milestone-cnn-training-paused');

  await page.reload();
  await waitState(page, ['ready']);
  assert.equal(await page.getAttribute('body', 'data-resumable'), String(saved));
  // the stored run keeps its measured speed (milestone 3's comparison shows it as this browser's CNN run)
  const storedSpeed = await page.evaluate(async () => (await (await import('./js/milestones/cnn-training/checkpoint-store.mjs')).loadRun()).imagesPerSec);
  assert.ok(Number.isFinite(storedSpeed) && storedSpeed > 0, `stored images/s: ${storedSpeed}`);
  assert.match(await page.textContent('#resume-run'), new RegExp(`Resume from epoch ${saved}`));
  await page.click('#resume-run');
  await waitState(page, ['training', 'done']);
  const resumedCharts = await chartPoints(page);
  assert.ok(resumedCharts.valLoss.length >= saved, 'the stored chart points come back');
  await waitState(page, ['done'], 300_000);
  assert.equal(await page.getAttribute('body', 'data-step'), String(STEPS));
  const correct = Number(await page.getAttribute('#final-accuracy', 'data-correct'));
  assert.equal(Number(await page.getAttribute('#final-accuracy', 'data-count')), VALIDATION);
  assert.ok(correct > VALIDATION * 0.5, `validation accuracy after ${STEPS} steps: ${correct}/${VALIDATION}`);
  assert.equal(await page.locator('table.confusion').count(), 2, 'confusion matrix and per-class table');
  assert.equal(await page.locator('#predictions figure').count(), 12);
  assert.ok(await page.locator('#filters canvas').count() >= 16, 'first-layer filters (16 for the preset)');
  await screenshot(page, 'milestone-cnn-training-done');
  const resumed = await downloadWeights(page);
  assert.equal(resumed.weightsName, 'fashion-mnist-trained.safetensors');
  assert.equal(resumed.card.test_correct, correct);
  assert.equal(resumed.card.architecture, await page.evaluate(() => document.getElementById('layers').value.split('\n').join(' ')));

  // The same settings from scratch, without interruption: the same bytes.
  await page.click('#train');
  await waitState(page, ['training', 'done']);
  await waitState(page, ['done'], 300_000);
  const straight = await downloadWeights(page);
  assert.equal(straight.weights.length, resumed.weights.length);
  assert.ok(straight.weights.equals(resumed.weights), 'resumed and uninterrupted runs give the same weights');
  assert.equal(straight.card.test_correct, correct);

  // Stop: the run ends where it is, and its last epoch's checkpoint is offered.
  await page.click('#train');
  await page.waitForFunction(() => Number(document.body.dataset.savedEpoch) >= 1, null, { timeout: 120_000 });
  await page.click('#stop');
  await waitState(page, ['stopped', 'done']);
  assert.equal(await state(page), 'stopped');
  await page.waitForSelector('#resume-card', { state: 'visible' });
  assert.ok(Number(await page.getAttribute('body', 'data-resumable')) >= 1);
  assert.equal(await page.isDisabled('#train'), false);

  // The downloaded weights in the engine (node, tt_web), on the same validation images, normalised as the card says.
  const data = readTtds(path.join(siteDir, 'datasets/fashion-mnist-test.ttds'), VALIDATION);
  const M = await loadEngine();
  const { card } = resumed;
  const model = new M.Classifier(card.architecture, card.input_shape, resumed.weights, 'downloaded.safetensors');
  const size = data.images.length / VALIDATION;
  const x = new Float32Array(data.images.length);
  for (let i = 0; i < x.length; i++) {
    const c = Math.floor((i % size) / (size / data.shape[0]));
    x[i] = (data.images[i] / 255 - card.normalization.mean[c]) / card.normalization.std[c];
  }
  const probs = model.predict(x, VALIDATION);
  let engineCorrect = 0;
  for (let i = 0; i < VALIDATION; i++) {
    const row = probs.subarray(10 * i, 10 * i + 10);
    engineCorrect += row.indexOf(Math.max(...row)) === data.labels[i];
  }
  model.delete();
  assert.equal(engineCorrect, correct, 'the engine in node scores the downloaded weights as the page did');

  // PyTorch, with the script the page shows, when the system has python3-torch.
  const hasTorch = (() => { try { execFileSync('/usr/bin/python3', ['-c', 'import torch']); return true; } catch { return false; } })();
  if (hasTorch) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tt-cnn-'));
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    fs.writeFileSync(path.join(dir, 'fashion-mnist-trained.safetensors'), resumed.weights);
    fs.writeFileSync(path.join(dir, 'fashion-mnist-trained.json'), JSON.stringify(card));
    fs.writeFileSync(path.join(dir, 'images.bin'), data.images);
    fs.writeFileSync(path.join(dir, 'labels.bin'), data.labels);
    const script = `${pytorchScript('fashion-mnist-trained')}
images = torch.frombuffer(bytearray(open('images.bin', 'rb').read()), dtype=torch.uint8).reshape(-1, ${data.shape.join(', ')})
labels = torch.frombuffer(bytearray(open('labels.bin', 'rb').read()), dtype=torch.uint8).long()
print(int((predict(images) == labels).sum()))
`;
    fs.writeFileSync(path.join(dir, 'load.py'), script);
    const out = execFileSync('/usr/bin/python3', ['load.py'], { cwd: dir, encoding: 'utf8' });
    assert.equal(Number(out.trim()), correct, 'PyTorch scores the downloaded weights as the page did');
  } else {
    t.diagnostic('python3-torch is not installed: the PyTorch check did not run');
  }

  assert.deepEqual(offsite, []);
  assert.deepEqual(consoleErrors, []);
});
