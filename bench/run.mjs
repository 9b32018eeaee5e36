// One process, one machine, the same work: our wasm engine vs TensorFlow.js (wasm backend, SIMD, 1 thread) vs
// onnxruntime-web (wasm, 1 thread), plus this machine's simd128 multiply+add ceiling, the course's naive and
// loop-reordered matmuls, and (for context) the native engine vs numpy/OpenBLAS.
//
//   node bench/run.mjs            (after building tt_bench: cmake --build build/wasm --target tt_bench, and
//                                  tt_bench_native: bash bench/run.sh (builds build/native-bench))
//   bash bench/run.sh             builds both, then runs this
// Options: --quick (fewer samples), --no-native, --clock=wall (default: process CPU time, see timeRotation). Writes build/bench/results.json and build/bench/results.md.
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
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-web';
import * as tf from '@tensorflow/tfjs-core';
import { matmulModel } from './onnx.mjs';
import { CLOCK, SAMPLE_SECONDS, args, fmtMs, loadPeers, maxAbsDiff, median, mlpPeers, outDir, peerVersions,
  randomArray, ratio, root, steadyStateWasm, timeRotation, wallSeconds } from './common.mjs';

steadyStateWasm();  // before any wasm is compiled
const wasmDir = process.env.TT_BENCH_DIR ?? path.join(root, 'build/wasm/bench');
const nativeBench = process.env.TT_BENCH_NATIVE ?? path.join(root, 'build/native-bench/bench/tt_bench_native');

// ---- engines ------------------------------------------------------------------------------------------------
async function loadOurs() {
  const js = path.join(wasmDir, 'tt_bench.mjs');
  if (!fs.existsSync(js)) throw new Error(`${js} is missing: cmake --build build/wasm --target tt_bench (or bash bench/run.sh)`);
  globalThis.require ??= createRequire(import.meta.url);
  globalThis.__dirname ??= wasmDir;
  const { default: createBench } = await import(pathToFileURL(js).href);
  return createBench({ wasmBinary: fs.readFileSync(path.join(wasmDir, 'tt_bench.wasm')) });
}

// Our heap buffers: allocate, copy in, view (views are re-made: memory growth detaches them).
function heapArray(M, data) {
  const ptr = M._malloc(data.length * 4);
  M.HEAPF32.set(data, ptr >> 2);
  return { ptr, length: data.length, read: () => M.HEAPF32.slice(ptr >> 2, (ptr >> 2) + data.length) };
}

// ---- the workloads --------------------------------------------------------------------------------------------
// The ceiling probe runs inside every row's rotation, so each row's "% of ceiling" compares with what the machine
// gave at that same moment (the cores are shared: absolute numbers drift, same-moment ratios much less).
let probeIters = 0;
function calibrateProbe(M) {
  const ring = M._malloc(512 * 4);
  M.HEAPF32.set(randomArray(512, 99).map((v) => 1 + 0.5 * v), ring >> 2);
  probeIters = 1000;
  M.simdPeak(probeIters, ring);
  for (;;) {  // grow until one call takes ~20 ms
    const t0 = wallSeconds();
    M.simdPeak(probeIters, ring);
    if (wallSeconds() - t0 > 0.02) break;
    probeIters *= 2;
  }
  return () => M.simdPeak(probeIters, ring);
}
const probeGflops = (M, seconds) => (M.simdPeakFlopsPerIteration() * probeIters) / seconds / 1e9;

