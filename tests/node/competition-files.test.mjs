// Milestone 4 turns whatever model a student has into the leaderboard's submission file in the page, without the
// engine (web/js/milestones/competition/safetensors.mjs, models.mjs). Checked here against a hand-built file, the
// shipped assets read by Python's json/struct (an independent reader), and the engine in node loading what the page
// wrote (when the wasm engine is built).
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { parseSafetensors, writeSafetensors, withPrefix, bytesByDtype } from '../../web/js/milestones/competition/safetensors.mjs';
import { classifierFile, fromTrainingCheckpoint, fromGptCheckpoint, fromFile } from '../../web/js/milestones/competition/models.mjs';

const repo = path.resolve(import.meta.dirname, '../..');
const f32 = (...values) => new Uint8Array(new Float32Array(values).buffer);

test('a hand-built file: header length, padding to 8, metadata, tensor bytes where the header says', () => {
  const bytes = writeSafetensors({ metadata: { 'tt.arch': 'flatten linear:2:1' },
    tensors: new Map([['b', { dtype: 'F32', shape: [1], data: f32(0.5) }], ['a', { dtype: 'I8', shape: [2], data: new Uint8Array([255, 7]) }]]) });
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.equal(n % 8, 0);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  assert.deepEqual(header, { __metadata__: { 'tt.arch': 'flatten linear:2:1' },
    a: { dtype: 'I8', shape: [2], data_offsets: [0, 2] }, b: { dtype: 'F32', shape: [1], data_offsets: [2, 6] } });
  assert.deepEqual([...bytes.subarray(8 + n)], [255, 7, 0, 0, 0, 63]);  // 0.5f = 0x3f000000, little-endian
  const back = parseSafetensors(bytes);
  assert.deepEqual(back.metadata, { 'tt.arch': 'flatten linear:2:1' });
  assert.deepEqual([...back.tensors.keys()], ['a', 'b']);
  assert.deepEqual(new Float32Array(back.tensors.get('b').data.slice().buffer)[0], 0.5);
  assert.deepEqual(bytesByDtype(back.tensors), { I8: 2, F32: 4 });
});

