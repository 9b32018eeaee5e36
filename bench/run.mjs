// One process, one machine, the same work: our wasm engine vs TensorFlow.js (wasm backend, SIMD, 1 thread) vs
// onnxruntime-web (wasm, 1 thread), plus this machine's simd128 multiply+add ceiling, the course's naive and
// loop-reordered matmuls, a training step (train-step.mjs: wasm vs TF.js, native vs PyTorch), and (for context) the
// native engine vs numpy/OpenBLAS.
//
//   node bench/run.mjs            (after building tt_bench: cmake --build build/wasm --target tt_bench, and
//                                  tt_bench_native: bash bench/run.sh (builds build/native-bench))
//   bash bench/run.sh             builds both, then runs this
// Options: --quick (fewer samples), --no-native, --no-threads, --no-relaxed, --relaxed-only (the relaxed-SIMD GEMM
// section alone → build/bench/relaxed.md/.json), --clock=wall (default: process CPU time, see timeRotation).
// Writes build/bench/results.json and build/bench/results.md.
//
// Method: every engine gets the same seeded inputs, already resident (TF tensors created once, our inputs in the
// wasm heap, ORT feeds built once). One timed call = what a user calls to get the result back as a JS array:
//   ours: sgemm / mlpForward over HEAPF32 + copying C out;  TF.js: tf.matMul (fused matMul for the MLP) +
//   dataSync + dispose;  ORT: await session.run (copies inputs in and the output out).
// Each sample repeats the call until ~50 ms have passed; engines are sampled in rotation (so machine noise hits
// all of them alike), after a warm-up; the table shows the median per-call time.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { execFileSync } from 'node:child_process';
import * as ort from 'onnxruntime-web';
import * as tf from '@tensorflow/tfjs-core';
import { matmulModel } from './onnx.mjs';
import { convBackwardLine, convTwoPassLine, convData, convFlops, convRow, oursConv } from './conv.mjs';
import { relaxedSimd } from '../web/js/engine.mjs';
import { trainStepMarkdown, trainStepSection } from './train-step.mjs';
import { CLOCK, SAMPLE_SECONDS, args, fmtMs, loadOurs, loadPeers, maxAbsDiff, median, mlpPeers, outDir, peerVersions,
  randomArray, ratio, root, steadyStateWasm, timeRotation, wallSeconds } from './common.mjs';

steadyStateWasm();  // before any wasm is compiled
v8.setFlagsFromString('--experimental-wasm-relaxed-simd');  // node 20: relaxed SIMD is behind this flag
const nativeBench = process.env.TT_BENCH_NATIVE ?? path.join(root, 'build/native-bench/bench/tt_bench_native');

// Our heap buffers: allocate, copy in, view (views are re-made: memory growth detaches them).
function heapArray(M, data) {
  const ptr = M._malloc(data.length * 4);
  M.HEAPF32.set(data, ptr >> 2);
  return { ptr, length: data.length, read: () => M.HEAPF32.slice(ptr >> 2, (ptr >> 2) + data.length) };
}

// ---- the workloads --------------------------------------------------------------------------------------------
// Each workload's seeded inputs (the same for every engine) and our engine's call on them, copied into M's heap:
// { run (→ the output as a Float32Array), buffers (the heap arrays, output last), free }.
function oursOn(M, inputs, outputLength, call) {
  const buffers = [...inputs, new Float32Array(outputLength)].map((d) => heapArray(M, d));
  const output = buffers.at(-1);
  return {
    run: () => { call(...buffers.map((b) => b.ptr)); return output.read(); },
    buffers,
    free: () => { for (const b of buffers) M._free(b.ptr); },
  };
}
const matmulData = (n) => [randomArray(n * n, 1 + n), randomArray(n * n, 2 + n)];
const oursMatmul = (M, n, data) =>
  oursOn(M, data, n * n, (A, B, C) => M.sgemm(false, false, n, n, n, 1, A, n, B, n, 0, C, n));

