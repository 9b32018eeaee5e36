// The lesson pages' systems panels (web/js/course/systems.mjs) against the real reference engine: the numbers
// they print are the engine's own (a view allocates 0 bytes, a copy n² floats, the MLP has 101,770 parameters),
// and they free every tensor they make.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { loadEngine } from './load-engine.mjs';
import { measureSystems } from '../../web/js/course/systems.mjs';

const M = await loadEngine();
const live = () => (M.liveTensors ? M.liveTensors() : 0);
const cell = (report, t, row, col) => report.tables[t].rows[row][col];

test('01: the environment and format_bytes rows come from the engine', async () => {
  const r = await measureSystems(M, '01');
  const env = M.environment();
  assert.equal(cell(r, 0, 1, 1), env.simdArch);
  assert.equal(cell(r, 0, 2, 1), String(env.simdWidth));
  assert.deepEqual(r.tables[1].rows.map((row) => row[2]),
    ['4 B', '3.06 KiB', '179.44 MiB', '2.25 MiB', '473.02 MiB']);
});

test('02: a transposed view allocates 0 B, its contiguous copy n*n floats; matmul rows count 2n^3 FLOPs', async () => {
  const before = live();
  const r = await measureSystems(M, '02');
  assert.ok(r.tables, r.note);
  assert.deepEqual(r.tables[0].rows.map((row) => [row[0], row[1], row[2]]),
    [['64×64', '0 B', '16.00 KiB'], ['256×256', '0 B', '256.00 KiB'], ['1024×1024', '0 B', '4.00 MiB']]);
  assert.equal(cell(r, 1, 0, 1), M.formatFlops(2 * 32 ** 3));
  for (const row of r.tables[1].rows) assert.ok(Number(row[4]) > 0, `GFLOP/s of ${row[0]}`);
  assert.equal(live(), before, 'every tensor made for the panel is deleted');
});

test('03: every activation is timed on the same tensor', async () => {
  const before = live();
  const r = await measureSystems(M, '03');
  assert.ok(r.tables, r.note);
  assert.deepEqual(r.tables[0].rows.map((row) => row[0]),
    ['ReLU', 'Sigmoid', 'Tanh', 'GELU (erf)', 'Softmax (last axis)', 'LogSoftmax (last axis)']);
  for (const row of r.tables[0].rows) assert.ok(Number(row[2]) > 0, row[0]);
  assert.equal(live(), before);
});

test('04: the 784-128-10 MLP has 101,770 parameters, 397.54 KiB of values', async () => {
  const r = await measureSystems(M, '04');
  assert.ok(r.tables, r.note);
  assert.equal(cell(r, 0, 0, 1), '101,770');
  assert.equal(cell(r, 0, 1, 1), M.formatBytes(101770 * 4));
  assert.equal(cell(r, 0, 3, 1), M.formatBytes(101770 * 16));
  assert.match(r.pre, /0\.weight/);
});

test('05: Linear forward FLOPs are 2 * batch * 784 * 128', async () => {
  const before = live();
  const r = await measureSystems(M, '05');
  assert.ok(r.tables, r.note);
  assert.deepEqual(r.tables[0].rows.map((row) => row[0]), ['1', '16', '64', '256']);
  assert.equal(cell(r, 0, 2, 1), M.formatFlops(2 * 64 * 784 * 128));
  assert.equal(live(), before);
});

test('06: the loader panel reports the engine\'s own wait/compute split, batch counts and uint8-vs-float bytes', async () => {
  const before = live();
  const r = await measureSystems(M, '06');
  assert.ok(r.tables, r.note);
  assert.deepEqual(r.tables[0].rows.map((row) => row[1]), ['16', '16', '16'], '1,024 images in batches of 64');
  assert.deepEqual(r.tables[1].rows.map((row) => [row[0], row[1]]), [['1', '1024'], ['16', '64'], ['64', '16'], ['256', '4']]);
  assert.equal(cell(r, 1, 2, 4), M.formatBytes(64 * 3 * 32 * 32 * 4));
  assert.deepEqual(r.tables[2].rows[0].slice(1), [M.formatBytes(50000 * 3072), M.formatBytes(50000 * 3072 * 4)]);
  const one = JSON.parse(M.loaderBenchmark({ samples: 10, channels: 1, height: 2, width: 2, batchSize: 4, computeMs: 1 }));
  assert.equal(one.batches, 3);
  assert.equal(one.storedBytesPerSample, 4);
  assert.equal(one.floatBytesPerSample, 16);
  assert.ok(one.computeMs >= 2 * 0.99, `two gaps between three batches of a 1 ms step: ${one.computeMs}`);
  assert.throws(() => M.loaderBenchmark({ batchSize: 0 }), /batchSize = 0/);
  assert.equal(live(), before);
});

