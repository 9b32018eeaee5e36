// Module 16: "int8 accuracies equal native vs wasm". The MNIST MLP and the Fashion CNN are quantized (int8 per channel
// with calibrated inputs, int4 linears) in the wasm engine (CompressionLab, engine/bindings/compression.cpp) and
// evaluated on their cards' test images; the native build does the same from the same bytes
// (build/native/bench/tt_compression_native), and also evaluates the very file the wasm engine wrote (`tt evaluate`,
// the leaderboard's evaluator). Integer GEMMs and the same float epilogue: the correct counts must be equal — equal,
// not close — and the files the same size. int8-u7 (inputs over 0..127) also runs in tt_web_relaxed, on the relaxed
// int8 dot: the same counts again. Needs the native build (tt, tt_compression_native) beside build/wasm.
import v8 from 'node:v8';
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadEngine } from './load-engine.mjs';

const root = path.resolve(import.meta.dirname, '../..');
const datasets = path.join(root, 'build/datasets');
const native = path.join(root, 'build/native');
const models = [
  { name: 'mnist-mlp', task: 'mnist' },
  { name: 'fashion-cnn', task: 'fashion-mnist' },
];
const forms = ['int8', 'int8-u7', 'int4'];
// tt_web_relaxed: relaxed SIMD is behind a flag in node 20, and its baseline tier gets the int8 dot wrong
// (tests/node/relaxed-simd.test.mjs): both set before any module is compiled.
v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
v8.setFlagsFromString('--no-liftoff');

test('int8 and int4 test accuracies of the MLP and the CNN are equal in wasm and natively', async () => {
  const compressionNative = path.join(native, 'bench/tt_compression_native'), tt = path.join(native, 'tt');
  for (const exe of [compressionNative, tt])
    assert.ok(fs.existsSync(exe), `${exe} is not built (cmake --build build/native --target tt tt_compression_native)`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tt-compression-'));
  try {
    // seconds per timing sample ~0: only the counts matter here
    const nativeDoc = JSON.parse(execFileSync(compressionNative, [path.join(root, 'assets'), datasets, tmp, '0.0001',
      forms.join(',')], { encoding: 'utf8', maxBuffer: 1 << 26 }));
    const M = await loadEngine(), R = await loadEngine({ relaxed: true });
    assert.equal(typeof M.CompressionLab, 'function', 'the wasm engine has no CompressionLab');
    assert.equal(R.qgemmU7Relaxed(), true, 'tt_web_relaxed runs int8-u7 on the relaxed int8 dot');
    for (const m of models) {
      const card = JSON.parse(fs.readFileSync(path.join(root, 'assets', `${m.name}.json`), 'utf8'));
      const set = card.data.dataset;
      const testFile = path.join(datasets, `${set}-test.ttds`);
      const train = fs.readFileSync(path.join(datasets, `${set}-train.ttds`));
      const count = train.readUInt32LE(8);  // "TTDS", version, N: calibration = the last 512 training images
      const args = [card.architecture, fs.readFileSync(path.join(root, 'assets', `${m.name}.safetensors`)),
        fs.readFileSync(testFile), `${set}-test.ttds`, card.test_count, train, count - 512, 512];
      const lab = new M.CompressionLab(...args), relaxedLab = new R.CompressionLab(...args);
      try {
        const nativeRows = nativeDoc.models.find((x) => x.name === m.name).rows;
        for (const form of forms) {
          const w = JSON.parse(lab.measure(form, 0.0001));
          const n = nativeRows.find((r) => r.form === form);
          const what = `${m.name} ${form}`;
          assert.equal(w.count, card.test_count, what);
          assert.equal(n.count, card.test_count, what);
          assert.ok(w.correct > 0.8 * w.count, `${what}: ${w.correct} / ${w.count} correct in wasm is not a trained model`);
          assert.equal(w.correct, n.correct, `${what}: ${w.correct} correct in wasm, ${n.correct} natively`);
          assert.equal(w.bytes, n.bytes, `${what}: file size`);
          // the file the wasm engine wrote, evaluated natively by the leaderboard's evaluator on the same images
          const file = path.join(tmp, `${m.name}-${form}.safetensors`);
          fs.writeFileSync(file, lab.file(form));
          const out = JSON.parse(execFileSync(tt, ['evaluate', '--task', m.task, '--model', file, '--data', testFile,
            '--public-count', String(card.test_count)], { encoding: 'utf8' }));
          assert.equal(out.public.count, card.test_count, what);
          assert.equal(out.public.correct, w.correct, `${what}: the wasm-made file scores ${out.public.correct} natively`);
        }
        const u7 = JSON.parse(relaxedLab.measure('int8-u7', 0.0001));
        assert.equal(u7.correct, nativeRows.find((r) => r.form === 'int8-u7').correct,
          `${m.name} int8-u7 on the relaxed int8 dot (tt_web_relaxed): ${u7.correct} correct, natively the same?`);
      } finally {
        lab.delete();
        relaxedLab.delete();
      }
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