const MLP = [784, 128, 10];
const mlpData = (batch) => [randomArray(batch * MLP[0], 15 + batch),                       // x
  randomArray(MLP[1] * MLP[0], 11).map((v) => v * 0.05), randomArray(MLP[1], 12),           // w1, b1
  randomArray(MLP[2] * MLP[1], 13).map((v) => v * 0.1), randomArray(MLP[2], 14)];          // w2, b2
const oursMlp = (M, batch, data) => oursOn(M, [...data, new Float32Array(batch * MLP[1])], batch * MLP[2],
  (X, W1, B1, W2, B2, H, Y) => M.mlpForward(batch, ...MLP, X, W1, B1, W2, B2, H, Y));

const mlpFlops = (batch) => 2 * batch * (MLP[0] * MLP[1] + MLP[1] * MLP[2]);

// The ceiling probe runs inside every row's rotation, so each row's "% of ceiling" compares with what the machine
// gave at that same moment (the cores are shared: absolute numbers drift, same-moment ratios much less).
let probeIters = 0;
// peak: simdPeak (mul + add) or, in tt_bench_relaxed, relaxedPeak (relaxed_madd). The returned call has .iters.
function calibrate(M, peak) {
  const ring = M._malloc(512 * 4);
  M.HEAPF32.set(randomArray(512, 99).map((v) => 1 + 0.5 * v), ring >> 2);
  let iters = 1000;
  M[peak](iters, ring);
  for (;;) {  // grow until one call takes ~20 ms
    const t0 = wallSeconds();
    M[peak](iters, ring);
    if (wallSeconds() - t0 > 0.02) break;
    iters *= 2;
  }
  return Object.assign(() => M[peak](iters, ring), { iters });
}
function calibrateProbe(M) {
  const run = calibrate(M, 'simdPeak');
  probeIters = run.iters;
  return run;
}
const probeGflops = (M, seconds) => (M.simdPeakFlopsPerIteration() * probeIters) / seconds / 1e9;

async function matmulRow(M, probe, n) {
  const [a, b] = matmulData(n);
  const us = oursMatmul(M, n, [a, b]), [A, B, C] = us.buffers;
  const ta = tf.tensor2d(a, [n, n]), tb = tf.tensor2d(b, [n, n]);
  const session = await ort.InferenceSession.create(matmulModel(n, n, n), { executionProviders: ['wasm'] });
  const feeds = { A: new ort.Tensor('float32', a, [n, n]), B: new ort.Tensor('float32', b, [n, n]) };

  const ours = us.run;
  const tfjs = () => { const c = tf.matMul(ta, tb); const out = c.dataSync(); c.dispose(); return out; };
  const onnx = async () => (await session.run(feeds)).C.data;
  const check = ours(), scale = n * 1e-5;
  const diff = Math.max(maxAbsDiff(check, tfjs()), maxAbsDiff(check, await onnx()));
  if (!(diff <= scale)) throw new Error(`matmul ${n}: results disagree by ${diff}`);

  const t = await timeRotation({ ours, tfjs, onnx, probe });
  let naive = null, ikj = null;
  if (n <= 512) {  // the course's first two matmuls, to quote the gap (too slow to bother at 1024)
    const loops = await timeRotation({
      naive: () => M.matmulNaive(A.ptr, B.ptr, C.ptr, n, n, n),
      ikj: () => M.matmulIkj(A.ptr, B.ptr, C.ptr, n, n, n),
    }, 3);
    ({ naive, ikj } = loops);
  }
  ta.dispose(); tb.dispose(); await session.release();
  us.free();
  return { workload: `matmul ${n}`, flops: 2 * n ** 3, ceiling: probeGflops(M, t.probe), seconds: { ...t, naive, ikj },
    wallSeconds: t.wall };
}

async function mlpRow(M, probe, batch) {
  const data = mlpData(batch), us = oursMlp(M, batch, data), ours = us.run;
  const { tfjs, onnx, release } = await mlpPeers(batch, ...data);
  const check = ours();
  const diffs = [maxAbsDiff(check, tfjs()), maxAbsDiff(check, await onnx())];
  if (!(Math.max(...diffs) <= 1e-3)) throw new Error(`mlp batch ${batch}: results disagree (vs TF.js, ORT): ${diffs}`);

  const t = await timeRotation({ ours, tfjs, onnx, probe });
  await release();
  us.free();
  return { workload: `MLP 784-128-10 batch ${batch}`, flops: mlpFlops(batch),
    ceiling: probeGflops(M, t.probe), seconds: { ...t }, wallSeconds: t.wall };
}

