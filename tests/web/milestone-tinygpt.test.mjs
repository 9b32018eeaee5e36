// Milestone 3 in a real browser, on a test model made here by the engine in node (a seeded new TinyGPT exported as
// safetensors in the asset's format, served to the page at ?model=): the page's seeded generation equals the same
// generation done by GPT::generate in node, with and without the KV cache; the attention heatmap's rows sum to 1
// (and are causal); a few training steps on a short text lower the loss; the comparison with milestone 2's CNN shows
// training times the page's worker measured and what each model learned, equal to the engine's answers in node;
// after a reload the page offers to resume from the checkpoint it saved.
import test from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, screenshot, seedPassedModules, siteDir } from './harness.mjs';
import fs from 'node:fs';
import path from 'node:path';
import { loadEngine } from '../node/load-engine.mjs';

const repo = path.resolve(import.meta.dirname, '../..');
const card = (name) => JSON.parse(fs.readFileSync(path.join(repo, 'assets', `${name}.json`), 'utf8'));

const MODEL_PATH = '/test-tinygpt.safetensors';
const PROMPT = 'the cat ';
const VOCAB = ' .abcdehilmnorstw';
const CONFIG = { block_size: 64, n_layer: 2, n_head: 2, n_embd: 32, tie_weights: true };
const SAMPLING = { temperature: 0.9, topK: 5, seed: 3 };
const MODULES_01_14 = Array.from({ length: 14 }, (_, i) => String(i + 1).padStart(2, '0'));

// A text the model can learn something from in a few steps: a few sentences repeated.
const corpus = () => Array.from({ length: 300 }, (_, i) =>
  ['the cat sat on the mat. ', 'a bird is in the tree. ', 'the dog ate the bone. '][i % 3]).join('');