async function matmulRow(M, probe, n) {
  const a = randomArray(n * n, 1 + n), b = randomArray(n * n, 2 + n);
  const A = heapArray(M, a), B = heapArray(M, b), C = heapArray(M, new Float32Array(n * n));
  const ta = tf.tensor2d(a, [n, n]), tb = tf.tensor2d(b, [n, n]);
  const session = await ort.InferenceSession.create(matmulModel(n, n, n), { executionProviders: ['wasm'] });
  const feeds = { A: new ort.Tensor('float32', a, [n, n]), B: new ort.Tensor('float32', b, [n, n]) };

  const ours = () => { M.sgemm(false, false, n, n, n, 1, A.ptr, n, B.ptr, n, 0, C.ptr, n); return C.read(); };
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
  for (const p of [A, B, C]) M._free(p.ptr);
  return { workload: `matmul ${n}`, flops: 2 * n ** 3, ceiling: probeGflops(M, t.probe), seconds: { ...t, naive, ikj },
    wallSeconds: t.wall };
}

async function mlpRow(M, probe, batch) {
  const [nIn, nHidden, nOut] = [784, 128, 10];
  const w1 = randomArray(nHidden * nIn, 11).map((v) => v * 0.05), b1 = randomArray(nHidden, 12);
  const w2 = randomArray(nOut * nHidden, 13).map((v) => v * 0.1), b2 = randomArray(nOut, 14);
  const x = randomArray(batch * nIn, 15 + batch);
  const [X, W1, B1, W2, B2] = [x, w1, b1, w2, b2].map((d) => heapArray(M, d));
  const H = heapArray(M, new Float32Array(batch * nHidden)), Y = heapArray(M, new Float32Array(batch * nOut));
  const { tfjs, onnx, release } = await mlpPeers(batch, x, w1, b1, w2, b2);

  const ours = () => {
    M.mlpForward(batch, nIn, nHidden, nOut, X.ptr, W1.ptr, B1.ptr, W2.ptr, B2.ptr, H.ptr, Y.ptr);
    return Y.read();
  };
  const check = ours();
  const diffs = [maxAbsDiff(check, tfjs()), maxAbsDiff(check, await onnx())];
  if (!(Math.max(...diffs) <= 1e-3)) throw new Error(`mlp batch ${batch}: results disagree (vs TF.js, ORT): ${diffs}`);

  const t = await timeRotation({ ours, tfjs, onnx, probe });
  await release();
  for (const p of [X, W1, B1, W2, B2, H, Y]) M._free(p.ptr);
  return { workload: `MLP 784-128-10 batch ${batch}`, flops: 2 * batch * (nIn * nHidden + nHidden * nOut),
    ceiling: probeGflops(M, t.probe), seconds: { ...t }, wallSeconds: t.wall };
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
  lines.push('', '## The course\'s matmuls in wasm (module 15): the same arithmetic, different memory order', '');
  lines.push('| N | naive i-j-k ms | i-k-j ms | sgemm ms | naive GFLOP/s | i-k-j GFLOP/s | sgemm GFLOP/s | sgemm speed-up vs naive | vs i-k-j |');
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const row of r.rows.filter((x) => x.seconds.naive)) {
    const s = row.seconds;
    lines.push(`| ${row.workload.split(' ')[1]} | ${fmtMs(s.naive)} | ${fmtMs(s.ikj)} | ${fmtMs(s.ours)} | ${gflops(row.flops, s.naive)} | ${gflops(row.flops, s.ikj)} | ${gflops(row.flops, s.ours)} | ${(s.naive / s.ours).toFixed(1)}x | ${(s.ikj / s.ours).toFixed(1)}x |`);
  }
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

const M = await loadOurs();
await loadPeers();
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
const ceiling = median(rows.map((r) => r.ceiling));
const native = args.has('--no-native') ? null : (console.error('native ...'), nativeSection());
const results = { date: new Date().toISOString(), node: process.versions.node, cpu, loadavg: os.loadavg(), cores: os.cpus().length,
  clock: CLOCK, versions, tile, ceiling, rows, native };
fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, 'results.json'), JSON.stringify(results, null, 2));
const md = markdown(results);
fs.writeFileSync(path.join(outDir, 'results.md'), md);
console.log(md);
console.error(`wrote ${path.join(outDir, 'results.json')} and results.md`);
