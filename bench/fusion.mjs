// Module 15's fusion table: each fused kernel of engine/kernels/fused.h against its unfused chain (the `_ref` twin:
// the same computation through the engine's unfused kernels), time and bytes moved, measured in one run on the
// wasm reference engine (tt_bench: kernel_profile.h's profileFusion) and natively (tt_bench_fusion, the same
// code), with the matmul GFLOP/s against the measured multiply+add ceiling. Peer: TF.js-wasm (1 thread) for the
// one chain it has both ways — matMul + bias + ReLU unfused (three ops) and as tf.fused.matMul — on the same shape
// and seeded data, in the same process. TF.js has no fused LayerNorm, cross entropy with its gradient, or
// attention kernel, so those rows have no peer.
//   node bench/fusion.mjs [--quick]   → stdout and build/bench/fusion.md
// Needs: build/native/bench/tt_bench_fusion (cmake --build build/native --target tt_bench_fusion) and/or
// build/wasm/bench/tt_bench.mjs (cmake --build build/wasm --target tt_bench); a missing one is reported, not fatal.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { QUICK, loadOurs, loadPeers, maxAbsDiff, median, outDir, randomArray, root, steadyStateWasm } from './common.mjs';

const REPEATS = QUICK ? 3 : 7;
const nativeBin = process.env.TT_BENCH_FUSION ?? path.join(root, 'build/native/bench/tt_bench_fusion');

function nativeRun() {
  if (!fs.existsSync(nativeBin)) return { note: `${nativeBin} missing: cmake --build build/native --target tt_bench_fusion` };
  return JSON.parse(execFileSync(nativeBin, ['1', String(REPEATS)], { encoding: 'utf8' }));
}

async function wasmRun() {
  let M;
  try { M = await loadOurs('tt_bench'); } catch (e) { return { note: e.message }; }
  if (typeof M.profileFusionRun !== 'function') return { note: 'tt_bench has no profileFusionRun: rebuild it' };
  return {
    matmul: JSON.parse(M.profileMatmulCsv('64,128,256,512', 512, REPEATS)),
    fusion: JSON.parse(M.profileFusionRun(1, REPEATS)),
  };
}

// The Linear + bias + ReLU row's shape (kernel_profile.cpp): x [64, 256] @ W^T, W [256, 256].
async function tfjsLinearRelu() {
  await loadPeers();
  const M = 64, K = 256, N = 256;
  const x = tf.tensor2d(randomArray(M * K, 1), [M, K]), wt = tf.tensor2d(randomArray(K * N, 2), [K, N]);
  const b = tf.tensor1d(randomArray(N, 3));
  const unfused = () => tf.tidy(() => tf.relu(tf.add(tf.matMul(x, wt), b)).dataSync());
  const fused = () => tf.tidy(() => tf.fused.matMul({ a: x, b: wt, bias: b, activation: 'relu' }).dataSync());
  const diff = maxAbsDiff(unfused(), fused());
  // This process's CPU time, as tt_bench_fusion's native clock (the machine is shared: wall time counts the others).
  const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
  const time = (fn) => {
    const samples = [];
    for (let s = 0; s < REPEATS; s++) {
      let reps = 0;
      const t0 = cpuMs();
      while (cpuMs() - t0 < 20) { fn(); reps++; }
      samples.push((cpuMs() - t0) / reps);
    }
    return median(samples);
  };
  const u = time(unfused), f = time(fused);
  tf.dispose([x, wt, b]);
  return { unfused_ms: u, fused_ms: f, speedup: u / f, max_abs_diff: diff };
}

const fmt = (ms) => (ms < 1 ? `${(ms * 1e3).toFixed(1)} µs` : `${ms.toFixed(2)} ms`);
const mib = (b) => `${(b / 1048576).toFixed(2)} MiB`;

function fusionTable(title, f) {
  const lines = [`### ${title}`, '', '| chain | shape | unfused | fused | speed-up | bytes unfused | bytes fused | fewer bytes | max abs diff |', '|---|---|---|---|---|---|---|---|---|'];
  for (const r of f.rows) lines.push(`| ${r.name} | ${r.shape} | ${fmt(r.unfused_ms)} | ${fmt(r.fused_ms)} | ${r.speedup.toFixed(2)}× | ${mib(r.unfused_bytes)} | ${mib(r.fused_bytes)} | ${r.bytes_ratio.toFixed(2)}× | ${r.max_abs_diff.toExponential(1)} |`);
  return lines;
}

function matmulTable(title, m) {
  const g = (x) => (x === undefined ? '-' : x.toFixed(2));
  const lines = [`### ${title} (${m.arch}, tile ${m.tile[0]}x${m.tile[1]}; measured multiply+add ceiling ${m.peak_gflops.toFixed(2)} GFLOP/s)`, '',
    '| n | naive GFLOP/s | i-k-j GFLOP/s | sgemm GFLOP/s | sgemm / ceiling | sgemm / naive |', '|---|---|---|---|---|---|'];
  for (const r of m.rows) lines.push(`| ${r.n} | ${g(r.naive_gflops)} | ${g(r.ikj_gflops)} | ${g(r.sgemm_gflops)} | ${((100 * r.sgemm_gflops) / m.peak_gflops).toFixed(0)} % | ${r.naive_gflops ? (r.sgemm_gflops / r.naive_gflops).toFixed(1) + '×' : '-'} |`);
  return lines;
}

steadyStateWasm();
const wasm = await wasmRun();
const native = nativeRun();
let peer;
try { peer = await tfjsLinearRelu(); } catch (e) { peer = { note: e.message }; }

const out = ['## Module 15: matmul steps and fusion', ''];
if (wasm.fusion) {
  out.push(...matmulTable('wasm reference engine, one core', wasm.matmul), '', ...fusionTable('Fusion, wasm reference engine', wasm.fusion), '');
} else out.push(`wasm section skipped: ${wasm.note}`, '');
if (peer.unfused_ms) {
  out.push('### Peer: TF.js-wasm (1 thread), matMul + bias + ReLU, 64x256 @ 256x256', '', '| chain | unfused (matMul, add, relu) | fused (tf.fused.matMul) | speed-up | max abs diff |', '|---|---|---|---|---|',
    `| linear + bias + ReLU | ${fmt(peer.unfused_ms)} | ${fmt(peer.fused_ms)} | ${peer.speedup.toFixed(2)}× | ${peer.max_abs_diff.toExponential(1)} |`, '');
} else out.push(`TF.js peer skipped: ${peer.note}`, '');
if (native.fusion) {
  out.push(...matmulTable('native engine, one core', native.matmul), '', ...fusionTable('Fusion, native engine', native.fusion), '');
} else out.push(`native section skipped: ${native.note}`, '');
const text = out.join('\n');
console.log(text);
fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, 'fusion.md'), text + '\n');
fs.writeFileSync(path.join(outDir, 'fusion.json'), JSON.stringify({ wasm, native, peer }, null, 2));