test('milestone 3: seeded generation equals the engine in node, attention rows sum to 1, training lowers the loss, reload resumes', async (t) => {
  const M = await loadEngine();
  const gpt = M.TinyGPT.create(JSON.stringify(CONFIG), VOCAB, 7);
  const bytes = gpt.exportWeights();
  const expected = gpt.generate(PROMPT, 40, JSON.stringify({ ...SAMPLING, useCache: true }));
  assert.equal(expected.length, PROMPT.length + 40);
  assert.equal(gpt.generate(PROMPT, 40, JSON.stringify({ ...SAMPLING, useCache: false })), expected);
  // The exported file carries the asset's metadata and loads back into the same model.
  const again = M.TinyGPT.fromSafetensors(bytes, 'test.safetensors');
  assert.deepEqual(JSON.parse(again.config()), { ...CONFIG, vocab_size: VOCAB.length });
  assert.equal(again.vocab(), VOCAB);
  assert.equal(again.generate(PROMPT, 40, JSON.stringify(SAMPLING)), expected);
  assert.throws(() => again.encode('CAT'), /'C'.*not in the model's vocabulary/);
  assert.throws(() => M.TinyGPT.fromSafetensors(new Uint8Array(12), 'junk'), /junk/);
  again.delete();
  gpt.delete();

  const server = await startServer();
  t.after(() => server.close());
  const browser = await launchBrowser({ viewport: { width: 1280, height: 1200 } });
  t.after(() => browser.close());
  const { page, consoleErrors } = browser;
  await page.route((u) => u.pathname === MODEL_PATH, (route) => route.fulfill({ body: Buffer.from(bytes), contentType: 'application/octet-stream' }));
  const url = `${server.url}/milestone-tinygpt.html?model=${MODEL_PATH}`;

  // Locked until 01-14 have passed.
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.state !== 'loading');
  assert.equal(await page.getAttribute('body', 'data-state'), 'locked');
  await seedPassedModules(page, MODULES_01_14);
  await page.reload();
  await page.waitForFunction(() => ['ready', 'failed'].includes(document.body.dataset.state), null, { timeout: 60_000 });
  assert.equal(await page.getAttribute('body', 'data-state'), 'ready');
  assert.equal(await page.textContent('#env-threads'), '2', 'the isolated page runs the threaded engine');
  assert.match(await page.textContent('#model-info'), /2 layers × 2 heads, width 32, context 64, 17 characters/);

  const generate = async (useCache) => {
    await page.fill('#gen-prompt', PROMPT);
    await page.fill('#gen-tokens', '40');
    await page.fill('#gen-temperature', String(SAMPLING.temperature));
    await page.fill('#gen-topk', String(SAMPLING.topK));
    await page.fill('#gen-seed', String(SAMPLING.seed));
    await page.setChecked('#gen-cache', useCache);
    await page.click('#gen-run');
    await page.waitForFunction(() => window.ttGpt.generation?.done, null, { timeout: 60_000 });
    return page.evaluate(() => ({ text: window.ttGpt.generation.text, shown: document.getElementById('gen-output').textContent,
                                  probs: Array.from(window.ttGpt.lastProbs) }));
  };
  const cached = await generate(true);
  assert.equal(cached.text, expected, 'the page generates what the engine generates in node with the same seed');
  assert.equal(cached.shown, expected, 'every streamed token was shown');
  assert.equal(cached.probs.length, VOCAB.length);
  assert.ok(Math.abs(cached.probs.reduce((a, b) => a + b, 0) - 1) < 1e-5);
  assert.equal(cached.probs.filter((p) => p > 0).length, SAMPLING.topK, 'top-k leaves k tokens');

  // Attention of the prompt + generated text: [L, H, T, T], rows sum to 1, nothing attends to a later token.
  const attention = await page.evaluate(() => ({ shape: window.ttGpt.attention.shape, data: Array.from(window.ttGpt.attention.data) }));
  const T = expected.length;
  assert.deepEqual(attention.shape, [2, 2, T, T]);
  for (let r = 0; r < 2 * 2 * T; r++) {
    const row = attention.data.slice(r * T, (r + 1) * T), q = r % T;
    assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-4, `row ${r} sums to 1`);
    assert.ok(row.slice(q + 1).every((w) => w === 0), `row ${r} is causal`);
  }
  assert.equal(await page.locator('#attn-tokens span').count(), T);
  await page.hover('#attn-tokens span:nth-child(12)');
  assert.notEqual(await page.$eval('#attn-tokens span:nth-child(1)', (s) => s.style.background), '');

  // The KV-cache switch: the same text without the cache.
  assert.equal((await generate(false)).text, expected);

  // The KV-cache panel: 256 tokens both ways, past this model's context of 64 (the cached run restarts its cache).
  await page.click('#kv-run');
  await page.waitForFunction(() => window.ttGpt.cacheSpeed, null, { timeout: 120_000 });
  const speed = await page.evaluate(() => window.ttGpt.cacheSpeed);
  assert.equal(speed.tokens, 256);
  for (const run of [speed.cached, speed.uncached]) {
    assert.equal(run.text.length, PROMPT.length + 256);
    assert.ok(run.text.startsWith(expected.slice(0, PROMPT.length + 40)), 'both runs begin with the seeded text');
    assert.ok(run.tokensPerSec > 0);
  }
  assert.match(await page.textContent('#kv-result'), /with the cache [\d.]+ tokens\/s, without [\d.]+ tokens\/s: [\d.]+× faster/);

  // Training on a short text of the student's own: the loss goes down; a checkpoint is saved.
  await page.selectOption('#train-corpus', 'own');
  await page.setInputFiles('#own-file', { name: 'weights.bin', mimeType: 'application/octet-stream', buffer: Buffer.from([0, 1, 2, 0xff]) });
  await page.waitForFunction(() => /not text/.test(document.getElementById('corpus-status').textContent));
  await page.fill('#own-textarea', 'too short');
  await page.click('#train-start');
  assert.match(await page.textContent('#train-status'), /too short: 9 characters/);
  await page.fill('#own-textarea', corpus());
  for (const [id, v] of [['train-block', 32], ['train-layers', 1], ['train-heads', 2], ['train-width', 32],
                         ['train-batch', 8], ['train-lr', 0.01], ['train-steps', 100]]) await page.fill(`#${id}`, String(v));
  await page.click('#train-start');
  await page.waitForFunction(() => ['finished', 'failed', 'stopped'].includes(window.ttGpt.training.status), null, { timeout: 300_000 });
  const training = await page.evaluate(() => window.ttGpt.training);
  assert.equal(training.status, 'finished', JSON.stringify(await page.evaluate(() => window.ttGpt.errors)));
  assert.equal(training.losses.at(-1).x, 100);
  const first = training.losses[0].y, last = training.losses.at(-1).y;
  assert.ok(last < first - 0.5, `training loss went down: ${first} -> ${last}`);
  assert.equal(training.validation.at(-1).x, 100);
  assert.ok(training.validation.at(-1).y < Math.log(VOCAB.length), `validation loss below chance: ${training.validation.at(-1).y}`);
  assert.equal(training.checkpointStep, 100);
  assert.deepEqual(training.samples.map((s) => s.step), [20, 40, 60, 80, 100], 'a sample every other validation');
  assert.ok(training.samples.every((s) => s.text.length === 120));
  await screenshot(page, 'milestone-tinygpt');

  // The trained weights download as safetensors in the asset's format: the engine in node loads them.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#train-download')]);
  const trained = M.TinyGPT.fromSafetensors(fs.readFileSync(await download.path()), 'downloaded.safetensors');
  assert.deepEqual(JSON.parse(trained.config()),
                   { vocab_size: [...new Set(corpus())].length, block_size: 32, n_layer: 1, n_head: 2, n_embd: 32, tie_weights: true });
  assert.match(trained.generate('the ', 20, JSON.stringify({ temperature: 0 })), /^the [a-z .]{20}$/);

  // The comparison with milestone 2's CNN, on the model trained above: the engine's counts, a training step of each
  // timed in the page's worker, this page's own run, and what each learned — checked against the engine in node.
  await page.click('#compare-run');
  await page.waitForFunction(() => window.ttGpt.compare, null, { timeout: 120_000 });
  const compare = await page.evaluate(() => window.ttGpt.compare);
  const cnnCard = card('fashion-cnn');
  assert.equal(compare.model, 'trained');
  assert.equal(compare.cnn.parameters, cnnCard.parameters);
  assert.equal(compare.gpt.parameters, 1 * (12 * 32 * 32 + 13 * 32) + [...new Set(corpus())].length * 32 + 32 * 32 + 2 * 32);
  assert.ok(compare.cnn.flops > 0 && compare.gpt.flops > 0 && compare.cnn.activation_bytes > 0 && compare.gpt.activation_bytes > 0);
  // training time: measured in the worker (> 0, at each recipe's batch), shown as measured, per example = step / batch
  assert.equal(compare.timing.cnn.batch, cnnCard.training.batch_size);
  assert.equal(compare.timing.gpt.batch, 8, "the trained model's batch");
  for (const m of ['cnn', 'gpt']) {
    assert.ok(compare.timing[m].msPerStep > 0 && Number.isFinite(compare.timing[m].msPerStep), JSON.stringify(compare.timing));
    assert.equal(compare.perExample[m], compare.timing[m].msPerStep / compare.timing[m].batch);
  }
  assert.equal(compare.pageRun.steps, 100, "the page's own run: the 100 steps trained above");
  assert.ok(compare.pageRun.msPerStep > 0);
  const table = await page.$$eval('#compare-table tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
  assert.equal(table.length, 8);
  const stepRow = table.find((r) => r[0].startsWith('ms per training step'));
  const show = (ms) => (ms >= 100 ? ms.toFixed(0) : ms >= 1 ? ms.toFixed(2) : ms.toPrecision(2));
  assert.deepEqual(stepRow.slice(1), [show(compare.timing.cnn.msPerStep), show(compare.timing.gpt.msPerStep)]);
  assert.deepEqual(table.find((r) => r[0] === 'ms per step of your run in the page').slice(1), ['—', show(compare.pageRun.msPerStep)]);
  const chart = await page.evaluate(() => Chart.getChart(document.getElementById('compare-chart')).data.datasets.map((d) => d.data));
  assert.deepEqual(chart.map((d) => d[4]), [compare.perExample.cnn, compare.perExample.gpt], 'the chart plots the measured times');

  // What the CNN learned: per-class correct counts equal the engine's classification in node of the same images.
  const cnnLearned = compare.learned.cnn;
  assert.equal(cnnLearned.images, 1000);
  assert.deepEqual(cnnLearned.classes, cnnCard.classes);
  assert.equal(cnnLearned.count.reduce((a, b) => a + b, 0), 1000);
  {
    const site = (p) => fs.readFileSync(path.join(siteDir, p));
    const classifier = new M.Classifier(cnnCard.architecture, cnnCard.input_shape, site('assets/fashion-cnn.safetensors'), 'fashion-cnn');
    const data = new M.ImageDataset(site('datasets/fashion-mnist-test.ttds'), 'fashion-mnist-test.ttds');
    const predicted = classifier.classify(data, 0, 1000);
    const correct = new Array(10).fill(0), count = new Array(10).fill(0);
    for (let i = 0; i < 1000; i++) { count[data.label(i)]++; correct[data.label(i)] += predicted[i] === data.label(i) ? 1 : 0; }
    assert.deepEqual(cnnLearned.count, count);
    assert.deepEqual(cnnLearned.correct, correct);
    classifier.delete(); data.delete();
  }
  assert.deepEqual(cnnLearned.receptiveField.map((r) => r.pixels), [3, 4, 8, 10]);
  // the first-layer filters are the asset's conv weights [16, 1, 3, 3], drawn one picture each
  {
    const file = fs.readFileSync(path.join(siteDir, 'assets/fashion-cnn.safetensors'));
    const n = Number(file.readBigUInt64LE(0)), entry = JSON.parse(file.subarray(8, 8 + n).toString())['0.weight'];
    const bytes = file.subarray(8 + n + entry.data_offsets[0], 8 + n + entry.data_offsets[1]);
    const weights = Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(4 * i));
    assert.deepEqual(cnnLearned.filters.shape, [16, 1, 3, 3]);
    assert.deepEqual(Object.values(cnnLearned.filters.data), weights);
    assert.equal(await page.locator('#learned-filters canvas').count(), 16);
  }
  const accuracyBars = await page.evaluate(() => Chart.getChart(document.getElementById('learned-cnn')).data.datasets[0].data);
  assert.deepEqual(accuracyBars, cnnLearned.correct.map((c, k) => c / cnnLearned.count[k]));

  // What the GPT learned: each predicted character is the greedy next character of the same context in node.
  const g = compare.learned.gpt;
  assert.equal(g.context, 32);
  assert.equal(g.positions, 200);
  assert.equal(g.predicted.length, 200);
  const targets = g.text.slice(g.context);
  assert.equal(targets, corpus().slice(-200));
  for (let i = 0; i < 200; i += 20) {
    const next = trained.generate(g.text.slice(i, i + 32), 1, JSON.stringify({ temperature: 0, useCache: false })).slice(-1);
    assert.equal(g.predicted[i], next, `position ${i}`);
  }
  const classes = { lowercase: 0, space: 0, punctuation: 0 };
  for (const ch of targets) classes[ch === ' ' ? 'space' : ch === '.' ? 'punctuation' : 'lowercase']++;
  for (const [name, n] of Object.entries(classes)) {
    assert.equal(g.byClass[name].count, n, name);
    const right = [...targets].filter((ch, i) => g.predicted[i] === ch && (ch === ' ' ? 'space' : ch === '.' ? 'punctuation' : 'lowercase') === name).length;
    assert.equal(g.byClass[name].correct, right, name);
    assert.ok(g.byClass[name].loss > 0);
  }
  assert.equal(g.byClass.uppercase.count + g.byClass.digit.count + g.byClass.newline.count, 0);
  // one mean attention distance per layer and head, between 0 and the window
  assert.equal(g.attentionDistance.length, 1);
  assert.equal(g.attentionDistance[0].length, 2);
  for (const d of g.attentionDistance[0]) assert.ok(d > 0 && d < g.attentionWindow, String(d));
  assert.equal(g.attentionWindow, 32, "the text's last window of the model's context");
  assert.ok(Math.abs(g.uniformDistance - 31 / 4) < 1e-12, 'uniform weights over q + 1 keys: the mean of q / 2 over 32 queries');
  const gptBars = await page.evaluate(() => Chart.getChart(document.getElementById('learned-gpt')).data.datasets[0].data);
  assert.equal(gptBars.length, 3);
  trained.delete();

  // After a reload the saved checkpoint is offered.
  await page.reload();
  await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 60_000 });
  await page.waitForSelector('#train-resume-saved:not([hidden])');
  assert.match(await page.textContent('#train-resume-saved'), /step 100, your text/);
  await page.click('#train-resume-saved');
  await page.waitForFunction(() => window.ttGpt.training.status === 'finished', null, { timeout: 60_000 });
  const resumed = await page.evaluate(() => ({ resumed: window.ttGpt.training.resumed, step: window.ttGpt.training.startStep }));
  assert.deepEqual(resumed, { resumed: true, step: 100 });

  // Pause, resume and stop act between slices: no steps while paused.
  await page.selectOption('#train-corpus', 'own');
  await page.fill('#own-textarea', corpus());
  for (const [id, v] of [['train-block', 32], ['train-layers', 1], ['train-heads', 2], ['train-width', 32],
                         ['train-batch', 8], ['train-steps', 100000]]) await page.fill(`#${id}`, String(v));
  await page.click('#train-start');
  await page.waitForFunction(() => window.ttGpt.training.step >= 20, null, { timeout: 60_000 });
  await page.click('#train-pause');
  await page.waitForFunction(() => window.ttGpt.training.status === 'paused');
  const paused = await page.evaluate(() => window.ttGpt.training.step);
  await page.waitForTimeout(1000);
  assert.equal(await page.evaluate(() => window.ttGpt.training.step), paused, 'no steps while paused');
  await page.click('#train-pause');
  await page.waitForFunction((s) => window.ttGpt.training.step > s, paused, { timeout: 60_000 });
  await page.click('#train-stop');
  await page.waitForFunction(() => window.ttGpt.training.status === 'stopped', null, { timeout: 60_000 });
  assert.deepEqual(consoleErrors, []);
});

