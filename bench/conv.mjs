// The conv row of bench/run.mjs, and alone (issue 13's speed goal for Module 10's conv):
//   node bench/conv.mjs [--quick] [--clock=wall]   (after cmake --build build/wasm --target tt_bench tt_bench_relaxed)
// conv2d 3x3 'same' + bias + ReLU on a batch of 64 RGB 32x32 images, 3 → 32 channels: ours (tt_bench's conv2dRelu),
// TF.js-wasm (fused conv2d + bias + relu) and onnxruntime-web (Conv + Relu), results cross-checked, then timed in
// one rotation with our backward of the same layer (with dx, and without: a first layer needs no dx). TF.js-wasm
// has no Conv2DBackpropFilter kernel, so the backward is compared with our own forward (goal: within 2.5x).
// Alone it also times the relaxed-SIMD build's forward (tt_bench_relaxed: the same kernel on f32x4.relaxed_madd) in the
// same rotation, where node validates relaxed SIMD, and writes build/bench/conv.md and conv.json.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import * as ort from 'onnxruntime-web';
import * as tf from '@tensorflow/tfjs-core';
import { relaxedSimd } from '../web/js/engine.mjs';
import { convReluModel } from './onnx.mjs';
import { CLOCK, fmtMs, loadOurs, loadPeers, maxAbsDiff, outDir, peerVersions, randomArray, ratio, steadyStateWasm,
  timeRotation } from './common.mjs';

export const CONV = { N: 64, C: 3, H: 32, W: 32, OC: 32, KS: 3, pad: 1 };
export const convData = () => {
  const { N, C, H, W, OC, KS } = CONV;
  return [randomArray(N * C * H * W, 21), randomArray(OC * C * KS * KS, 22).map((v) => v * 0.3),
    randomArray(OC, 23).map((v) => v * 0.1)];
};
function heapArray(M, data) {
  const ptr = M._malloc(data.length * 4);
  M.HEAPF32.set(data, ptr >> 2);
  return { ptr, read: () => M.HEAPF32.slice(ptr >> 2, (ptr >> 2) + data.length) };
}
// Our forward on data copied into M's heap: { run (→ the output as a Float32Array), buffers, free }. fused: the
// engine's conv2d_forward with the bias and ReLU in its registers (for this layer, K = 27, the direct kernel of
// conv_direct.h); false: the conv, then a ReLU pass (nn.Conv2d then nn.ReLU, two ops); 'gemm': im2col + conv_gemm,
// the route of every shape the direct kernel does not take; 'sgemm': the engine's conv before issue 13 (im2col,
// sgemm, a bias pass, a ReLU pass), for before/after.
export const oursConv = (M, data, fused = true) => {
  const { N, C, H, W, OC, KS, pad } = CONV;
  const buffers = [...data, new Float32Array(N * OC * H * W)].map((d) => heapArray(M, d));
  const [X, Wt, B, Y] = buffers.map((b) => b.ptr);
  return {
    run: () => {
      if (fused === 'sgemm') M.conv2dReluSgemm(N, C, H, W, OC, KS, pad, X, Wt, B, Y);
      else if (fused === 'gemm') M.conv2dReluGemm(N, C, H, W, OC, KS, pad, X, Wt, B, Y);
      else M.conv2dRelu(N, C, H, W, OC, KS, pad, X, Wt, B, Y, fused);
      return buffers[3].read();
    },
    buffers,
    free: () => { for (const b of buffers) M._free(b.ptr); },
  };
};
// Our backward from a seeded dy: { withDx, withoutDx, free } (gradients stay in the heap: nothing to copy out).
function oursConvBackward(M, [x, w]) {
  const { N, C, H, W, OC, KS, pad } = CONV;
  const buffers = [x, w, randomArray(N * OC * H * W, 24), new Float32Array(x.length), new Float32Array(w.length),
    new Float32Array(OC)].map((d) => heapArray(M, d));
  const [X, Wt, DY, DX, DW, DB] = buffers.map((b) => b.ptr);
  return {
    withDx: () => M.conv2dBackward(N, C, H, W, OC, KS, pad, X, Wt, DY, DX, DW, DB),
    withoutDx: () => M.conv2dBackward(N, C, H, W, OC, KS, pad, X, Wt, DY, 0, DW, DB),
    free: () => { for (const b of buffers) M._free(b.ptr); },
  };
}
export const convFlops = () => 2 * CONV.N * CONV.OC * CONV.H * CONV.W * CONV.C * CONV.KS * CONV.KS;

