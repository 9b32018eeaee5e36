// The TinyGPT page's comparison measurements (web/js/milestones/tinygpt/compare-measure.mjs) against hand-worked
// answers and the reference engine: receptive fields, character classes, the first-layer filters of a safetensors
// file, and the GPT's per-position predictions and per-class tallies on a text.
import test from 'node:test';
import assert from 'node:assert/strict';
import { loadEngine } from './load-engine.mjs';
import { receptiveField, charClass, firstFilters, gptLearned } from '../../web/js/milestones/tinygpt/compare-measure.mjs';
import { writeSafetensors } from '../../web/js/milestones/competition/safetensors.mjs';

test('receptive field: r += (k - 1) * j, pooling multiplies the stride product j', () => {
  // Fashion CNN: conv3 → 3; pool2 → 4 (j = 2); conv3 → 4 + 2 * 2 = 8; pool2 → 8 + 1 * 2 = 10 (j = 4)
  assert.deepEqual(receptiveField('conv:1:16:3:1 relu maxpool:2 conv:16:32:3:1 relu maxpool:2 flatten linear:1568:64 relu linear:64:10')
    .map((r) => r.pixels), [3, 4, 8, 10]);
  // a 5x5 after two pools: 1 + 1 = 2 (j 2), + 1 * 2 = 4 (j 4), + 4 * 4 = 20
  assert.deepEqual(receptiveField('maxpool:2 avgpool:2 conv:1:4:5:2').map((r) => r.pixels), [2, 4, 20]);
  assert.deepEqual(receptiveField('flatten linear:784:10'), []);
});

test('character classes', () => {
  const cases = { a: 'lowercase', z: 'lowercase', é: 'lowercase', A: 'uppercase', ' ': 'space', '\n': 'newline',
                  7: 'digit', '.': 'punctuation', '"': 'punctuation', '£': 'punctuation', '-': 'punctuation' };
  for (const [ch, want] of Object.entries(cases)) assert.equal(charClass(ch), want, JSON.stringify(ch));
});

test('first-layer filters: the lowest-indexed 4-D weight, as float32; none without a convolution', () => {
  const f32 = (values) => new Uint8Array(new Float32Array(values).buffer);
  const w0 = Array.from({ length: 2 * 1 * 2 * 2 }, (_, i) => i / 8 - 0.5);
  const file = writeSafetensors({ tensors: {
    '10.weight': { dtype: 'F32', shape: [1, 1, 1, 1], data: f32([9]) },
    '2.weight': { dtype: 'F32', shape: [2, 1, 2, 2], data: f32(w0) },
    '2.bias': { dtype: 'F32', shape: [2], data: f32([1, 2]) },
    '5.weight': { dtype: 'F32', shape: [3, 4], data: f32(new Array(12).fill(1)) } } });
  const f = firstFilters(file, 'test.safetensors');
  assert.equal(f.name, '2.weight');
  assert.deepEqual(f.shape, [2, 1, 2, 2]);
  assert.deepEqual([...f.data], w0);
  const mlp = writeSafetensors({ tensors: { '0.weight': { dtype: 'F32', shape: [2, 2], data: f32([1, 2, 3, 4]) } } });
  assert.equal(firstFilters(mlp, 'mlp.safetensors'), null);
});

test('GPT: each prediction is the greedy next character of the same context; tallies per class add up', async () => {
  const M = await loadEngine();
  const vocab = ' .Tabehst';
  const gpt = M.TinyGPT.create(JSON.stringify({ block_size: 8, n_layer: 1, n_head: 2, n_embd: 16, tie_weights: true }), vocab, 5);
  try {
    const text = 'The bat sat. The hat sets. ' + 'xyz' + 'The best bats. ';  // x y z are not in the vocabulary: dropped
    const kept = [...text].filter((c) => vocab.includes(c)).join('');
    const g = gptLearned(gpt, text, 12);
    assert.equal(g.positions, 12);
    assert.equal(g.context, 8);
    assert.equal(g.text, kept.slice(-20));
    for (let i = 0; i < 12; i++) {
      const want = gpt.generate(g.text.slice(i, i + 8), 1, JSON.stringify({ temperature: 0, useCache: false })).slice(-1);
      assert.equal(g.predicted[i], want, `position ${i}`);
    }
    const targets = [...kept.slice(-12)];
    const count = (cls) => targets.filter((c) => charClass(c) === cls).length;
    let total = 0;
    for (const cls of g.classes) {
      assert.equal(g.byClass[cls].count, count(cls), cls);
      assert.equal(g.byClass[cls].correct, targets.filter((c, i) => charClass(c) === cls && g.predicted[i] === c).length, cls);
      total += g.byClass[cls].count;
    }
    assert.equal(total, 12);
    assert.deepEqual([g.attentionDistance.length, g.attentionDistance[0].length, g.attentionWindow], [1, 2, 8]);
    assert.equal(g.uniformDistance, 7 / 4);
    assert.throws(() => gptLearned(gpt, 'The bat', 4), /the evaluation text has 7 characters, the model's context needs 9/);
  } finally {
    gpt.delete();
  }
});
