// Milestone 1 in a real browser: the page stays locked until modules 01-05 have passed; then the reference engine
// runs the pretrained models on the site's assets and data, and agrees with the native engine (build/native/tt):
// the same class for a known held-out digit, the same held-out accuracy as the model cards.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, launchBrowser, screenshot } from './harness.mjs';

const repo = path.resolve(import.meta.dirname, '../..');
const card = (name) => JSON.parse(fs.readFileSync(path.join(repo, 'assets', `${name}.json`), 'utf8'));
const nativeTt = process.env.TT_NATIVE ?? path.join(repo, 'build/native/tt');

// "<index> label <y> predicted <p>" from the native CLI
function nativePrediction(model, index) {
  assert.ok(fs.existsSync(nativeTt), `${nativeTt} is missing: build the native CLI first (make native)`);
  const line = execFileSync(nativeTt, ['predict', model, String(index)], { cwd: repo, encoding: 'utf8' });
  const m = /^(\d+) label (\d+) predicted (\d+)/.exec(line);
  assert.ok(m, `unexpected tt predict output: ${line}`);
  return { label: Number(m[2]), predicted: Number(m[3]) };
}

// The native classes of the CIFAR-10 gallery's images (assets/cifar10-gallery.ttds), in the order of `indices`.
function nativeCifarPredictions(indices) {
  const out = execFileSync(nativeTt, ['predict', 'cifar10-cnn', '--cifar', 'assets/cifar10-gallery.ttds',
    ...indices.map(String)], { cwd: repo, encoding: 'utf8' });
  return out.trim().split('\n').map((line) => {
    const m = /^(\d+) label (\d+) predicted (\d+)$/.exec(line);
    assert.ok(m, `unexpected tt predict output: ${line}`);
    return { index: Number(m[1]), label: Number(m[2]), predicted: Number(m[3]) };
  });
}

// What the page's CIFAR-10 gallery shows: [index, predicted class name, correct?] per figure.
const cifarFigures = (page) => page.$$eval('#cifar-gallery figure', (figures) => figures.map((f) =>
  [Number(f.dataset.index), f.querySelector('figcaption').firstChild.textContent, f.className === 'right']));

// The page's gallery equals the native engine's predictions for the same images.
function assertSameAsNative(shown, what) {
  const classes = card('cifar10-cnn').classes;
  const native = nativeCifarPredictions(shown.map(([index]) => index));
  assert.deepEqual(shown.map(([index, name, right]) => [index, name, right]),
    native.map((n) => [n.index, classes[n.predicted], n.predicted === n.label]), what);
}