// Each engine in its own layout (ours and ORT NCHW; TF.js NHWC with HWIO filters, converted once, outside the
// timing). extra: more functions timed in the same rotation (run.mjs's ceiling probe).
export async function convRow(M, extra = {}) {
  const { N, C, H, W, OC, KS, pad } = CONV;
  const [x, w, b] = convData(), us = oursConv(M, [x, w, b]), ours = us.run, back = oursConvBackward(M, [x, w]);
  const twoPass = oursConv(M, [x, w, b], false), before = oursConv(M, [x, w, b], 'sgemm');
  const gemm = oursConv(M, [x, w, b], 'gemm');
  // NCHW → NHWC and OIHW → HWIO, by index
  const xNhwc = new Float32Array(x.length), wHwio = new Float32Array(w.length);
  for (let n = 0; n < N; ++n) for (let c = 0; c < C; ++c) for (let i = 0; i < H * W; ++i)
    xNhwc[(n * H * W + i) * C + c] = x[(n * C + c) * H * W + i];
  for (let o = 0; o < OC; ++o) for (let c = 0; c < C; ++c) for (let k = 0; k < KS * KS; ++k)
    wHwio[(k * C + c) * OC + o] = w[(o * C + c) * KS * KS + k];
  const tx = tf.tensor4d(xNhwc, [N, H, W, C]), tw = tf.tensor4d(wHwio, [KS, KS, C, OC]), tb = tf.tensor1d(b);
  const session = await ort.InferenceSession.create(convReluModel([N, C, H, W], w, b, OC, KS, pad),
    { executionProviders: ['wasm'] });
  const feeds = { x: new ort.Tensor('float32', x, [N, C, H, W]) };

  const tfjs = () => {
    const y = tf.fused.conv2d({ x: tx, filter: tw, strides: 1, pad: 'same', bias: tb, activation: 'relu' });
    const out = y.dataSync();
    y.dispose();
    return out;
  };
  const onnx = async () => (await session.run(feeds)).y.data;
  const check = ours(), fromTf = tfjs(), tfNchw = new Float32Array(check.length);
  for (let n = 0; n < N; ++n) for (let o = 0; o < OC; ++o) for (let i = 0; i < H * W; ++i)
    tfNchw[(n * OC + o) * H * W + i] = fromTf[(n * H * W + i) * OC + o];
  const diffs = [maxAbsDiff(check, tfNchw), maxAbsDiff(check, await onnx())];
  if (maxAbsDiff(check, twoPass.run()) !== 0) throw new Error('conv2d: the fused ReLU differs from the ReLU pass');
  if (maxAbsDiff(check, before.run()) !== 0) throw new Error('conv2d: the forward differs from im2col + sgemm');
  if (maxAbsDiff(check, gemm.run()) !== 0) throw new Error('conv2d: the forward differs from im2col + conv_gemm');
  if (!(Math.max(...diffs) <= 1e-4)) throw new Error(`conv2d: results disagree (vs TF.js, ORT): ${diffs}`);

  const t = await timeRotation({ ours, oursTwoPass: twoPass.run, oursSgemm: before.run, oursGemm: gemm.run, tfjs, onnx, backward: back.withDx, backwardNoDx: back.withoutDx, ...extra });
  tx.dispose(); tw.dispose(); tb.dispose(); await session.release();
  us.free();
  twoPass.free();
  before.free();
  gemm.free();
  back.free();
  return { workload: `conv2d 64x3x32x32 → 32, 3x3 same + ReLU`, flops: convFlops(), seconds: { ...t },
    wallSeconds: t.wall };
}

