// Milestone-1 latency: the pretrained MNIST MLP (assets/mnist-mlp) on real test images, batch 1 and 64, run by
//   native       web/apps/infer_main.cpp built by g++ (tt_infer_native), timing itself
//   wasm ref     the site's engine (build/wasm/tt_web.mjs, Embind, xsimd simd128): Classifier.predict, as the page calls it
//   student      web/apps/infer_main.cpp built in Node by the in-browser toolchain (@yowasp/clang, web/js/student/) and
//                linked with the prebuilt reference objects — what "Run on my framework" runs — timing itself
//   TF.js-wasm, onnxruntime-web   the same weights as Linear-ReLU-Linear (common.mjs, as in run.mjs)
// All in one process (the two programs as children/workers of it), wall clock throughout (the programs time
// themselves with the steady clock). Predictions of all five are compared before anything is timed.
//
//   node bench/mlp-latency.mjs [--quick]   needs: cmake --build build/native --target tt_infer_native (or
//                                          build/native-bench, see run.sh; TT_INFER_NATIVE=path overrides),
//                                          build/wasm/tt_web.mjs, build/student (make site / prebuild-student.mjs),
//                                          build/datasets/mnist-test.ttds
// Writes build/bench/mlp-latency.md and mlp-latency.json.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

import { createCompiler } from '../web/js/student/compiler-client.mjs';
import { runProgram } from '../web/js/student/runner.mjs';
import { loadEngine } from '../tests/node/load-engine.mjs';
import { SAMPLE_SECONDS, fmtMs, loadPeers, maxAbsDiff, mlpPeers, outDir, peerVersions, ratio, root, steadyStateWasm,
  timeRotation } from './common.mjs';

const MODEL = 'mnist-mlp';
const BATCHES = [1, 64];
// bench/run.sh's build for this machine's widest SIMD when it has the program, else the test build (SSE2)
const nativeInfer = process.env.TT_INFER_NATIVE ?? ['build/native-bench', 'build/native']
  .map((dir) => path.join(root, dir, 'bench/tt_infer_native')).find((p) => fs.existsSync(p))
  ?? path.join(root, 'build/native/bench/tt_infer_native');
const datasetFile = path.join(root, 'build/datasets/mnist-test.ttds');
const programSource = path.join(root, 'web/apps/infer_main.cpp');

// safetensors: 8-byte little-endian header length, JSON header {name: {dtype, shape, data_offsets}}, data.
function readSafetensors(bytes) {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  const out = {};
  for (const [name, t] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    if (t.dtype !== 'F32') throw new Error(`${MODEL}.safetensors: ${name} is ${t.dtype}, expected F32`);
    const [a, b] = t.data_offsets;
    out[name] = new Float32Array(bytes.slice(8 + n + a, 8 + n + b).buffer);
  }
  return out;
}

const argmaxRows = (z, classes) => Array.from({ length: z.length / classes }, (_, b) => {
  const row = z.subarray(b * classes, (b + 1) * classes);
  return row.indexOf(Math.max(...row));
});
const softmaxRows = (z, classes) => {
  const p = new Float32Array(z.length);
  for (let b = 0; b < z.length; b += classes) {
    const row = z.subarray(b, b + classes), m = Math.max(...row);
    let sum = 0;
    for (let k = 0; k < classes; k++) sum += (p[b + k] = Math.exp(row[k] - m));
    for (let k = 0; k < classes; k++) p[b + k] /= sum;
  }
  return p;
};

// ---- the two builds of infer_main.cpp ---------------------------------------------------------------------------
const inferArgs = (card, weights, inputs, batch) => [card.architecture, card.input_shape, weights, inputs, String(batch),
  String(SAMPLE_SECONDS)];
const parseProgram = (text) => {
  const r = JSON.parse(text);
  return { seconds: r.seconds, logits: Float32Array.from(r.logits) };
};

