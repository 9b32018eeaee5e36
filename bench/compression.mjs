// Module 16's compression table: the MNIST MLP and the Fashion CNN as fp32 / int8 (per channel, calibrated) /
// int8 (per tensor) / int4 (group 32) — file size, test accuracy, latency at batch 1 and 64 — natively
// (tt_compression_native) and, when build/wasm has the reference engine, in wasm through the same engine code
// (CompressionLab, engine/bindings/compression.cpp): the int8 accuracies must be equal. TinyGPT: validation loss
// of its weights quantized and dequantized (int8 per channel, int4 group 32) by `tt eval tinygpt --weights`.
//   node bench/compression.mjs [--quick] [--no-wasm] [--no-ort] [--no-gpt] [--datasets=DIR]
// Needs: cmake --build build/native --target tt_compression_native tt. Writes build/bench/compression.md / .json.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { loadEngine } from '../tests/node/load-engine.mjs';
import { steadyStateWasm } from './common.mjs';
import { ortMlpRows } from './compression-ort.mjs';

const root = path.resolve(import.meta.dirname, '..');
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const option = (name, fallback) => argv.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1) ?? fallback;
const QUICK = flag('--quick');
steadyStateWasm();  // every wasm (ours, onnxruntime's) on its optimising tier from the start, as run.mjs
const seconds = QUICK ? 0.03 : 0.1;
const native = path.join(root, 'build/native');
const datasets = option('--datasets', path.join(root, 'build/datasets'));
const outDir = path.join(root, 'build/bench');
fs.mkdirSync(outDir, { recursive: true });

const nativeDoc = JSON.parse(execFileSync(path.join(native, 'bench/tt_compression_native'),
  [path.join(root, 'assets'), datasets, outDir, String(seconds)], { encoding: 'utf8', maxBuffer: 1 << 26 }));

// The same forms in wasm, from the same bytes and the same calibration images.
const wasm = {};
if (!flag('--no-wasm')) {
  try {
    const M = await loadEngine();
    if (typeof M.CompressionLab !== 'function') throw new Error('this wasm build has no CompressionLab');
    for (const m of nativeDoc.models) {
      const card = JSON.parse(fs.readFileSync(path.join(root, 'assets', `${m.name}.json`), 'utf8'));
      const set = card.data.dataset;
      const train = fs.readFileSync(path.join(datasets, `${set}-train.ttds`));
      const count = train.readUInt32LE(8);  // "TTDS", version, N
      const lab = new M.CompressionLab(card.architecture, fs.readFileSync(path.join(root, 'assets', `${m.name}.safetensors`)),
        fs.readFileSync(path.join(datasets, `${set}-test.ttds`)), `${set}-test.ttds`, card.test_count, train, count - 512, 512);
      wasm[m.name] = Object.fromEntries(m.rows.map((r) => [r.form, JSON.parse(lab.measure(r.form, seconds))]));
      wasm.qgemm = lab.qgemm();
      lab.delete();
    }
  } catch (error) {
    wasm.error = error.message;
  }
}

// The peer: onnxruntime-web's int8 MatMulInteger on the MLP, in this process.
let ortPeer = null;
if (!flag('--no-ort')) {
  try {
    ortPeer = await ortMlpRows(root, datasets, nativeDoc.models[0].rows[0].count);
  } catch (error) {
    ortPeer = { error: error.message };
  }
}

// TinyGPT: validation loss (nats/char, the card's 512 windows) of each form.
const gpt = [];
if (!flag('--no-gpt')) {
  const card = JSON.parse(fs.readFileSync(path.join(root, 'assets/tinygpt.json'), 'utf8'));
  for (const [form, file, bytes] of [['fp32', path.join(root, 'assets/tinygpt.safetensors'), card.bytes],
    ['int8', nativeDoc.tinygpt.int8_file, nativeDoc.tinygpt.int8_bytes],
    ['int4', nativeDoc.tinygpt.int4_file, nativeDoc.tinygpt.int4_bytes]]) {
    const out = execFileSync(path.join(native, 'tt'), ['eval', 'tinygpt', '--weights', file], { cwd: root, encoding: 'utf8' });
    const loss = Number(/loss ([0-9.eE+-]+) nats/.exec(out)?.[1]);
    gpt.push({ form, bytes, loss });
  }
}

const kb = (b) => `${(b / 1024).toFixed(1)} KiB`;
const pct = (r) => `${((100 * r.correct) / r.count).toFixed(2)} %`;
const lines = [`# Compression (module 16)`, '',
  `Native: ${nativeDoc.simd}, int8 GEMM ${nativeDoc.qgemm}, process CPU clock, one thread.` +
  (wasm.qgemm ? ` wasm: int8 GEMM ${wasm.qgemm}, wall clock (Node).` : wasm.error ? ` wasm: not run (${wasm.error}).` : ''), '',
  '| model | form | file | smaller | accuracy | Δ vs fp32 | batch 1 | batch 64 | speed-up b1 | speed-up b64 | wasm accuracy (same?) | wasm b1 | wasm b64 | wasm speed-up b1 / b64 |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|'];
