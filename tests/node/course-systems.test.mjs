// The lesson pages' systems panels (web/js/course/systems.mjs) against the real reference engine: the numbers
// they print are the engine's own (a view allocates 0 bytes, a copy n² floats, the MLP has 101,770 parameters,
// a graph saves what its layers keep for backward), and they free every tensor they make.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { loadEngine } from './load-engine.mjs';
import { measureSystems } from '../../web/js/course/systems.mjs';
import { CNN, MLP } from '../../web/js/course/systems/measure.mjs';

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

// Modules 07-09 measure with one engine call each (bindings/autograd.cpp); the tests call it too, to check the
// numbers against what the networks must save, hold and write — each derived here from the layer shapes.
const B = 64;
const floats = (n) => 4 * n;
const MLP_WEIGHTS = 784 * 256 + 256 * 128 + 128 * 10, MLP_PARAMS = MLP_WEIGHTS + 256 + 128 + 10;
const CNN_PARAMS = 16 * 9 + 16 + 32 * 16 * 9 + 32 + 1568 * 64 + 64 + 64 * 10 + 10;

test('the panels measure the Fashion-MNIST CNN of the model card, and networks of the stated sizes', () => {
  const card = JSON.parse(fs.readFileSync(new URL('../../assets/fashion-cnn.json', import.meta.url), 'utf8'));
  assert.equal(CNN.architecture, card.architecture);
  assert.equal(card.parameters, CNN_PARAMS);
  assert.equal(JSON.parse(M.autogradGraphReport(MLP.architecture, MLP.inputShape, 2)).parameters, MLP_PARAMS);
});

test('07: nodes and bytes saved are what each layer keeps; checkpointing the body keeps only its input, same gradients', async () => {
  const before = live();
  const mlp = JSON.parse(M.autogradGraphReport(MLP.architecture, MLP.inputShape, B));
  const cnn = JSON.parse(M.autogradGraphReport(CNN.architecture, CNN.inputShape, B));
  assert.equal(live(), before, 'the report frees its tensors');
  const [mlpPlain, mlpCkpt] = mlp.runs, [cnnPlain, cnnCkpt] = cnn.runs;
  // MLP: 3 linear (each saves its input and weight), 2 relu (their input), cross_entropy (logits, target).
  // The flatten of an input that needs no gradient records nothing.
  assert.equal(mlpPlain.nodes, 6);
  assert.equal(mlpPlain.saved_tensors, 10);
  const mlpActs = floats(B * (784 + 2 * 256 + 2 * 128 + 10 + 1));
  assert.equal(mlpPlain.activation_bytes, mlpActs);
  assert.equal(mlpPlain.saved_bytes, mlpActs + floats(MLP_WEIGHTS));
  assert.equal(mlp.parameter_bytes, floats(MLP_PARAMS));
  // Checkpointed, the hidden layers as one segment: checkpoint (saves the input), the last linear, cross_entropy.
  assert.deepEqual(mlp.segments, ['flatten linear:784:256 relu linear:256:128 relu']);
  assert.equal(mlpCkpt.nodes, 3);
  assert.equal(mlpCkpt.activation_bytes, floats(B * (784 + 128 + 10 + 1)));
  // CNN: conv saves its input, relu its input, max_pool only indices (not a tensor); flatten is a node now.
  assert.equal(cnnPlain.nodes, 11);
  assert.equal(cnnPlain.activation_bytes, floats(B * (784 + 16 * 784 + 16 * 196 + 32 * 196 + 1568 + 64 + 64 + 10 + 1)));
  // Each conv block a segment: two checkpoint nodes (saving the blocks' inputs) and the recorded head.
  assert.deepEqual(cnn.segments, ['conv:1:16:3:1 relu maxpool:2', 'conv:16:32:3:1 relu maxpool:2']);
  assert.equal(cnnCkpt.nodes, 7);
  assert.equal(cnnCkpt.activation_bytes, floats(B * (784 + 16 * 196 + 1568 + 64 + 64 + 10 + 1)));
  for (const r of [mlp, cnn]) {
    const [plain, ckpt] = r.runs;
    assert.equal(ckpt.loss, plain.loss);
    assert.ok(ckpt.max_grad_difference <= 1e-6, `gradients differ by ${ckpt.max_grad_difference}`);
    // What forward leaves allocated until backward: the saved activations except the input and target, which
    // existed before, plus the loss (1 float) — module 01's memory accounting agrees with graph_stats.
    for (const run of r.runs) assert.equal(run.held_after_forward_bytes, run.activation_bytes - floats(B * 784 + B) + floats(1));
    for (const run of r.runs) assert.ok(run.forward_ms > 0 && run.forward_backward_ms > 0, JSON.stringify(run));  // times: machine-dependent
  }

  const r = await measureSystems(M, '07');
  assert.ok(r.tables, r.note);
  assert.deepEqual(r.tables[0].rows.map((row) => [row[0], row[1], row[4]]),
    [[MLP.name, '6', M.formatBytes(mlpActs)], [CNN.name, '11', M.formatBytes(cnnPlain.activation_bytes)]]);
  assert.equal(r.tables[1].rows.length, 4);
  assert.equal(live(), before);
});

