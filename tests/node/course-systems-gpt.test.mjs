// The systems panels of modules 13 and 14 (web/js/course/systems/13.mjs, 14.mjs) against the real reference engine:
// the byte and parameter counts they print are the engine's own and agree with the formulas, the KV cache makes
// decoding faster, and every number is measured (no panel falls back to its "not exposed" note).
import test from 'node:test';
import assert from 'node:assert/strict';
import { loadEngine } from './load-engine.mjs';
import { measureSystems } from '../../web/js/course/systems.mjs';

const M = await loadEngine();

test('13: attention rows for T = 32 .. 512 with one [4, T, T] score matrix each; the cache speeds decoding up', async () => {
  const r = await measureSystems(M, '13');
  assert.ok(r.tables, r.note);
  const [attention, decoding] = r.tables;
  assert.deepEqual(attention.rows.map((row) => row[0]), ['32', '64', '128', '256', '512']);
  for (const row of attention.rows) assert.equal(row[5], M.formatBytes(4 * Number(row[0]) ** 2 * 4), `T = ${row[0]}`);
  assert.deepEqual(decoding.rows.map((row) => row[0]), ['16', '64', '192']);
  // 2 blocks x (k, v) x 4 heads x (n + 1) positions x 16 features x 4 bytes
  assert.equal(decoding.rows[2][4], M.formatBytes(2 * 2 * 4 * 193 * 16 * 4));
  assert.ok(parseFloat(decoding.rows[2][3]) > 1, `speedup at 192 tokens: ${decoding.rows[2][3]}`);
});

test('14: the GPT parameters by component add up to the formula; training is measured', async () => {
  const r = await measureSystems(M, '14');
  assert.ok(r.tables, r.note);
  const [parts, training] = r.tables;
  const C = 128, V = 65, T = 64, L = 4;
  const block = 12 * C * C + 13 * C;  // attention 4C^2 + 4C, MLP 8C^2 + 5C, two norms 4C
  const count = (name) => parts.rows.find((row) => row[0] === name)?.[1];
  assert.equal(count('wte'), (V * C).toLocaleString('en'));
  assert.equal(count('wpe'), (T * C).toLocaleString('en'));
  assert.equal(count('blocks: attn'), (L * (4 * C * C + 4 * C)).toLocaleString('en'));
  assert.equal(count('total (tied head)'), (V * C + T * C + L * block + 2 * C).toLocaleString('en'));
  assert.equal(count('total (untied head)'), (2 * V * C + T * C + L * block + 2 * C).toLocaleString('en'));
  assert.equal(training.rows[0][0], '4 × 64');
  assert.ok(Number(training.rows[0][2].replace(/,/g, '')) > 0);
});