// The conv (bench/conv.mjs), with the ceiling probe in its rotation.
async function convRowWithProbe(M, probe) {
  const row = await convRow(M, { probe });
  return { ...row, ceiling: probeGflops(M, row.seconds.probe) };
}

// ---- relaxed SIMD: tt_bench_relaxed (sgemm's kernels on f32x4.relaxed_madd) beside the simd128 build and TF.js ------
// Node 20 has relaxed SIMD behind --experimental-wasm-relaxed-simd: set before any wasm is compiled, then the site's
// own run-time test (relaxedSimd(), web/js/engine.mjs) decides whether the section runs, as a page would. Each row
// times, in one rotation: both builds' sgemm, TF.js's matMul, and both ceiling probes (simdPeak: 8 independent
// mul + add chains; relaxedPeak: the same loop on relaxed_madd), so every ratio compares the same moment.
async function relaxedRows(simd, relaxed) {
  const simdProbe = calibrate(simd, 'simdPeak'), relaxedProbe = calibrate(relaxed, 'relaxedPeak');
  const peak = (probe, seconds) => (simd.simdPeakFlopsPerIteration() * probe.iters) / seconds / 1e9;
  const rows = [];
  for (const n of [256, 512, 1024]) {
    console.error(`matmul ${n}, relaxed SIMD ...`);
    const data = matmulData(n), one = oursMatmul(simd, n, data), two = oursMatmul(relaxed, n, data);
    const ta = tf.tensor2d(data[0], [n, n]), tb = tf.tensor2d(data[1], [n, n]);
    const tfjs = () => { const c = tf.matMul(ta, tb); const out = c.dataSync(); c.dispose(); return out; };
    // FMA rounding only: within the float32 error of a length-n dot product of values in [-1, 1)
    const diff = maxAbsDiff(one.run(), two.run()), tfDiff = maxAbsDiff(two.run(), tfjs());
    if (!(diff <= n * 1e-5 && tfDiff <= n * 1e-5)) throw new Error(`matmul ${n}: relaxed differs by ${diff} / ${tfDiff}`);
    const t = await timeRotation({ simd128: one.run, relaxed: two.run, tfjs, simdProbe, relaxedProbe });
    ta.dispose(); tb.dispose(); one.free(); two.free();
    rows.push({ workload: `matmul ${n}`, flops: 2 * n ** 3, seconds: t, maxAbsDiff: diff,
      ceiling: { simd128: peak(simdProbe, t.simdProbe), relaxed: peak(relaxedProbe, t.relaxedProbe) } });
  }
  return rows;
}

function relaxedMarkdown(rows, note) {
  const lines = ['', '## Relaxed SIMD (tt_bench_relaxed: sgemm on f32x4.relaxed_madd), 1 thread, beside simd128 and TF.js-wasm', ''];
  if (!rows) return [...lines, `Skipped: ${note}`].join('\n');
  lines.push('One rotation per row (both builds, TF.js, both ceiling probes). "x TF.js" is speed (TF.js time / ours): the issue-16 goal is >= 1.5x at N=512 and 1024 with the relaxed build. Results differ from simd128 by fused-multiply-add rounding only (max |diff| column).', '');
  lines.push('| N | simd128 GFLOP/s | relaxed GFLOP/s | TF.js GFLOP/s | simd128 x TF.js | relaxed x TF.js | relaxed / simd128 speed | simd128 ceiling | relaxed-madd ceiling | simd128 % of its ceiling | relaxed % of its ceiling | max abs diff |');
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const s = r.seconds, g = (x) => r.flops / x / 1e9;
    lines.push(`| ${r.workload.split(' ')[1]} | ${gflops(r.flops, s.simd128)} | ${gflops(r.flops, s.relaxed)} | ${gflops(r.flops, s.tfjs)} | ${(s.tfjs / s.simd128).toFixed(2)} | ${(s.tfjs / s.relaxed).toFixed(2)} | ${(s.simd128 / s.relaxed).toFixed(2)} | ${r.ceiling.simd128.toFixed(1)} | ${r.ceiling.relaxed.toFixed(1)} | ${(100 * g(s.simd128) / r.ceiling.simd128).toFixed(0)}% | ${(100 * g(s.relaxed) / r.ceiling.relaxed).toFixed(0)}% | ${r.maxAbsDiff.toExponential(1)} |`);
  }
  return lines.join('\n');
}

