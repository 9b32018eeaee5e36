// The peer of module 16's table: onnxruntime-web (wasm, one thread, in Node) running the MNIST MLP in fp32 (Gemm)
// and with int8 weights (DynamicQuantizeLinear + MatMulInteger, onnx.mjs: mlpInt8Model) — the weights quantized
// per output channel exactly as the engine does (symmetric, max|w| / 127, ties to even). Accuracy on the same test
// images and the latency at batch 1 and 64 (CPU clock, timeRotation). Used by compression.mjs.
import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-web';
import { loadPeers, timeRotation, peerVersions } from './common.mjs';
import { mlpInt8Model, mlpModel } from './onnx.mjs';

function readSafetensors(file) {
  const b = fs.readFileSync(file);
  const n = Number(b.readBigUInt64LE(0));
  const header = JSON.parse(b.subarray(8, 8 + n).toString('utf8'));
  const out = {};
  for (const [name, e] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const [begin, end] = e.data_offsets;
    out[name] = new Float32Array(b.buffer.slice(b.byteOffset + 8 + n + begin, b.byteOffset + 8 + n + end));
  }
  return out;
}

const roundHalfEven = (v) => {
  const f = Math.floor(v), rest = v - f;
  return rest > 0.5 ? f + 1 : rest < 0.5 ? f : (f % 2 === 0 ? f : f + 1);
};

// W [out, in] float -> {q: Int8Array [in, out], scale: Float32Array [out]}
function quantizeColumns(w, nOut) {
  const nIn = w.length / nOut, q = new Int8Array(w.length), scale = new Float32Array(nOut);
  for (let o = 0; o < nOut; ++o) {
    let a = 0;
    for (let i = 0; i < nIn; ++i) a = Math.max(a, Math.abs(w[o * nIn + i]));
    scale[o] = a > 0 ? Math.fround(a / 127) : 1;
    for (let i = 0; i < nIn; ++i)
      q[i * nOut + o] = Math.max(-128, Math.min(127, roundHalfEven(Math.fround(w[o * nIn + i] / scale[o]))));
  }
  return { q, scale };
}

export async function ortMlpRows(root, datasets, testCount) {
  await loadPeers();
  const sd = readSafetensors(path.join(root, 'assets/mnist-mlp.safetensors'));
  const [w1, b1, w2, b2] = [sd['1.weight'], sd['1.bias'], sd['3.weight'], sd['3.bias']];
  const l1 = { ...quantizeColumns(w1, b1.length), bias: b1 }, l2 = { ...quantizeColumns(w2, b2.length), bias: b2 };
  const sessions = {
    fp32: await ort.InferenceSession.create(mlpModel('batch', w1, b1, w2, b2, [784, b1.length, b2.length]), { executionProviders: ['wasm'] }),
    int8: await ort.InferenceSession.create(mlpInt8Model([l1, l2]), { executionProviders: ['wasm'] }),
  };
  const t = fs.readFileSync(path.join(datasets, 'mnist-test.ttds'));
  const n = t.readUInt32LE(8), size = 784, labels = t.subarray(32, 32 + n), pixels = t.subarray(32 + n);
  const batchOf = (start, count) => {
    const x = new Float32Array(count * size);
    for (let i = 0; i < x.length; ++i) x[i] = pixels[start * size + i] / 255;
    return new ort.Tensor('float32', x, [count, size]);
  };
  const rows = [];
  for (const [form, session] of Object.entries(sessions)) {
    let correct = 0;
    for (let s = 0; s < testCount; s += 256) {
      const count = Math.min(256, testCount - s);
      const y = (await session.run({ x: batchOf(s, count) })).y.data;
      for (let i = 0; i < count; ++i) {
        let best = 0;
        for (let k = 1; k < 10; ++k) if (y[i * 10 + k] > y[i * 10 + best]) best = k;
        correct += best === labels[s + i] ? 1 : 0;
      }
    }
    const x1 = { x: batchOf(0, 1) }, x64 = { x: batchOf(0, 64) };
    const times = await timeRotation({ b1: () => session.run(x1), b64: () => session.run(x64) });
    rows.push({ form, correct, count: testCount, ms_b1: times.b1 * 1e3, ms_b64: times.b64 * 1e3 });
    await session.release();
  }
  return { version: peerVersions().ort, rows };
}