test('08: state per parameter byte from state_dict after one step: 0 (SGD), 1 (momentum), 2 (Adam, AdamW)', async () => {
  const before = live();
  const r = JSON.parse(M.optimizerStateReport(MLP.architecture, MLP.inputShape, B));
  const P = floats(MLP_PARAMS);
  assert.equal(r.parameter_bytes, P);
  const got = Object.fromEntries(r.optimizers.map((o) => [o.optimizer, [o.state_tensors, o.state_bytes, o.buffer_bytes]]));
  // Six parameter tensors; Adam's per-parameter step count is one float each.
  assert.deepEqual(got, { SGD: [0, 0, 0], 'SGD momentum 0.9': [6, P, P], Adam: [18, 2 * P + 6 * 4, 2 * P], AdamW: [18, 2 * P + 6 * 4, 2 * P] });
  for (const o of r.optimizers) assert.ok(o.param_bytes === P && o.step_ms > 0, o.optimizer);
  const panel = await measureSystems(M, '08');
  assert.ok(panel.tables, panel.note);
  assert.deepEqual(panel.tables[0].rows.map((row) => [row[0], row[3]]),
    [['SGD', '0.00'], ['SGD momentum 0.9', '1.00'], ['Adam', '2.00'], ['AdamW', '2.00']]);
  assert.equal(live(), before);
});

test('09: a step holds parameters, gradients, Adam state and activations; accumulation gives the same gradient with 1/k of the activations', async () => {
  const before = live();
  const r = JSON.parse(M.trainingMemoryReport(CNN.architecture, CNN.inputShape, B));
  const P = floats(CNN_PARAMS);
  assert.equal(r.step.parameter_bytes, P);
  assert.equal(r.step.grad_bytes, P);
  assert.equal(r.step.optimizer_state_bytes, 2 * P);
  const acts = floats(B * (784 + 16 * 784 + 16 * 196 + 32 * 196 + 1568 + 64 + 64 + 10 + 1));
  assert.equal(r.step.activation_bytes, acts);
  assert.ok(r.step.peak_above_steady_bytes >= acts, 'the graph is alive at the peak');
  assert.deepEqual(r.accumulation.map((a) => [a.k, a.micro_batch, a.activation_bytes]),
    [[1, 64, acts], [2, 32, acts / 2], [4, 16, acts / 4]]);
  for (const a of r.accumulation) {
    assert.ok(a.max_grad_difference <= 1e-6, `k=${a.k}: gradient differs by ${a.max_grad_difference}`);
    assert.ok(Math.abs(a.loss - r.accumulation[0].loss) <= 1e-5, `k=${a.k}: loss ${a.loss}`);
  }
  assert.ok(r.accumulation[2].peak_bytes < r.accumulation[0].peak_bytes);
  // The checkpoint: the weights, Adam's two moments, and small scalars (steps, hyper-parameters), plus the header.
  const c = r.checkpoint;
  assert.equal(c.model_bytes, P);
  assert.ok(c.optimizer_bytes >= 2 * P && c.optimizer_bytes < 2 * P + 1024, String(c.optimizer_bytes));
  assert.ok(c.bytes > c.model_bytes + c.optimizer_bytes && c.bytes < c.model_bytes + c.optimizer_bytes + 8192, String(c.bytes));
  assert.ok(c.save_ms > 0 && c.load_ms > 0);
  const panel = await measureSystems(M, '09');
  assert.ok(panel.tables, panel.note);
  assert.equal(panel.tables[0].rows[3][1], M.formatBytes(acts));
  assert.equal(panel.tables[2].rows[0][1], M.formatBytes(c.bytes));
  assert.equal(live(), before);
});

test('bad input to the engine reports: a clear error, not a crash', () => {
  assert.throws(() => M.autogradGraphReport('flatten linear:3:2', '1x28x28', 4), /linear/);
  assert.throws(() => M.optimizerStateReport(MLP.architecture, '28x28', 4), /CxHxW/);
  assert.throws(() => M.trainingMemoryReport(CNN.architecture, CNN.inputShape, 0), /batch must be > 0/);
});

test('a module without measurements, or an engine without the bindings, says so instead of inventing numbers', async () => {
  assert.match((await measureSystems(M, '18')).note, /no live measurements yet/);  // every module 01-17 has a panel
  const bare = { environment: M.environment, formatBytes: M.formatBytes };
  for (const id of ['02', '03', '04', '05', '06', '07', '08', '09', '15', '16', '17']) {
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