test('milestone 1: locked at first, then XOR, MNIST and Fashion-MNIST run and match the native engine', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const browser = await launchBrowser({ viewport: { width: 1280, height: 1000 } });
  t.after(() => browser.close());
  const { page } = browser;
  const url = `${server.url}/milestone-inference.html`;

  // 1. A fresh browser has passed nothing: the page is locked and says what is missing.
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.state !== 'loading');
  assert.equal(await page.getAttribute('body', 'data-state'), 'locked');
  assert.equal(await page.isVisible('#locked'), true);
  assert.equal(await page.isVisible('#content'), false);
  assert.equal(await page.textContent('#locked-remaining'), '01, 02, 03, 04, 05');
  // The site's own header (brand and course map, like the map and the lessons); the milestone's title is in the page.
  assert.equal(await page.getAttribute('header.site-header a.brand', 'href'), './');
  assert.equal(await page.textContent('header.site-header nav a'), 'Course map');
  assert.equal(await page.$('header.site-header h1'), null, 'the page title is not the header');
  assert.equal(await page.textContent('main h1'), 'Milestone 1 · Pretrained inference');

  // 2. Four of five modules passed: still locked.
  const seed = (ids) => page.evaluate((ids) => {
    const modules = Object.fromEntries(ids.map((id) => [id, { code: {}, passedAt: '2026-11-24T12:00:00.000Z', lastRun: null }]));
    localStorage.setItem('tinytorch.progress', JSON.stringify({ schema: 'tinytorch-progress', version: 1, modules,
      settings: { timeLimitSeconds: 10, buildOn: 'reference' } }));
  }, ids);
  await seed(['01', '02', '03', '04']);
  await page.reload();
  await page.waitForFunction(() => document.body.dataset.state !== 'loading');
  assert.equal(await page.getAttribute('body', 'data-state'), 'locked');
  assert.equal(await page.textContent('#locked-remaining'), '05');

  // 3. All five: the models load and run.
  await seed(['01', '02', '03', '04', '05']);
  await page.reload();
  await page.waitForFunction(() => ['ready', 'failed'].includes(document.body.dataset.state), null, { timeout: 60_000 });
  assert.equal(await page.getAttribute('body', 'data-state'), 'ready',
    `the page failed: ${await page.textContent('main .error').catch(() => '')} ${browser.consoleErrors.join(' ')}`);
  assert.equal(await page.textContent('#env-simd-arch'), 'wasm');

  // XOR: the four points get 0, 1, 1, 0.
  const xor = await page.$$eval('#xor-table tbody tr', (rows) => rows.map((r) => [r.dataset.xor, r.querySelector('.class').textContent]));
  assert.deepEqual(xor, [['00', '0'], ['01', '1'], ['10', '1'], ['11', '0']]);

  // MNIST: held-out digits #0..#2 (shown through the page's button) get the native engine's classes.
  for (let i = 0; i < 3; i++) {
    await page.click('#draw-sample');
    const native = nativePrediction('mnist-mlp', i);
    assert.equal(await page.getAttribute('body', 'data-mnist-prediction'), String(native.predicted), `held-out digit #${i}`);
    assert.match(await page.textContent('#draw-truth'), new RegExp(`#${i}, label ${native.label}`));
  }
  // A drawn vertical stroke reads as a 1.
  await page.click('#draw-clear');
  const box = await page.locator('#draw').boundingBox();
  await page.mouse.move(box.x + 140, box.y + 50);
  await page.mouse.down();
  for (let y = 50; y <= 230; y += 10) await page.mouse.move(box.x + 140, box.y + y);
  await page.mouse.up();
  assert.equal(await page.getAttribute('body', 'data-mnist-prediction'), '1');
  await screenshot(page, 'milestone-inference-draw');

  // Held-out accuracy in the worker equals the native model card, to the last digit.
  await page.click('#mnist-run');
  await page.waitForSelector('#mnist-accuracy[data-correct]', { timeout: 120_000 });
  assert.equal(await page.getAttribute('#mnist-accuracy', 'data-correct'), String(card('mnist-mlp').test_correct));
  assert.equal(await page.getAttribute('#mnist-progress', 'value'), String(card('mnist-mlp').test_count));

  // Fashion-MNIST: 24 gallery images; the confusion matrix over the 5,000 test images matches the card.
  assert.equal(await page.locator('#gallery figure').count(), 24);
  await page.click('#fashion-run');
  await page.waitForSelector('#fashion-accuracy[data-correct]', { timeout: 300_000 });
  const fashion = card('fashion-cnn');
  assert.equal(await page.getAttribute('#fashion-accuracy', 'data-correct'), String(fashion.test_correct));
  const diagonal = await page.$$eval('table.confusion tbody tr', (rows) => rows.map((r, i) => Number(r.cells[i + 1].textContent)));
  assert.equal(diagonal.reduce((a, b) => a + b, 0), fashion.test_correct);

  // CIFAR-10: the committed model on the committed gallery (200 test images of the JPEG copy), 24 at a time, each
  // image's class as the native engine gives it; the card's accuracy in the text.
  const cifarCard = card('cifar10-cnn');
  assert.equal(await page.getAttribute('body', 'data-cifar'), 'ready');
  assert.match(await page.textContent('#cifar-body'),
    new RegExp(`CIFAR-10 \\(JPEG copy\\): ${cifarCard.test_accuracy_percent}% of its 10,000 test images right\\. Here on 200 of them`));
  const firstPage = await cifarFigures(page);
  assert.deepEqual(firstPage.map(([index]) => index), [...Array(24).keys()]);
  assertSameAsNative(firstPage, 'CIFAR-10 gallery, images 0-23');
  await page.click('#cifar-next');
  await page.waitForFunction(() => document.querySelector('#cifar-gallery figure').dataset.index === '24');
  const secondPage = await cifarFigures(page);
  assert.deepEqual(secondPage.map(([index]) => index), Array.from({ length: 24 }, (_, i) => 24 + i));
  assertSameAsNative(secondPage, 'CIFAR-10 gallery, images 24-47');
  await screenshot(page, 'milestone-inference');

  // A copy of the course without the CIFAR-10 model says so in a student's terms, without the host's build commands.
  await page.route('**/assets/index.json', async (route) => {
    const response = await route.fetch();
    const index = (await response.json()).filter((a) => a.name !== 'cifar10-cnn');
    await route.fulfill({ response, json: index });
  });
  await page.reload();
  await page.waitForFunction(() => ['ready', 'failed'].includes(document.body.dataset.state), null, { timeout: 60_000 });
  await page.waitForFunction(() => document.body.dataset.cifar);
  assert.equal(await page.getAttribute('body', 'data-cifar'), 'absent');
  const cifar = await page.textContent('#cifar');
  assert.match(cifar, /no CIFAR-10 model[\s\S]*whoever hosts your course/);
  assert.doesNotMatch(cifar, /download-cifar10|tt train|make site/);
  assert.equal(await page.$('#cifar pre'), null);
  assert.deepEqual(browser.offsite, []);
  assert.deepEqual(browser.consoleErrors, []);
});