function runNative(card, weightsPath, x, batch) {
  if (!fs.existsSync(nativeInfer)) throw new Error(`${nativeInfer} is missing: cmake --build build/native --target tt_infer_native`);
  const inputs = path.join(outDir, `mlp-latency-x${batch}.f32`);
  fs.writeFileSync(inputs, x);
  return parseProgram(execFileSync(nativeInfer, inferArgs(card, weightsPath, inputs, batch), { encoding: 'utf8' }));
}

async function buildStudentProgram() {
  const compiler = createCompiler();
  try {
    const ready = await compiler.ready;
    const b = await compiler.build({ checks: { 'apps/infer_main.cpp': fs.readFileSync(programSource, 'utf8') }, program: true });
    if (!b.ok) throw new Error(`student build of infer_main.cpp failed at ${b.stage}:\n${b.output}`);
    return { wasm: b.wasm, compilerReadyMs: ready.totalMs, buildMs: b.timings.total };
  } finally {
    compiler.terminate();
  }
}

async function runStudent(wasm, card, weightBytes, x, batch) {
  const files = { '/fixtures/weights.safetensors': weightBytes, '/fixtures/x.f32': new Uint8Array(x.buffer.slice(0)) };
  const r = await runProgram(wasm.slice(), { doctest: false, timeLimitMs: 120000, files,
    args: inferArgs(card, '/fixtures/weights.safetensors', '/fixtures/x.f32', batch).slice() });
  if (r.status !== 'exited' || r.exitCode !== 0) throw new Error(`student program: ${r.status} ${r.message ?? ''}\n${r.stderr}`);
  return parseProgram(r.stdout);
}

// ---- one batch size: check agreement, then time -----------------------------------------------------------------
async function batchRow({ card, weightsPath, weightBytes, weights, model, data, student }, batch) {
  const classes = card.classes.length;
  const x = data.batch(0, batch);  // the first test images, pixel / 255
  const labels = Array.from({ length: batch }, (_, i) => data.label(i));
  const { tfjs, onnx, release } = await mlpPeers(batch, x, weights['1.weight'], weights['1.bias'], weights['3.weight'],
    weights['3.bias']);
  const wasmRef = () => model.predict(x, batch);

  const native = runNative(card, weightsPath, x, batch);
  const stud = await runStudent(student.wasm, card, weightBytes, x, batch);
  const ref = wasmRef(), tf = tfjs(), ort = await onnx();
  const predictions = { native: argmaxRows(native.logits, classes), wasmRef: argmaxRows(ref, classes),
    student: argmaxRows(stud.logits, classes), tfjs: argmaxRows(tf, classes), onnx: argmaxRows(ort, classes) };
  const agree = Object.values(predictions).every((p) => p.join() === predictions.wasmRef.join());
  const maxProbDiff = Math.max(...[native.logits, stud.logits, tf, ort].map((z) => maxAbsDiff(softmaxRows(z, classes), ref)));
  if (!agree || !(maxProbDiff < 1e-4)) {
    throw new Error(`batch ${batch}: engines disagree (max probability difference ${maxProbDiff}): ${JSON.stringify(predictions)}`);
  }

  const t = await timeRotation({ wasmRef, tfjs, onnx });
  await release();
  return { batch, correct: predictions.wasmRef.filter((p, i) => p === labels[i]).length, maxProbDiff,
    seconds: { native: native.seconds, wasmRef: t.wall.wasmRef, student: stud.seconds, tfjs: t.wall.tfjs, onnx: t.wall.onnx } };
}