test('a module without measurements, or an engine without the bindings, says so instead of inventing numbers', async () => {
  assert.match((await measureSystems(M, '09')).note, /no live measurements yet/);
  const bare = { environment: M.environment, formatBytes: M.formatBytes };
  for (const id of ['02', '03', '04', '05', '06']) {
    const r = await measureSystems(bare, id);
    assert.equal(r.tables, undefined);
    assert.match(r.note, /does not expose .* to JavaScript yet/);
  }
});

test('one panel file per module (systems/NN.mjs), each reached through a literal import', async () => {
  const dir = new URL('../../web/js/course/systems/', import.meta.url);
  const ids = fs.readdirSync(dir).filter((f) => /^\d\d\.mjs$/.test(f)).map((f) => f.slice(0, 2)).sort();
  for (const id of ['01', '02', '03', '04', '05', '06']) assert.ok(ids.includes(id), `systems/${id}.mjs`);
  const index = fs.readFileSync(new URL('../systems.mjs', dir), 'utf8');
  const specifiers = [...index.matchAll(/import\(([^)]*)\)/g)].map((m) => m[1]);
  assert.deepEqual(specifiers, ids.map((id) => `'./systems/${id}.mjs'`), 'every dynamic import names its file literally');
  const bare = { environment: M.environment, formatBytes: M.formatBytes };
  for (const id of ids) {
    const { measure } = await import(new URL(`${id}.mjs`, dir).href);
    assert.equal(typeof measure, 'function', id);
    assert.doesNotMatch((await measureSystems(bare, id)).note ?? '', /no live measurements yet/, id);
  }
});

// Modules 11 and 12 (systems/11.mjs, 12.mjs, engine/bindings/text.cpp): measured on the course text (every lesson.md).
test('11: byte-level BPE with no merges has one token per byte; more merges, fewer tokens; tables are V*256 floats', async () => {
  const { courseCorpus } = await import('../../web/js/course/systems/corpus.mjs');
  const corpus = await courseCorpus();
  const r = JSON.parse(M.tokenizerReport(corpus));
  assert.equal(r.corpus.bytes, Buffer.byteLength(corpus, 'utf8'));
  const [chars, ...bpe] = r.rows;
  assert.equal(chars.tokenizer, 'char');
  assert.equal(chars.tokens, r.corpus.chars, 'one token per character');
  assert.equal(bpe[0].vocab, 260);
  assert.equal(bpe[0].tokens, r.corpus.bytes, 'bytes only: one token per byte');
  for (let i = 1; i < bpe.length; i++) {
    assert.ok(bpe[i].vocab > bpe[i - 1].vocab);
    assert.ok(bpe[i].tokens < bpe[i - 1].tokens, `vocab ${bpe[i].vocab} encodes shorter than ${bpe[i - 1].vocab}`);
  }
  for (const row of r.rows) {
    assert.equal(row.table_bytes, row.vocab * 256 * 4);
    assert.ok(row.tokens_per_s > 0);
  }
  const panel = await measureSystems(M, '11');
  assert.ok(panel.tables, panel.note);
  assert.deepEqual(panel.tables[0].rows.map((row) => row[1]), r.rows.map((row) => row.tokens.toLocaleString('en')));
});

test('12: table bytes are V * C * 4; one batch touches at most its 512 tokens worth of rows', async () => {
  const before = live();
  const panel = await measureSystems(M, '12');
  assert.ok(panel.tables, panel.note);
  const [tables, lookups, sparsity] = panel.tables;
  assert.deepEqual(tables.rows.find((row) => row[0] === '8,192'), ['8,192', ...[64, 256, 768].map((C) => M.formatBytes(8192 * C * 4))]);
  assert.equal(lookups.rows.length, 3);
  assert.ok(sparsity.rows.length >= 1);
  for (const row of sparsity.rows) {
    const touched = Number(row[1]);
    assert.ok(touched > 1 && touched <= 512, row.join(' '));
    assert.ok(touched <= Number(row[0].replace(/,/g, '')));
  }
  assert.equal(live(), before);
});
