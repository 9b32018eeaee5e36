// The systems panel of module 15 (web/js/course/systems/15.mjs) against the real reference engine: the matmul rows
// are measured at the sizes it asks for and ordered as the lesson says (sgemm faster than i-k-j, both below the
// measured ceiling's 100 %), the fusion table's byte counts are the formulas of engine/kernels/kernel_profile.cpp,
// and every number is measured (the panel does not fall back to its "not exposed" note).
import test from 'node:test';
import assert from 'node:assert/strict';
import { loadEngine } from './load-engine.mjs';
import { measureSystems } from '../../web/js/course/systems.mjs';

const M = await loadEngine();

test('15: matmul GFLOP/s at 64, 128, 256 under the ceiling; fusion rows with their bytes moved', async () => {
  const r = await measureSystems(M, '15');
  assert.ok(r.tables, r.note);
  const [matmul, fusion] = r.tables;
  assert.deepEqual(matmul.rows.map((row) => row[0]), ['64 × 64 × 64', '128 × 128 × 128', '256 × 256 × 256']);
  const last = matmul.rows[2].map((x) => parseFloat(x));
  assert.ok(last[3] > last[1], `sgemm ${last[3]} vs naive ${last[1]} GFLOP/s at 256`);
  assert.ok(last[4] > 0 && last[4] < 150, `sgemm at ${last[4]} % of the measured ceiling`);
  assert.deepEqual(fusion.rows.map((row) => row[0]), ['linear + bias + ReLU', 'linear + bias + GELU',
    'softmax + cross entropy, forward + backward', 'LayerNorm', 'attention (one causal head)']);
  // LayerNorm 512 x 256: 13 RC + 8 R + 2 C floats unfused, 2 RC + 2 C fused
  const ln = fusion.rows[3];
  assert.equal(ln[5], M.formatBytes(4 * (13 * 512 * 256 + 8 * 512 + 2 * 256)));
  assert.equal(ln[6], M.formatBytes(4 * (2 * 512 * 256 + 2 * 256)));
  for (const row of fusion.rows) assert.ok(parseFloat(row[4]) > 0, `${row[0]}: speed-up ${row[4]}`);
});
