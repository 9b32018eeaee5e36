// Milestone 3, "train on your own build": the training panel's second engine is the student's own compiled modules
// (web/js/milestones/tinygpt/own-train.mjs running apps/train_gpt_main.cpp in chunks). With the reference solution of
// module 12 saved as the student's files (compiled in the page; the prebuilt reference objects for the rest, so the
// test compiles two files, not 38), the same seeded training is run on the reference engine and on the own build:
// the loss falls, and the own build's loss at every slice equals the reference engine's within LOSS_TOLERANCE.
// Then a student file that traps (an off-by-one bound in embedding_index's TT_CHECK) ends the training with the
// check's message shown in the page. Prints tokens/s of both engines for the same model (bench numbers).
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, launchBrowser, screenshot } from './harness.mjs';

const repo = path.resolve(import.meta.dirname, '../..');
const MODULES_01_14 = Array.from({ length: 14 }, (_, i) => String(i + 1).padStart(2, '0'));
const OWN = '12';
const STEPS = 20;  // two chunks of 10 steps on the own build: the second resumes from the first one's checkpoint
// The reference engine is Emscripten's build, the own build clang 22's (reference objects + the student's files):
// the same code and the same float operations in the same order, but two compilers. Measured agreement is stated in
// the assertion below; the tolerance bounds what the two compilers may legitimately differ by (contraction, libm).
const LOSS_TOLERANCE = 1e-4;

const corpus = () => Array.from({ length: 300 }, (_, i) =>
  ['the cat sat on the mat. ', 'a bird is in the tree. ', 'the dog ate the bone. '][i % 3]).join('');

function lessonFiles(id) {
  const dir = fs.readdirSync(path.join(repo, 'lessons')).find((d) => d.startsWith(`${id}_`));
  const lesson = JSON.parse(fs.readFileSync(path.join(repo, 'lessons', dir, 'lesson.json'), 'utf8'));
  return Object.fromEntries(lesson.files.map((f) => [f, fs.readFileSync(path.join(repo, f), 'utf8')]));
}

async function seed(page, ownCode) {
  const modules = Object.fromEntries(MODULES_01_14.map((id) => [id, {
    code: id === OWN ? ownCode : {}, passedAt: '2026-12-01T12:00:00.000Z', lastRun: null }]));
  await page.evaluate((modules) => localStorage.setItem('tinytorch.progress', JSON.stringify({ schema: 'tinytorch-progress',
    version: 1, modules, settings: { timeLimitSeconds: 10, buildOn: 'reference' } })), modules);
  await page.reload();
  await page.waitForFunction(() => ['ready', 'failed'].includes(document.body.dataset.state), null, { timeout: 60_000 });
  assert.equal(await page.getAttribute('body', 'data-state'), 'ready');
}

async function train(page, engine) {
  await page.check(`input[name="train-engine"][value="${engine}"]`);
  await page.selectOption('#train-corpus', 'own');
  await page.fill('#own-textarea', corpus());
  for (const [id, v] of [['train-block', 32], ['train-layers', 1], ['train-heads', 2], ['train-width', 32],
                         ['train-batch', 8], ['train-lr', 0.01], ['train-steps', STEPS]]) await page.fill(`#${id}`, String(v));
  await page.click('#train-start');
  await page.waitForFunction(() => window.ttGpt.training.engine && ['finished', 'failed', 'stopped'].includes(window.ttGpt.training.status),
    null, { timeout: 900_000 });
  return page.evaluate(() => JSON.parse(JSON.stringify(window.ttGpt.training)));
}

test('milestone 3: training on the student\'s own build matches the reference engine; a trap shows its message', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const browser = await launchBrowser({ viewport: { width: 1280, height: 1400 } });
  t.after(() => browser.close());
  const { page } = browser;
  await page.goto(`${server.url}/milestone-tinygpt.html`);
  await seed(page, lessonFiles(OWN));

  const ref = await train(page, 'reference');
  assert.equal(ref.status, 'finished');
  const mine = await train(page, 'mine');
  assert.equal(mine.status, 'finished', `own build: ${await page.textContent('#train-own-error')} ${await page.textContent('#train-own-status')}`);
  assert.equal(mine.engine, 'mine');
  assert.match(await page.textContent('#train-own-status'), /compiled and linked in \d+\.\d s/);
  assert.equal(mine.checkpointStep, STEPS);
  // the same slices, the loss falls, and each slice's mean loss agrees with the reference engine's
  assert.deepEqual(mine.losses.map((p) => p.x), ref.losses.map((p) => p.x));
  assert.equal(mine.losses.at(-1).x, STEPS);
  assert.ok(mine.losses.at(-1).y < mine.losses[0].y - 0.3, `own-build loss went down: ${mine.losses[0].y} -> ${mine.losses.at(-1).y}`);
  const diffs = mine.losses.map((p, i) => Math.abs(p.y - ref.losses[i].y));
  const worst = Math.max(...diffs);
  console.log(`# loss, own build vs reference engine: max |difference| ${worst} over ${diffs.length} slices (${diffs.filter((d) => d === 0).length} bit-identical)`);
  assert.ok(worst <= LOSS_TOLERANCE, `own build ${JSON.stringify(mine.losses)} vs reference ${JSON.stringify(ref.losses)}`);
  assert.deepEqual(mine.validation.map((p) => p.x), ref.validation.map((p) => p.x));
  for (const [i, v] of mine.validation.entries()) assert.ok(Math.abs(v.y - ref.validation[i].y) <= LOSS_TOLERANCE, `validation at ${v.x}`);
  const rate = (r) => r.rates.reduce((a, b) => a + b, 0) / r.rates.length;
  console.log(`# tokens/s in the page (1 layer, width 32, context 32, batch 8): own build ${Math.round(rate(mine))}, reference engine ${Math.round(rate(ref))} (ratio ${(rate(mine) / rate(ref)).toFixed(2)})`);
  await screenshot(page, 'milestone-tinygpt-own');

  // A student file that traps: the training ends and the page shows the TT_CHECK's message.
  const broken = lessonFiles(OWN);
  const file = 'engine/kernels/embedding_lookup.cpp';
  const fixed = 'TT_CHECK(t >= 0 && t < static_cast<float>(V),';
  assert.ok(broken[file].includes(fixed));
  broken[file] = broken[file].replace(fixed, 'TT_CHECK(t >= 0 && t < static_cast<float>(V - 1),');
  await seed(page, broken);
  const trapped = await train(page, 'mine');
  assert.equal(trapped.status, 'failed');
  assert.equal(await page.isVisible('#train-own-error'), true);
  assert.match(await page.textContent('#train-own-error'),
    /^Your build stopped while training: tt::Error: embedding(_forward)?: indices\[\d+\] = \d+ is out of range for an embedding table of V = \d+ rows/);
  assert.equal(await page.isDisabled('#train-start'), false, 'the panel is ready for another run');
  assert.deepEqual(browser.offsite, []);
});