test('bad files are refused with what is wrong', () => {
  assert.throws(() => parseSafetensors(new Uint8Array(5), 'x.safetensors'), /x.safetensors: 5 bytes, too short/);
  const good = writeSafetensors({ tensors: { w: { dtype: 'F32', shape: [2], data: f32(1, 2) } } });
  assert.throws(() => parseSafetensors(good.subarray(0, good.length - 1), 'cut.safetensors'), /cut.safetensors: tensor 'w' has data_offsets \[0,8\] outside the 7 data bytes/);
  const lying = new Uint8Array(good);
  new DataView(lying.buffer).setBigUint64(0, 1000n, true);
  assert.throws(() => parseSafetensors(lying, 'big.safetensors'), /not a safetensors file \(header of 1000 bytes/);
  const text = new TextEncoder().encode('{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}');
  const wrong = new Uint8Array(8 + text.length + 8);
  new DataView(wrong.buffer).setBigUint64(0, BigInt(text.length), true);
  wrong.set(text, 8);
  assert.throws(() => parseSafetensors(wrong, 'w.safetensors'), /tensor 'w' \(F32 \[3\]\) has 8 bytes, expected 12/);
});

test('the shipped assets parse as Python reads them, and a rewrite keeps every tensor byte', () => {
  for (const name of ['mnist-mlp', 'fashion-cnn', 'tinygpt']) {
    const file = path.join(repo, 'assets', `${name}.safetensors`);
    const python = JSON.parse(execFileSync('python3', ['-c', `
import json, struct, sys, hashlib
b = open(sys.argv[1], 'rb').read(); n = struct.unpack('<Q', b[:8])[0]; h = json.loads(b[8:8 + n])
meta = h.pop('__metadata__', {})
print(json.dumps({'meta': meta, 'tensors': {k: [v['dtype'], v['shape'], hashlib.sha256(b[8 + n + v['data_offsets'][0]:8 + n + v['data_offsets'][1]]).hexdigest()] for k, v in h.items()}}))
`, file], { encoding: 'utf8' }));
    const ours = parseSafetensors(new Uint8Array(fs.readFileSync(file)), name);
    assert.deepEqual(ours.metadata, python.meta, name);
    assert.deepEqual(Object.keys(python.tensors).sort(), [...ours.tensors.keys()].sort(), name);
    const again = parseSafetensors(writeSafetensors(ours));
    for (const [k, [dtype, shape]] of Object.entries(python.tensors)) {
      assert.deepEqual([again.tensors.get(k).dtype, again.tensors.get(k).shape], [dtype, shape], `${name} ${k}`);
      assert.equal(Buffer.compare(again.tensors.get(k).data, ours.tensors.get(k).data), 0, `${name} ${k} bytes`);
    }
  }
});

test('a milestone-2 checkpoint becomes weights + tt.arch + tt.normalization; optimizer state and counters are dropped', () => {
  const checkpoint = writeSafetensors({ tensors: new Map([
    ['model.1.weight', { dtype: 'F32', shape: [1, 2], data: f32(1, -2) }], ['model.1.bias', { dtype: 'F32', shape: [1], data: f32(3) }],
    ['optim.state.0.momentum_buffer', { dtype: 'F32', shape: [1, 2], data: f32(9, 9) }], ['meta.step', { dtype: 'F32', shape: [4], data: f32(5, 0, 0, 0) }],
    ['norm.mean', { dtype: 'F32', shape: [1], data: f32(0.25) }], ['norm.std', { dtype: 'F32', shape: [1], data: f32(0.5) }]]) });
  const out = parseSafetensors(fromTrainingCheckpoint({ checkpoint, setup: { architecture: 'flatten linear:2:1' } }));
  assert.deepEqual([...out.tensors.keys()], ['1.bias', '1.weight']);
  assert.deepEqual([...new Float32Array(out.tensors.get('1.weight').data.slice().buffer)], [1, -2]);
  assert.deepEqual(out.metadata, { 'tt.arch': 'flatten linear:2:1', 'tt.normalization': '{"mean":[0.25],"std":[0.5]}' });
  assert.throws(() => fromTrainingCheckpoint({ checkpoint: writeSafetensors({ tensors: {} }), setup: { architecture: 'x' } }), /no norm.mean/);
});

test('a TinyGPT checkpoint keeps its model part and its tt.gpt / tt.vocab; a file without tt.arch needs one typed', () => {
  const bytes = writeSafetensors({ metadata: { 'tt.gpt': '{"n_layer":1}', 'tt.vocab': '"ab"', 'tt.train': '{}' },
    tensors: { 'model.wte.weight': { dtype: 'F32', shape: [1], data: f32(1) }, 'optim.state.0.exp_avg': { dtype: 'F32', shape: [1], data: f32(2) } } });
  const out = parseSafetensors(fromGptCheckpoint({ bytes }));
  assert.deepEqual(out.metadata, { 'tt.gpt': '{"n_layer":1}', 'tt.vocab': '"ab"' });
  assert.deepEqual([...withPrefix(out.tensors, '').keys()], ['wte.weight']);
  const plain = writeSafetensors({ tensors: { '1.weight': { dtype: 'F32', shape: [1, 1], data: f32(1) } } });
  assert.throws(() => fromFile(plain, 'mine.safetensors'), /mine.safetensors has no "tt.arch" metadata/);
  const typed = fromFile(plain, 'mine.safetensors', ' flatten linear:1:1 ');
  assert.equal(parseSafetensors(typed.bytes).metadata['tt.arch'], 'flatten linear:1:1');
  assert.equal(fromFile(classifierFile(new Map(), { arch: 'a' }), 'f').arch, 'a');
});

test('the engine loads the submission file the page writes from the MNIST asset', { skip: !fs.existsSync(path.join(process.env.TT_ENGINE_DIR ?? path.join(repo, 'build/wasm'), 'tt_web.mjs')) && 'the wasm engine is not built' }, async () => {
  const { loadEngine } = await import('./load-engine.mjs');
  const M = await loadEngine();
  const card = JSON.parse(fs.readFileSync(path.join(repo, 'assets/mnist-mlp.json'), 'utf8'));
  const asset = new Uint8Array(fs.readFileSync(path.join(repo, 'assets/mnist-mlp.safetensors')));
  const file = classifierFile(parseSafetensors(asset).tensors, { arch: card.architecture });
  assert.equal(parseSafetensors(file).metadata['tt.arch'], card.architecture);
  const a = new M.Classifier(card.architecture, card.input_shape, asset, 'asset');
  const b = new M.Classifier(card.architecture, card.input_shape, file, 'submission');
  const x = new Float32Array(784).map((_, i) => (i % 17) / 17);
  assert.deepEqual(Array.from(b.predict(x, 1)), Array.from(a.predict(x, 1)));
  assert.equal(b.parameterCount(), card.parameters);
  a.delete();
  b.delete();
});

test('where a submission stands on a board, and how the pages write the numbers', async () => {
  const { placeOnBoard } = await import('../../web/js/milestones/competition/submit-panel.mjs');
  const { formatMetric, formatBytes, scoreOf } = await import('../../web/js/milestones/competition/format.mjs');
  const board = {
    entries: [{ rank: 1, id: 'a', name: 'Ada', accuracy: 0.97 }, { rank: 2, id: 'b', name: 'Bo', accuracy: 0.9 }],
    unranked: [{ id: 'c', name: 'Cy', violations: ['median batch-1 latency 150.00 ms is over the limit of 100 ms'] }],
  };
  assert.deepEqual(placeOnBoard(board, 'b', 'Bo'), { rank: 2, entry: board.entries[1] });
  assert.deepEqual(placeOnBoard(board, 'c', 'Cy'), { unranked: board.unranked[0].violations, entry: board.unranked[0] });
  assert.deepEqual(placeOnBoard(board, 'older', 'Ada'), { bestRank: 1, bestId: 'a' }, 'a worse submission of a ranked name');
  assert.deepEqual(placeOnBoard(board, 'x', 'Nobody'), {});
  assert.equal(formatMetric(0.9635, 'accuracy'), '96.35%');
  assert.equal(formatMetric(2.0456, 'bitsPerChar'), '2.046');
  assert.equal(formatMetric(undefined, 'accuracy'), '—');
  assert.equal(formatBytes(407368), '397.8 KB');
  assert.equal(formatBytes(10 * 1024 * 1024), '10.00 MB');
  assert.equal(scoreOf({ accuracy: 0.9, privateAccuracy: 0.8 }, 'accuracy', true), 0.8, 'a final board ranks by the private part');
  assert.equal(scoreOf({ accuracy: 0.9, privateAccuracy: 0.8 }, 'accuracy', false), 0.9);
});