function markdown(r) {
  const lines = [`# ${MODEL} inference latency: native vs wasm reference vs student build vs TF.js-wasm vs onnxruntime-web`, ''];
  lines.push(`${r.date} · node ${r.node} · ${r.cpu} (${r.cores} cores, load average ${r.loadavg.map((v) => v.toFixed(1)).join(' ')}) · tfjs-backend-wasm ${r.versions.tfjs} · onnxruntime-web ${r.versions.ort}`, '');
  lines.push(`Model: \`${r.architecture}\` (${r.parameters} parameters), the first MNIST test images (pixel / 255). 1 thread each. ` +
    'Median wall-clock ms per forward pass; native and student time themselves inside the program (steady clock), ' +
    'wasm ref = `Classifier.predict` (copy in, forward, softmax, copy out), TF.js = fused matMul + dataSync, ORT = `session.run`. ' +
    'All five gave the same predictions (checked before timing). Ratios: time / wasm-ref time (> 1 = slower than the site\'s engine).', '');
  lines.push(`Native: \`${path.relative(root, r.nativeBinary)}\`.`, '');
  lines.push(`Student build: compiler ready in ${(r.student.compilerReadyMs / 1000).toFixed(1)} s, infer_main.cpp compiled + linked in ${(r.student.buildMs / 1000).toFixed(1)} s (Node).`, '');
  lines.push('| batch | native ms | wasm ref ms | student ms | TF.js ms | ORT ms | native/ref | student/ref | TF.js/ref | ORT/ref | student/native | correct |');
  lines.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const row of r.rows) {
    const s = row.seconds;
    lines.push(`| ${row.batch} | ${fmtMs(s.native)} | ${fmtMs(s.wasmRef)} | ${fmtMs(s.student)} | ${fmtMs(s.tfjs)} | ${fmtMs(s.onnx)} | ` +
      `${ratio(s.native, s.wasmRef)} | ${ratio(s.student, s.wasmRef)} | ${ratio(s.tfjs, s.wasmRef)} | ${ratio(s.onnx, s.wasmRef)} | ` +
      `${ratio(s.student, s.native)} | ${row.correct}/${row.batch} |`);
  }
  return lines.join('\n') + '\n';
}

// The student program is compiled before steadyStateWasm(): clang itself (a large wasm module) is left to V8's
// default tiers; everything compiled after it (the engines, the student program's run) gets TurboFan up front.
console.error('student build: compiling infer_main.cpp with @yowasp/clang ...');
const student = await buildStudentProgram();
steadyStateWasm();
const card = JSON.parse(fs.readFileSync(path.join(root, `assets/${MODEL}.json`), 'utf8'));
const weightsPath = path.join(root, 'assets', card.weights);
const weightBytes = new Uint8Array(fs.readFileSync(weightsPath));
if (!fs.existsSync(datasetFile)) throw new Error(`${datasetFile} is missing: make datasets (or make site)`);
const M = await loadEngine();
await loadPeers();
const model = new M.Classifier(card.architecture, card.input_shape, weightBytes, card.weights);
const data = new M.ImageDataset(new Uint8Array(fs.readFileSync(datasetFile)), 'mnist-test.ttds');
fs.mkdirSync(outDir, { recursive: true });
const ctx = { card, weightsPath, weightBytes, weights: readSafetensors(weightBytes), model, data, student };
const rows = [];
for (const batch of BATCHES) {
  console.error(`batch ${batch} ...`);
  rows.push(await batchRow(ctx, batch));
}
model.delete();
data.delete();
const cpu = (fs.readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) ?? [, 'unknown cpu'])[1];
const results = { date: new Date().toISOString(), node: process.versions.node, cpu, cores: os.cpus().length,
  loadavg: os.loadavg(), versions: peerVersions(), architecture: card.architecture, parameters: card.parameters, nativeBinary: nativeInfer,
  student: { compilerReadyMs: student.compilerReadyMs, buildMs: student.buildMs }, rows };
fs.writeFileSync(path.join(outDir, 'mlp-latency.json'), JSON.stringify(results, null, 2));
const md = markdown(results);
fs.writeFileSync(path.join(outDir, 'mlp-latency.md'), md);
console.log(md);
console.error(`wrote ${path.join(outDir, 'mlp-latency.json')} and mlp-latency.md`);
process.exit(0);  // the peers' wasm runtimes keep handles open