// ---- two threads: the threaded build (tt_bench_mt) on 1 and 2 threads, beside the single-threaded build ----------
// Wall clock here: process CPU time adds up both threads. Outputs must match the single-threaded build bit for bit.
const threadWorkloads = [
  ...[256, 512, 1024].map((n) => ({ name: `matmul ${n}`, flops: 2 * n ** 3, data: () => matmulData(n),
    ours: (M, data) => oursMatmul(M, n, data) })),
  { name: 'MLP 784-128-10 batch 64', flops: mlpFlops(64), data: () => mlpData(64), ours: (M, data) => oursMlp(M, 64, data) },
  { name: 'conv2d 64x3x32x32 → 32', flops: convFlops(), data: convData, ours: oursConv },
];

async function threadRows(single, threaded) {
  const rows = [];
  for (const w of threadWorkloads) {
    console.error(`${w.name}, threads ...`);
    const data = w.data(), one = w.ours(single, data), two = w.ours(threaded, data);
    const fns = { single: one.run, mt1: () => (threaded.setNumThreads(1), two.run()),
      mt2: () => (threaded.setNumThreads(2), two.run()) };
    if (maxAbsDiff(one.run(), fns.mt2()) !== 0) throw new Error(`${w.name}: 2 threads differ from the single-threaded build`);
    const t = await timeRotation(fns);
    one.free();
    two.free();
    rows.push({ workload: w.name, flops: w.flops, seconds: t.wall });
  }
  threaded.setNumThreads(1);
  return rows;
}

// ---- native context: our native build vs numpy (OpenBLAS), both on 1 thread ------------------------------------
function nativeSection() {
  if (!fs.existsSync(nativeBench)) return { note: `${nativeBench} missing: bash bench/run.sh (builds build/native-bench)` };
  const env = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  const ours = JSON.parse(execFileSync(nativeBench, [String(SAMPLE_SECONDS), CLOCK], { env, encoding: 'utf8' }));
  const py = `
import json, time, numpy as np
clock = time.process_time if '${CLOCK}' == 'cpu' else time.perf_counter
def med(fn, target=${SAMPLE_SECONDS}, samples=7):
    fn(); t0 = clock(); fn(); once = max(clock() - t0, 1e-7)
    reps = max(1, int(target / once)); out = []
    for _ in range(samples):
        t0 = clock()
        for _ in range(reps): fn()
        out.append((clock() - t0) / reps)
    return sorted(out)[len(out) // 2]
rng = np.random.default_rng(0); res = {}
for n in (128, 256, 512, 1024):
    a = rng.standard_normal((n, n), dtype=np.float32); b = rng.standard_normal((n, n), dtype=np.float32)
    res[str(n)] = med(lambda: a @ b)
import os
blas = os.path.realpath('/etc/alternatives/libblas.so.3-x86_64-linux-gnu')
print(json.dumps({"numpy": np.__version__, "blas": blas, "matmul": res}))`;
  let numpy = null;
  try {
    numpy = JSON.parse(execFileSync('/usr/bin/python3', ['-c', py], { env, encoding: 'utf8' }));
  } catch (e) {
    numpy = { error: String(e.message).split('\n')[0] };
  }
  return { ours, numpy };
}

// ---- report ---------------------------------------------------------------------------------------------------
const gflops = (flops, s) => (s == null ? '-' : (flops / s / 1e9).toFixed(1));