// One line for the unfused forward and one for the backward.
export const convTwoPassLine = (s) => `conv2d then a ReLU pass (nn.Conv2d, nn.ReLU: two ops, ours): ` +
  `${fmtMs(s.oursTwoPass)} ms = ${ratio(s.oursTwoPass, s.tfjs)}x TF.js's time (fused: ${ratio(s.ours, s.tfjs)}x). ` +
  `im2col + conv_gemm (the route of shapes the direct kernel does not take): ${fmtMs(s.oursGemm)} ms = ` +
  `${ratio(s.oursGemm, s.tfjs)}x. Before issue 13 (im2col, sgemm, a bias pass, a ReLU pass): ${fmtMs(s.oursSgemm)} ` +
  `ms = ${ratio(s.oursSgemm, s.tfjs)}x.`;
// The backward: ms with and without dx, each as a multiple of our forward's time.
export const convBackwardLine = (s) => `conv2d backward (same layer, ours; TF.js-wasm has no Conv2DBackpropFilter): ` +
  `with dx ${fmtMs(s.backward)} ms = ${ratio(s.backward, s.ours)}x our forward, without dx ${fmtMs(s.backwardNoDx)} ms = ` +
  `${ratio(s.backwardNoDx, s.ours)}x (goal: <= 2.5x).`;

// The relaxed build's forward on the same data, for convRow's rotation: checked against the simd128 build first
// (fused multiply-adds round once where simd128 rounds twice: differences in the last bits only).
async function relaxedConv(M) {
  if (!relaxedSimd()) return { extra: {}, note: `node ${process.versions.node} has no working relaxed SIMD` };
  const R = await loadOurs('tt_bench_relaxed'), data = convData();
  const simd = oursConv(M, data), relaxed = oursConv(R, data), diff = maxAbsDiff(simd.run(), relaxed.run());
  simd.free();
  if (!(diff <= 1e-4)) throw new Error(`conv2d: the relaxed build differs from simd128 by ${diff}`);
  return { extra: { relaxed: relaxed.run }, diff };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  steadyStateWasm();
  v8.setFlagsFromString('--experimental-wasm-relaxed-simd');  // node 20: behind a flag (before any wasm compiles)
  const M = await loadOurs();
  await loadPeers();
  const relaxed = await relaxedConv(M);
  const row = await convRow(M, relaxed.extra);
  const r = { date: new Date().toISOString(), node: process.versions.node, loadavg: os.loadavg(), clock: CLOCK,
    versions: peerVersions(), row };
  const s = row.seconds, gf = (sec) => (row.flops / sec / 1e9).toFixed(1);
  const md = [`${r.date} · node ${r.node} · load average ${r.loadavg.map((v) => v.toFixed(2)).join(' ')} · ` +
    `tfjs-backend-wasm ${r.versions.tfjs} · onnxruntime-web ${r.versions.ort} · clock: ${r.clock}`, '',
  '| workload | ours ms | TF.js ms | ORT ms | ours GFLOP/s | TF.js GFLOP/s | ours/TF.js | ours/ORT |',
  '|---|---:|---:|---:|---:|---:|---:|---:|',
  `| ${row.workload} | ${fmtMs(s.ours)} | ${fmtMs(s.tfjs)} | ${fmtMs(s.onnx)} | ${gf(s.ours)} | ${gf(s.tfjs)} | ` +
    `${ratio(s.ours, s.tfjs)} | ${ratio(s.ours, s.onnx)} |`, '', convTwoPassLine(s), '', convBackwardLine(s), '',
  s.relaxed ? `Relaxed-SIMD build (tt_bench_relaxed: the same kernel on f32x4.relaxed_madd, max |diff| vs simd128 ` +
    `${relaxed.diff.toExponential(1)}): ${fmtMs(s.relaxed)} ms = ${ratio(s.relaxed, s.tfjs)}x TF.js's time, ` +
    `${gf(s.relaxed)} GFLOP/s.` : `Relaxed-SIMD build: not run (${relaxed.note}).`, ''].join('\n');
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'conv.json'), JSON.stringify(r, null, 2));
  fs.writeFileSync(path.join(outDir, 'conv.md'), md);
  console.log(md);
}
