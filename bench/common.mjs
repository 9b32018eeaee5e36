// What the benchmark scripts share (run.mjs, mlp-latency.mjs): options, the peer engines (TF.js-wasm and
// onnxruntime-web, 1 thread), seeded inputs, the rotation timer, and the table's number formats.
// Options (process.argv): --quick (fewer, shorter samples), --clock=wall (default: process CPU time).
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import { pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-web';
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { mlpModel } from './onnx.mjs';
import { emscriptenRequire, releaseWorkers } from '../tests/node/load-engine.mjs';

export const root = path.resolve(import.meta.dirname, '..');
export const nodeModules = path.join(root, 'node_modules');
export const outDir = path.join(root, 'build/bench');

export const args = new Set(process.argv.slice(2));
export const QUICK = args.has('--quick');
export const SAMPLES = QUICK ? 5 : 11;
export const SAMPLE_SECONDS = QUICK ? 0.03 : 0.05;

// Steady state only: compile every wasm function with the optimising tier (TurboFan) up front. By default V8
// starts on its baseline compiler (Liftoff) and re-compiles hot functions in the background; on a loaded machine
// that can take longer than the warm-up, and a big module (onnxruntime's) was then timed half-baseline.
export const steadyStateWasm = () => v8.setFlagsFromString('--no-liftoff');

// ---- ours: the Embind bench module (bench_module.cpp) ---------------------------------------------------------
export const wasmDir = process.env.TT_BENCH_DIR ?? path.join(root, 'build/wasm/bench');
export async function loadOurs(name = 'tt_bench') {
  const js = path.join(wasmDir, `${name}.mjs`);
  if (!fs.existsSync(js)) throw new Error(`${js} is missing: cmake --build build/wasm --target ${name} (or bash bench/run.sh)`);
  globalThis.require ??= emscriptenRequire();
  globalThis.__dirname ??= wasmDir;
  const { default: createBench } = await import(pathToFileURL(js).href);
  const M = await createBench({ wasmBinary: fs.readFileSync(path.join(wasmDir, `${name}.wasm`)) });
  releaseWorkers();
  return M;
}

// ---- peers -------------------------------------------------------------------------------------------------
export async function loadPeers() {
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.simd = true;
  ort.env.wasm.wasmPaths = path.join(nodeModules, 'onnxruntime-web/dist') + '/';
  setWasmPaths(path.join(nodeModules, '@tensorflow/tfjs-backend-wasm/dist') + '/');
  setThreadsCount(1);
  await tf.setBackend('wasm');
  await tf.ready();
  if (!tf.env().getBool('WASM_HAS_SIMD_SUPPORT')) throw new Error('TF.js wasm backend loaded without SIMD');
}


// The MLP (Linear-ReLU-Linear, weights [out, in] as in PyTorch) on the peers, for input x (batch rows).
// Returns {tfjs, onnx, release}: each call returns the logits as a Float32Array.
export async function mlpPeers(batch, x, w1, b1, w2, b2) {
  const [nHidden, nOut] = [b1.length, b2.length], nIn = w1.length / nHidden;
  const tx = tf.tensor2d(x, [batch, nIn]), tw1 = tf.tensor2d(w1, [nHidden, nIn]), tb1 = tf.tensor1d(b1);
  const tw2 = tf.tensor2d(w2, [nOut, nHidden]), tb2 = tf.tensor1d(b2);
  // TF.js keeps dense kernels as [in, out] (tf.layers.dense), so the weights are transposed once, up front.
  // (Also: tfjs-backend-wasm 4.22's fused matMul with transposeB: true returned wrong values here for K >= 64.)
  const tw1t = tf.transpose(tw1), tw2t = tf.transpose(tw2);
  const session = await ort.InferenceSession.create(mlpModel(batch, w1, b1, w2, b2, [nIn, nHidden, nOut]),
    { executionProviders: ['wasm'] });
  const feeds = { x: new ort.Tensor('float32', x, [batch, nIn]) };
  const tfjs = () => {
    const y = tf.tidy(() => {
      const h = tf.fused.matMul({ a: tx, b: tw1t, bias: tb1, activation: 'relu' });
      return tf.fused.matMul({ a: h, b: tw2t, bias: tb2 });
    });
    const out = y.dataSync();
    y.dispose();
    return out;
  };
  const onnx = async () => (await session.run(feeds)).y.data;
  const release = async () => {
    for (const t of [tx, tw1, tb1, tw2, tb2, tw1t, tw2t]) t.dispose();
    await session.release();
  };
  return { tfjs, onnx, release };
}

export const peerVersions = () => ({
  tfjs: JSON.parse(fs.readFileSync(path.join(nodeModules, '@tensorflow/tfjs-backend-wasm/package.json'))).version,
  ort: JSON.parse(fs.readFileSync(path.join(nodeModules, 'onnxruntime-web/package.json'))).version,
});

// ---- number formats ---------------------------------------------------------------------------------------------
export const fmtMs = (s) => (s == null ? '-' : (s * 1e3).toFixed(s < 1e-3 ? 3 : 2));
export const ratio = (a, b) => (a == null || b == null ? '-' : (a / b).toFixed(2));

// ---- inputs and timing ----------------------------------------------------------------------------------------
export function randomArray(n, seed) {  // mulberry32, uniform in [-1, 1)
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; ++i) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

export const wallSeconds = () => performance.now() / 1000;
const cpuSeconds = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
// The table's clock. Default: this process's CPU time. Everything here runs on one thread, so on an idle machine it
// equals wall time; on a shared, loaded one (other jobs on the same cores) it leaves out the time the process sat
// descheduled, which is what makes wall-clock numbers jump by 2x from run to run. Wall medians are kept too.
export const CLOCK = args.has('--clock=wall') ? 'wall' : 'cpu';
const nowSeconds = CLOCK === 'wall' ? wallSeconds : cpuSeconds;
export const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

// fns: {name: () => value | Promise}. Returns {name: median seconds per call (table clock)} and, in .wall, the
// wall-clock medians.
export async function timeRotation(fns, samples = SAMPLES) {
  const names = Object.keys(fns);
  const reps = {};
  for (const name of names) {  // warm-up (V8 tiers hot wasm up to TurboFan), then size the samples
    for (let i = 0; i < 3; ++i) await fns[name]();
    const t0 = wallSeconds();
    await fns[name]();
    reps[name] = Math.max(1, Math.round(SAMPLE_SECONDS / Math.max(wallSeconds() - t0, 1e-6)));
  }
  const perCall = Object.fromEntries(names.map((n) => [n, []]));
  const perCallWall = Object.fromEntries(names.map((n) => [n, []]));
  for (let s = 0; s < samples; ++s)
    for (const name of names) {
      const fn = fns[name], r = reps[name];
      const w0 = wallSeconds(), t0 = nowSeconds();
      for (let i = 0; i < r; ++i) await fn();
      perCall[name].push((nowSeconds() - t0) / r);
      perCallWall[name].push((wallSeconds() - w0) / r);
    }
  const out = Object.fromEntries(names.map((n) => [n, median(perCall[n])]));
  Object.defineProperty(out, 'wall', { value: Object.fromEntries(names.map((n) => [n, median(perCallWall[n])])) });
  return out;
}

export function maxAbsDiff(a, b) {
  let m = 0;
  for (let i = 0; i < a.length; ++i) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

