// Module 17's systems panel (web/js/course/systems/17.mjs) against the real reference engine: the KV-cache bytes
// agree with 2 * L * max_len * C * 4, the cache makes generation faster than rerunning the prefix, batches fill as the
// load grows, bf16 halves the stored bytes and ends near fp32's loss. (Under Node the panel cannot
// fetch datasets/mnist-test.ttds, so its ensemble table is replaced by a note; the engine side of ensembles is
// checked by tests/engine/test_17_competition.cpp.)
import test from 'node:test';
import assert from 'node:assert/strict';
import { loadEngine } from './load-engine.mjs';
import { measureSystems } from '../../web/js/course/systems.mjs';

const M = await loadEngine();

test('17: KV-cache memory by the formula, cached generation faster, batching and bf16 measured', async () => {
  const r = await measureSystems(M, '17');
  assert.ok(r.tables, r.note);
  const [memory, speed, batching, mixed] = r.tables;
  assert.deepEqual(memory.rows.map((row) => row[0]), ['64', '256', '1,024']);
  for (const row of memory.rows) {
    const n = Number(row[0].replace(/,/g, ''));
    assert.equal(row[1], M.formatBytes(2 * n * 128 * 4), `per layer at ${n}`);
    assert.equal(row[2], M.formatBytes(4 * 2 * n * 128 * 4), `all layers at ${n}`);
  }
  assert.deepEqual(speed.rows.map((row) => row[0]), ['32', '128']);
  assert.ok(parseFloat(speed.rows[1][4]) > 1, `cache / none at 128 tokens: ${speed.rows[1][4]}`);
  assert.equal(batching.rows.length, 5);
  // Batches fill as the load grows; at the lowest load a batched request waits (up to max_wait) for company that
  // one-at-a-time serving does not wait for. (Which one keeps up at the highest load depends on the machine.)
  const [first, last] = [batching.rows[0], batching.rows[4]];
  assert.ok(parseFloat(last[3]) > parseFloat(first[3]), `mean batch ${first[3]} at 200 req/s, ${last[3]} at 12,000`);
  const ms = (cell) => { const p50 = cell.split(' / ')[0]; return parseFloat(p50) * (p50.endsWith('µs') ? 1e-3 : p50.endsWith('ns') ? 1e-6 : 1); };
  assert.ok(ms(first[1]) > ms(first[4]), `p50 at 200 req/s: batched ${first[1]}, one at a time ${first[4]}`);
  const [fp32, bf16] = mixed.rows;
  assert.equal(fp32[3], M.formatBytes((32 * 256 + 256 + 256 * 10 + 10) * 4));
  assert.equal(bf16[3], M.formatBytes((32 * 256 + 256 + 256 * 10 + 10) * 2));
  assert.equal(bf16[6], M.formatBytes((32 * 256 + 256 + 256 * 10 + 10) * 4));
  assert.ok(Math.abs(parseFloat(fp32[1]) - parseFloat(bf16[1])) < 0.05, `final loss fp32 ${fp32[1]}, bf16 ${bf16[1]}`);
});