// "Your own compiled modules": the inference program compiled in the page with the student's modules 02-05 (here the
// repo's reference engine files, as a student who solved them would have) predicts what the reference engine does.
test('milestone 1: the MNIST MLP on the student\'s own compiled modules agrees with the reference engine', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const browser = await launchBrowser({ viewport: { width: 1280, height: 1000 } });
  t.after(() => browser.close());
  const { page } = browser;
  const modules = {};
  for (const id of ['01', '02', '03', '04', '05']) {
    const dir = fs.readdirSync(path.join(repo, 'lessons')).find((d) => d.startsWith(`${id}_`));
    const lesson = JSON.parse(fs.readFileSync(path.join(repo, 'lessons', dir, 'lesson.json'), 'utf8'));
    const code = id === '01' ? {} : Object.fromEntries(lesson.files.map((f) => [f, fs.readFileSync(path.join(repo, f), 'utf8')]));
    modules[id] = { code, passedAt: '2026-11-24T12:00:00.000Z', lastRun: null };
  }
  await page.goto(`${server.url}/milestone-inference.html`);
  await page.evaluate((modules) => localStorage.setItem('tinytorch.progress', JSON.stringify({ schema: 'tinytorch-progress',
    version: 1, modules, settings: { timeLimitSeconds: 10, buildOn: 'reference' } })), modules);
  await page.reload();
  await page.waitForFunction(() => ['ready', 'failed'].includes(document.body.dataset.state), null, { timeout: 60_000 });
  assert.equal(await page.getAttribute('body', 'data-state'), 'ready');

  await page.check('input[name="engine"][value="mine"]');
  assert.equal(await page.isVisible('#own-status'), true);
  // 11 files compile in the page (modules 02-05): 2-3 minutes when make test runs another suite beside this one
  await page.waitForSelector('#own-result[data-state]', { timeout: 600_000 });
  const state = await page.getAttribute('#own-result', 'data-state');
  assert.equal(state, 'done', `own build: ${await page.textContent('#own')}`);
  assert.match(await page.textContent('#own-status'), /Your modules: 02, 03, 04, 05/);
  const own = await page.getAttribute('#own-result', 'data-own-predictions');
  const ref = await page.getAttribute('#own-result', 'data-ref-predictions');
  assert.equal(own.split(',').length, 16);
  assert.equal(own, ref);
  const shown = await page.$$eval('table.own-predictions tbody tr', (rows) => rows.map((r) => [...r.cells].slice(1).map((c) => c.textContent).join(',')));
  assert.deepEqual(shown.slice(1), [own, ref]);
  assert.equal(await page.textContent('#own-agree'), 'yes');
  assert.match(await page.textContent('#own-ms'), /^\d+\.\d+ ms$/);
  assert.match(await page.textContent('#ref-ms'), /^\d+\.\d+ ms$/);
  assert.ok(Number(await page.getAttribute('#own-result', 'data-own-ms')) > 0);
  assert.ok(Number(await page.getAttribute('#own-result', 'data-ref-ms')) > 0);
  await screenshot(page, 'milestone-inference-own');

  // A module that does not compile: the page says so and shows the first diagnostic.
  modules['03'].code['engine/kernels/activations.cpp'] += '\nint broken_on_purpose = ;\n';
  await page.evaluate((modules) => localStorage.setItem('tinytorch.progress', JSON.stringify({ schema: 'tinytorch-progress',
    version: 1, modules, settings: { timeLimitSeconds: 10, buildOn: 'reference' } })), modules);
  await page.reload();
  await page.waitForFunction(() => ['ready', 'failed'].includes(document.body.dataset.state), null, { timeout: 60_000 });
  await page.check('input[name="engine"][value="mine"]');
  await page.waitForSelector('#own-result[data-state]', { timeout: 180_000 });
  assert.equal(await page.getAttribute('#own-result', 'data-state'), 'error');
  assert.match(await page.textContent('#own-result'), /did not compile: engine\/kernels\/activations\.cpp:\d+:\d+: expected expression/);
  assert.deepEqual(browser.offsite, []);
  assert.deepEqual(browser.consoleErrors, []);
});