function markdown(r) {
  const lines = [];
  lines.push(`# Benchmark: wasm engine vs TF.js-wasm vs onnxruntime-web (1 thread each, one process)`, '');
  lines.push(`${r.date} · node ${r.node} · ${r.cpu} (${r.cores} cores, load average ${r.loadavg.map((x) => x.toFixed(1)).join(' ')}) · tfjs-backend-wasm ${r.versions.tfjs} · onnxruntime-web ${r.versions.ort} · our tile ${r.tile.mr}x${r.tile.nr} (${r.tile.arch})`, '');
  lines.push(`simd128 multiply+add ceiling on this machine (probe, median over rows): **${r.ceiling.toFixed(1)} GFLOP/s** per core (each row's % uses the probe timed in the same rotation).`, '');
  lines.push(`Median time per call (ms, ${r.clock === 'cpu' ? 'process CPU time: steadier than wall time on shared cores; wall-clock medians are in results.json' : 'wall clock'}), GFLOP/s, and our time / peer time (< 1 means we are faster).`, '');
  lines.push('| workload | ours ms | TF.js ms | ORT ms | ours GFLOP/s | TF.js GFLOP/s | ORT GFLOP/s | ours/TF.js | ours/ORT | ceiling GFLOP/s | ours % of ceiling |');
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const row of r.rows) {
    const s = row.seconds;
    lines.push(`| ${row.workload} | ${fmtMs(s.ours)} | ${fmtMs(s.tfjs)} | ${fmtMs(s.onnx)} | ${gflops(row.flops, s.ours)} | ${gflops(row.flops, s.tfjs)} | ${gflops(row.flops, s.onnx)} | ${ratio(s.ours, s.tfjs)} | ${ratio(s.ours, s.onnx)} | ${row.ceiling.toFixed(1)} | ${(100 * row.flops / s.ours / 1e9 / row.ceiling).toFixed(0)}% |`);
  }
  const conv = r.rows.find((row) => row.seconds.backward);
  if (conv) lines.push('', convTwoPassLine(conv.seconds), '', convBackwardLine(conv.seconds));
  lines.push('', '## The course\'s matmuls in wasm (module 15): the same arithmetic, different memory order', '');
  lines.push('| N | naive i-j-k ms | i-k-j ms | sgemm ms | naive GFLOP/s | i-k-j GFLOP/s | sgemm GFLOP/s | sgemm speed-up vs naive | vs i-k-j |');
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const row of r.rows.filter((x) => x.seconds.naive)) {
    const s = row.seconds;
    lines.push(`| ${row.workload.split(' ')[1]} | ${fmtMs(s.naive)} | ${fmtMs(s.ikj)} | ${fmtMs(s.ours)} | ${gflops(row.flops, s.naive)} | ${gflops(row.flops, s.ikj)} | ${gflops(row.flops, s.ours)} | ${(s.naive / s.ours).toFixed(1)}x | ${(s.ikj / s.ours).toFixed(1)}x |`);
  }
  lines.push(trainStepMarkdown(r.trainStep).trimEnd());
  if (r.threads) {
    lines.push('', '## Two threads (wall clock): the threaded build (pthreads, for cross-origin-isolated pages) on 1 and 2 threads', '');
    lines.push('Same results bit for bit as the single-threaded build (checked before timing). The peers above stay on 1 thread.', '');
    lines.push('| workload | single-threaded build ms | threaded build, 1 thread ms | 2 threads ms | 2-thread GFLOP/s | speed-up vs single-threaded build |');
    lines.push('|---|---:|---:|---:|---:|---:|');
    for (const row of r.threads) {
      const s = row.seconds;
      lines.push(`| ${row.workload} | ${fmtMs(s.single)} | ${fmtMs(s.mt1)} | ${fmtMs(s.mt2)} | ${gflops(row.flops, s.mt2)} | ${(s.single / s.mt2).toFixed(2)}x |`);
    }
  } else if (r.threadsNote) {
    lines.push('', `Two-thread section skipped: ${r.threadsNote}`);
  }
  if (r.relaxed || r.relaxedNote) lines.push(relaxedMarkdown(r.relaxed, r.relaxedNote));
  if (r.native?.ours) {
    const o = r.native.ours, np = r.native.numpy;
    lines.push('', `## Native, for context (1 thread): engine (${o.arch}, tile ${o.tile[0]}x${o.tile[1]}) vs numpy ${np?.numpy ?? ''} (BLAS: ${np?.blas ?? '?'})`, '');
    if (/\/blas\/libblas/.test(np?.blas ?? '')) lines.push('numpy here runs on the reference (netlib) BLAS, not OpenBLAS: install libopenblas0 for an optimised baseline.', '');
    lines.push('| N | engine GFLOP/s | numpy GFLOP/s | engine/numpy time | naive GFLOP/s | i-k-j GFLOP/s |');
    lines.push('|---|---:|---:|---:|---:|---:|');
    for (const m of o.matmul) {
      const f = 2 * m.n ** 3, npS = np?.matmul?.[String(m.n)];
      lines.push(`| ${m.n} | ${gflops(f, m.sgemm)} | ${gflops(f, npS)} | ${ratio(m.sgemm, npS)} | ${gflops(f, m.naive)} | ${gflops(f, m.ikj)} |`);
    }
    lines.push('', `Native MLP 784-128-10: ${o.mlp.map((m) => `batch ${m.batch} ${fmtMs(m.seconds)} ms`).join(', ')}.`);
  } else if (r.native?.note) {
    lines.push('', `Native section skipped: ${r.native.note}`);
  }
  return lines.join('\n') + '\n';
}