// The pretrained asset (assets/tinygpt.safetensors, the page's default model) in the page and in the native CLI:
// the same prompt, sampling options and seed give the same text — the page draws from one Generator(seed) once per
// token as GPT::generate does, and the wasm simd128 engine computes the native SSE2 engine's logits bit for bit.
test('milestone 3: the pretrained model generates in the page the text `tt generate` prints for the same seed', async (t) => {
  const nativeTt = process.env.TT_NATIVE ?? path.join(repo, 'build/native/tt');
  const prompt = 'It is a truth universally';
  const options = { tokens: 60, temperature: 0.8, topK: 10, seed: 11 };
  const { execFileSync } = await import('node:child_process');
  const native = execFileSync(nativeTt, ['generate', '--prompt', prompt, '--tokens', String(options.tokens),
    '--temperature', String(options.temperature), '--top-k', String(options.topK), '--seed', String(options.seed),
    '--weights', path.join(repo, 'assets/tinygpt.safetensors')], { encoding: 'utf8' }).replace(/\n$/, '');
  assert.ok(native.startsWith(prompt) && native.length === prompt.length + options.tokens, JSON.stringify(native));

  const server = await startServer();
  t.after(() => server.close());
  const browser = await launchBrowser({ viewport: { width: 1280, height: 1200 } });
  t.after(() => browser.close());
  const { page, consoleErrors } = browser;
  await page.goto(`${server.url}/milestone-tinygpt.html`);
  await seedPassedModules(page, MODULES_01_14);
  await page.reload();
  await page.waitForFunction(() => ['ready', 'failed'].includes(document.body.dataset.state), null, { timeout: 60_000 });
  assert.equal(await page.getAttribute('body', 'data-state'), 'ready');
  // the site's header, as on every page: brand, where you are, the way back to the map
  assert.equal(await page.getAttribute('header.site-header a.brand', 'href'), './');
  assert.equal(await page.textContent('header.site-header .crumb'), 'Milestone 3 · TinyGPT');
  assert.equal(await page.$('header.site-header h1'), null, 'the page title is not the header');
  assert.match(await page.textContent('#model-info'), /4 layers × 4 heads, width 128, context 128, 81 characters/);
  for (const useCache of [true, false]) {
    await page.fill('#gen-prompt', prompt);
    await page.fill('#gen-tokens', String(options.tokens));
    await page.fill('#gen-temperature', String(options.temperature));
    await page.fill('#gen-topk', String(options.topK));
    await page.fill('#gen-seed', String(options.seed));
    await page.setChecked('#gen-cache', useCache);
    await page.click('#gen-run');
    await page.waitForFunction(() => window.ttGpt.generation?.done, null, { timeout: 120_000 });
    const text = await page.evaluate(() => window.ttGpt.generation.text);
    assert.equal(text, native, `the page (KV cache ${useCache ? 'on' : 'off'}) and tt generate, seed ${options.seed}`);
  }
  assert.deepEqual(consoleErrors, []);
});
