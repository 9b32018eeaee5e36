// Module 16's int8 speed-ups measured in Chromium, the browser the course runs in (not a test): the MNIST MLP and the
// Fashion CNN as fp32, int8 (uint8 inputs) and int8-u7 (inputs over 0..127, PyTorch's reduce_range) in both
// single-threaded web builds, tt_web (simd128: int8 on i32x4.dot_i16x8_s) and tt_web_relaxed (f32x4.relaxed_madd for
// fp32, i32x4.relaxed_dot_i8x16_i7x16_add_s for int8-u7), through the reference engine's CompressionLab — the code
// of the native table (bench/compression.mjs) and of module 16's systems panel. Node 20's V8 is not used: its
// relaxed dot is slow, and wrong on its baseline tier (bench/README.md). Prints a table; writes
// build/bench/compression-page.md / .json.
//   node bench/compression-page.mjs [--quick] [--rounds=N]
// Needs the built site (make site) with the datasets in it.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, launchBrowser, siteDir } from '../tests/web/harness.mjs';

const root = path.resolve(import.meta.dirname, '..');
const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick');
const ROUNDS = Number(argv.find((a) => a.startsWith('--rounds='))?.slice(9) ?? (QUICK ? 1 : 3));
const SECONDS = QUICK ? 0.05 : 0.2;
const MODELS = ['mnist-mlp', 'fashion-cnn'];
const FORMS = ['fp32', 'int8', 'int8-u7'];
const BUILDS = ['tt_web', 'tt_web_relaxed'];

const server = await startServer(siteDir, { isolate: false });
const browser = await launchBrowser();
const { page } = browser;
const results = [];  // {round, build, model, form, correct, count, ms_b1, ms_b64, qgemm}
try {
  // a page that runs nothing of its own (the course pages load engines and student builds)
  await page.goto(`${server.url}/site-pages.json`);
  const relaxed = await page.evaluate(async () => (await import('/js/engine.mjs')).relaxedSimd());
  if (!relaxed) throw new Error('this Chromium has no relaxed SIMD: nothing to compare');
  // Builds alternate within each round, so that a slower minute of this shared machine falls on both.
  for (let round = 0; round < ROUNDS; ++round)
    for (const build of round % 2 ? [...BUILDS].reverse() : BUILDS) {
      const rows = await page.evaluate(async ({ build, models, forms, seconds }) => {
        const { loadEngine } = await import('/js/engine.mjs');
        const M = await loadEngine(`/wasm/${build}.mjs`);
        const bytes = async (url) => new Uint8Array(await (await fetch(url)).arrayBuffer());
        const out = [];
        for (const model of models) {
          const card = await (await fetch(`/assets/${model}.json`)).json();
          const set = card.data.dataset;
          const train = await bytes(`/datasets/${set}-train.ttds`);
          const count = new DataView(train.buffer).getUint32(8, true);
          const lab = new M.CompressionLab(card.architecture, await bytes(`/assets/${model}.safetensors`),
            await bytes(`/datasets/${set}-test.ttds`), `${set}-test.ttds`, card.test_count, train, count - 512, 512);
          try {
            for (const form of forms) out.push({ model, qgemm: lab.qgemm(), ...JSON.parse(lab.measure(form, seconds)) });
          } finally {
            lab.delete();
          }
        }
        return out;
      }, { build, models: MODELS, forms: FORMS, seconds: SECONDS });
      for (const r of rows) results.push({ round, build, ...r });
      process.stderr.write(`round ${round + 1}/${ROUNDS}: ${build} done\n`);
    }
} finally {
  await browser.close();
  server.close();
}

const median = (v) => { const s = [...v].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]; };
const pick = (build, model, form) => results.filter((r) => r.build === build && r.model === model && r.form === form);
const version = execFileSync(process.env.CHROMIUM ?? '/usr/bin/chromium', ['--version'],
  { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
const lines = ['# int8 in the page (module 16)', '',
  `${version}, one thread, wall clock; median of ${ROUNDS} round(s), the builds alternating. Speed-up: the ` +
  'same build\'s fp32 time / this form\'s (goal: int8 ≥ 2×). Accuracy: every test image of the card.', '',
  '| model | build | form | accuracy | batch 1 | batch 64 | speed-up b1 | speed-up b64 |', '|---|---|---|---|---|---|---|---|'];
const json = [];
for (const model of MODELS)
  for (const build of BUILDS) {
    const f = pick(build, model, 'fp32');
    const f1 = median(f.map((r) => r.ms_b1)), f64 = median(f.map((r) => r.ms_b64));
    for (const form of FORMS) {
      const rs = pick(build, model, form);
      const b1 = median(rs.map((r) => r.ms_b1)), b64 = median(rs.map((r) => r.ms_b64));
      const accuracy = (100 * rs[0].correct) / rs[0].count;
      json.push({ model, build, form, accuracy, correct: rs[0].correct, count: rs[0].count, ms_b1: b1, ms_b64: b64,
        speedup_b1: f1 / b1, speedup_b64: f64 / b64, qgemm: rs[0].qgemm, samples_b64: rs.map((r) => r.ms_b64) });
      lines.push(`| ${model} | ${build} | ${form} | ${accuracy.toFixed(2)} % | ${b1.toFixed(4)} ms | ${b64.toFixed(3)} ms | ` +
        `${(f1 / b1).toFixed(2)}× | ${(f64 / b64).toFixed(2)}× |`);
    }
  }
// Exact integers: an int8 form's accuracy is the same in both builds.
for (const model of MODELS)
  for (const form of FORMS.filter((f) => f !== 'fp32')) {
    const [a, b] = BUILDS.map((build) => pick(build, model, form)[0].correct);
    if (a !== b) lines.push('', `**${model} ${form}: ${a} correct in tt_web, ${b} in tt_web_relaxed: they must be equal.**`);
  }
const text = lines.join('\n');
console.log(text);
const outDir = path.join(root, 'build/bench');
fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, 'compression-page.md'), `${text}\n`);
fs.writeFileSync(path.join(outDir, 'compression-page.json'), `${JSON.stringify({ rounds: ROUNDS, rows: json }, null, 1)}\n`);