// The relaxed section alone (--relaxed-only: build/bench/relaxed.md / .json), or with everything (--no-relaxed skips).
async function relaxedSection(M) {
  if (args.has('--no-relaxed')) return { relaxedNote: '--no-relaxed' };
  if (!relaxedSimd()) return { relaxedNote: `node ${process.versions.node} has no working relaxed SIMD (f32x4.relaxed_madd, the int8 dot)` };
  return { relaxed: await relaxedRows(M, await loadOurs('tt_bench_relaxed')) };
}
const M = await loadOurs();
await loadPeers();
if (args.has('--relaxed-only')) {
  const r = { date: new Date().toISOString(), node: process.versions.node, loadavg: os.loadavg(), clock: CLOCK,
    versions: peerVersions(), ...(await relaxedSection(M)) };
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'relaxed.json'), JSON.stringify(r, null, 2));
  const md = `${r.date} · node ${r.node} · load average ${r.loadavg.map((x) => x.toFixed(1)).join(' ')} · tfjs-backend-wasm ${r.versions.tfjs} · clock: ${r.clock}\n` +
    relaxedMarkdown(r.relaxed, r.relaxedNote) + '\n';
  fs.writeFileSync(path.join(outDir, 'relaxed.md'), md);
  console.log(md);
  process.exit(0);
}
const tile = M.tile();
const versions = peerVersions();
const cpu = (fs.readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) ?? [, 'unknown cpu'])[1];
const probe = calibrateProbe(M);
const rows = [];
for (const n of [128, 256, 512, 1024]) {
  console.error(`matmul ${n} ...`);
  rows.push(await matmulRow(M, probe, n));
}
for (const batch of [1, 64]) {
  console.error(`mlp batch ${batch} ...`);
  rows.push(await mlpRow(M, probe, batch));
}
console.error('conv2d ...');
rows.push(await convRowWithProbe(M, probe));
const trainStep = await trainStepSection(M);
const ceiling = median(rows.map((r) => r.ceiling));
let threads = null, threadsNote = null;
if (args.has('--no-threads')) threadsNote = '--no-threads';
else if (os.cpus().length < 2) threadsNote = 'this machine has 1 core';
else threads = await threadRows(M, await loadOurs('tt_bench_mt'));
const relaxedResults = await relaxedSection(M);
const native = args.has('--no-native') ? null : (console.error('native ...'), nativeSection());
const results = { date: new Date().toISOString(), node: process.versions.node, cpu, loadavg: os.loadavg(), cores: os.cpus().length,
  clock: CLOCK, versions, tile, ceiling, rows, trainStep, threads, threadsNote, ...relaxedResults, native };
fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, 'results.json'), JSON.stringify(results, null, 2));
const md = markdown(results);
fs.writeFileSync(path.join(outDir, 'results.md'), md);
console.log(md);
console.error(`wrote ${path.join(outDir, 'results.json')} and results.md`);