for (const m of nativeDoc.models) {
  const f = m.rows[0];
  const wf = wasm[m.name]?.fp32;
  for (const r of m.rows) {
    const w = wasm[m.name]?.[r.form];
    lines.push(`| ${m.name} | ${r.form} | ${kb(r.bytes)} | ${(f.bytes / r.bytes).toFixed(2)}× | ${pct(r)} | ` +
      `${(100 * (r.correct - f.correct) / r.count).toFixed(2)} | ${r.ms_b1.toFixed(4)} ms | ${r.ms_b64.toFixed(3)} ms | ` +
      `${(f.ms_b1 / r.ms_b1).toFixed(2)}× | ${(f.ms_b64 / r.ms_b64).toFixed(2)}× | ` +
      (w ? `${pct(w)} (${w.correct === r.correct ? 'same' : 'DIFFERENT'}) | ${w.ms_b1.toFixed(4)} ms | ${w.ms_b64.toFixed(3)} ms | ` +
        `${(wf.ms_b1 / w.ms_b1).toFixed(2)}× / ${(wf.ms_b64 / w.ms_b64).toFixed(2)}× |` : '- | - | - | - |'));
  }
}
// The goal, int8 >= 2x faster than fp32, per model and build, with the peer's own int8 / fp32 ratio from this run.
const ortRatio = ortPeer?.rows ? ortPeer.rows.find((r) => r.form === 'int8') : null;
lines.push('', '| int8 vs fp32 (goal ≥ 2×) | native b1 | native b64 | wasm b1 | wasm b64 | onnxruntime-web b1 / b64 (same run) |',
  '|---|---|---|---|---|---|');
for (const m of nativeDoc.models) {
  const f = m.rows.find((r) => r.form === 'fp32'), q = m.rows.find((r) => r.form === 'int8');
  if (!f || !q) continue;
  const wf = wasm[m.name]?.fp32, wq = wasm[m.name]?.int8;
  const cell = (a, b) => `${(a / b).toFixed(2)}× ${a / b >= 2 ? 'met' : 'not met'}`;
  const ort = m.name === 'mnist-mlp' && ortRatio ?
    `${(ortPeer.rows[0].ms_b1 / ortRatio.ms_b1).toFixed(2)}× / ${(ortPeer.rows[0].ms_b64 / ortRatio.ms_b64).toFixed(2)}×` : '-';
  lines.push(`| ${m.name} | ${cell(f.ms_b1, q.ms_b1)} | ${cell(f.ms_b64, q.ms_b64)} | ` +
    (wf && wq ? `${cell(wf.ms_b1, wq.ms_b1)} | ${cell(wf.ms_b64, wq.ms_b64)} | ` : '- | - | ') + `${ort} |`);
}
lines.push('', 'TinyGPT has no quantized layers (its int8 / int4 weights are quantized and dequantized again, then run by ' +
  'the float kernels), so it has no int8 latency to compare.');
if (ortPeer?.rows) {
  const f = ortPeer.rows[0];
  lines.push('', `Peer: onnxruntime-web ${ortPeer.version} (wasm SIMD, one thread, Node, CPU clock), the same MNIST MLP; int8 = ` +
    'DynamicQuantizeLinear + MatMulInteger with the same per-channel int8 weights (inputs quantized per batch).', '',
    '| onnxruntime-web | accuracy | batch 1 | batch 64 | speed-up b1 / b64 |', '|---|---|---|---|---|');
  for (const r of ortPeer.rows)
    lines.push(`| ${r.form} | ${pct(r)} | ${r.ms_b1.toFixed(4)} ms | ${r.ms_b64.toFixed(3)} ms | ${(f.ms_b1 / r.ms_b1).toFixed(2)}× / ${(f.ms_b64 / r.ms_b64).toFixed(2)}× |`);
} else if (ortPeer?.error) lines.push('', `Peer onnxruntime-web: not run (${ortPeer.error}).`);
if (gpt.length) {
  lines.push('', '| TinyGPT | file (weights as stored) | smaller | validation loss (nats/char) | Δ |', '|---|---|---|---|---|');
  for (const g of gpt)
    lines.push(`| ${g.form} | ${kb(g.bytes)} | ${(gpt[0].bytes / g.bytes).toFixed(2)}× | ${g.loss.toFixed(4)} | ${(g.loss - gpt[0].loss).toFixed(4)} |`);
}
lines.push('', 'Goals (course plan): int8 4× smaller and ≥ 2× faster than fp32 with ≤ 1 point accuracy loss.');
const md = lines.join('\n') + '\n';
process.stdout.write(md);
fs.writeFileSync(path.join(outDir, 'compression.md'), md);
fs.writeFileSync(path.join(outDir, 'compression.json'), JSON.stringify({ native: nativeDoc, wasm, ort: ortPeer, gpt }, null, 1));
process.exit(0);
