// Milestone 2, "train on your own build": the page's second engine is the student's own compiled modules
// (web/js/milestones/cnn-training/own-train.mjs running apps/train_cnn_main.cpp in chunks). With the reference solution
// of module 10 (convolution, pooling, batch norm, dropout: the CNN's own layers) saved as the student's files
// (compiled in the page; the prebuilt reference objects for modules 02-09, so the test compiles 8 files, not 33), the
// same seeded run is trained on the reference engine and on the own build: the own build trains in two chunks (one
// per epoch, the second started from the first one's checkpoint), its loss falls, and its validation loss and
// accuracy after each epoch equal the reference engine's within LOSS_TOLERANCE. Then a student file that traps (a
// Conv2d shape check against the wrong member) ends the run with the check's message shown in the page. Prints
// images/s of both engines for the same model (bench numbers).
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, launchBrowser, screenshot } from './harness.mjs';

const repo = path.resolve(import.meta.dirname, '../..');
const MODULES_01_10 = Array.from({ length: 10 }, (_, i) => String(i + 1).padStart(2, '0'));
const OWN = '10';
const TRAIN = 256, VALIDATION = 100, BATCH = 32, EPOCHS = 2;  // 8 steps per epoch
const STEPS = (TRAIN / BATCH) * EPOCHS;
// The reference engine is Emscripten's build (clang 14), the own build the in-browser clang's (reference objects + the
// student's files): the same code and float operations in the same order, but two compilers. The measured agreement
// is printed; the tolerance bounds what the two compilers may legitimately differ by (contraction, libm).
const LOSS_TOLERANCE = 1e-4;

function lessonFiles(id) {
  const dir = fs.readdirSync(path.join(repo, 'lessons')).find((d) => d.startsWith(`${id}_`));
  const lesson = JSON.parse(fs.readFileSync(path.join(repo, 'lessons', dir, 'lesson.json'), 'utf8'));
  return Object.fromEntries(lesson.files.map((f) => [f, fs.readFileSync(path.join(repo, f), 'utf8')]));
}

async function seed(page, ownCode) {
  const modules = Object.fromEntries(MODULES_01_10.map((id) => [id, {
    code: id === OWN ? ownCode : {}, passedAt: '2026-12-01T12:00:00.000Z', lastRun: null }]));
  await page.evaluate((modules) => localStorage.setItem('tinytorch.progress', JSON.stringify({ schema: 'tinytorch-progress',
    version: 1, modules, settings: { timeLimitSeconds: 10, buildOn: 'reference' } })), modules);
  await page.reload();
  await page.waitForFunction(() => ['ready', 'failed'].includes(document.body.dataset.state), null, { timeout: 120_000 });
  assert.equal(await page.getAttribute('body', 'data-state'), 'ready');
}

async function train(page, engine) {
  await page.selectOption('#dataset', 'fashion-mnist');
  await page.fill('#train-limit', String(TRAIN));
  await page.fill('#validation-limit', String(VALIDATION));
  await page.fill('#batch-size', String(BATCH));
  await page.fill('#epochs', String(EPOCHS));
  await page.check(`input[name="train-engine"][value="${engine}"]`);
  await page.evaluate(() => { window.ttCnn.saved = []; });
  await page.click('#train');
  await page.waitForFunction(() => ['done', 'failed-run', 'stopped', 'failed'].includes(document.body.dataset.state),
    null, { timeout: 600_000 });
  return page.evaluate(() => ({
    state: document.body.dataset.state, engine: document.body.dataset.engine, status: document.getElementById('stat-status').textContent,
    history: window.ttCnn.history(), imagesPerSec: window.ttCnn.run()?.imagesPerSec, saved: window.ttCnn.saved,
    correct: Number(document.getElementById('final-accuracy').dataset.correct),
  }));
}

test('milestone 2: training on the student\'s own build matches the reference engine; a trap shows its message', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const browser = await launchBrowser({ viewport: { width: 1280, height: 1400 } });
  t.after(() => browser.close());
  const { page } = browser;
  await page.goto(`${server.url}/milestone-cnn-training.html`);
  await seed(page, lessonFiles(OWN));

  const ref = await train(page, 'reference');
  assert.equal(ref.state, 'done', ref.status);
  assert.equal(ref.engine, 'reference');
  const mine = await train(page, 'mine');
  assert.equal(mine.state, 'done', `own build: ${mine.status} ${await page.textContent('#own-status')}`);
  assert.equal(mine.engine, 'mine');
  assert.match(await page.textContent('#own-status'), /^Your build \(modules 10\): compiled and linked in \d+\.\d s/);
  // two chunks, one per epoch: the second resumed from the first one's checkpoint (kept in IndexedDB each time)
  assert.deepEqual(mine.saved, [STEPS / 2, STEPS]);
  assert.equal(await page.getAttribute('body', 'data-saved-step'), String(STEPS));
  // the loss falls, and after each epoch the validation loss and accuracy agree with the reference engine's
  const points = mine.history.train;
  assert.equal(points.at(-1).x, EPOCHS);
  assert.ok(points.at(-1).loss < points[0].loss - 0.3, `own-build loss went down: ${points[0].loss} -> ${points.at(-1).loss}`);
  assert.deepEqual(mine.history.validation.map((p) => p.x), [1, 2]);
  assert.deepEqual(ref.history.validation.map((p) => p.x), [1, 2]);
  const diffs = mine.history.validation.map((p, i) => Math.abs(p.loss - ref.history.validation[i].loss));
  console.log(`# validation loss, own build vs reference engine: ${JSON.stringify(mine.history.validation)} vs ` +
    `${JSON.stringify(ref.history.validation)}; max |difference| ${Math.max(...diffs)} (${diffs.filter((d) => d === 0).length} of ${diffs.length} bit-identical)`);
  for (const [i, v] of mine.history.validation.entries()) {
    assert.ok(diffs[i] <= LOSS_TOLERANCE, `validation loss after epoch ${v.x}`);
    assert.equal(v.acc, ref.history.validation[i].acc, `validation accuracy after epoch ${v.x}`);
  }
  assert.ok(mine.history.validation[1].loss < mine.history.validation[0].loss);
  // the results (computed by the reference engine from the own build's final checkpoint) agree with the reference run
  assert.equal(mine.correct, ref.correct);
  console.log(`# images/s in the page (fashion-cnn, batch ${BATCH}): own build ${Math.round(mine.imagesPerSec)}, reference engine ` +
    `${Math.round(ref.imagesPerSec)} (${await page.textContent('#env-threads')} thread(s)); ratio ${(mine.imagesPerSec / ref.imagesPerSec).toFixed(2)}`);
  await screenshot(page, 'milestone-cnn-own');

  // A student file that traps: the run ends and the page shows the TT_CHECK's message.
  const broken = lessonFiles(OWN);
  const file = 'engine/nn/conv_layers.cpp';
  const fixed = 'TT_CHECK(s.size() == 4 && s[1] == in_channels,';
  assert.ok(broken[file].includes(fixed));
  broken[file] = broken[file].replace(fixed, 'TT_CHECK(s.size() == 4 && s[1] == out_channels,');
  await seed(page, broken);
  const trapped = await train(page, 'mine');
  assert.equal(trapped.state, 'failed-run');
  assert.match(trapped.status,
    /^Your build stopped while training: tt::Error: Conv2d: input has shape .*28.*, expected \[B, 1, H, W\]/);
  assert.equal(await page.isDisabled('#train'), false, 'the page is ready for another run');
  assert.deepEqual(browser.offsite, []);
});
