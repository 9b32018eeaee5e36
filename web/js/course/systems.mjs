// The systems panel: numbers the reference engine (wasm/tt_web.mjs) measures for a module, live in this browser.
// measureSystems is model code (no DOM): it returns tables; renderSystems draws them. A module whose engine bindings
// do not exist yet says so instead of showing invented numbers.
import { h } from './shell.mjs';

function timeIt(fn, minMs = 30) {
  // One untimed call first (JIT, first-touch allocation), then repeat until the total is long enough to read on a
  // coarse clock; report the time per call.
  fn();
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    const ms = performance.now() - t0;
    if (ms >= minMs || reps >= 1 << 20) return ms / reps;
    reps *= ms < 1 ? 8 : 2;
  }
}

function fmtTime(ms) {
  if (ms < 0.001) return `${(ms * 1e6).toFixed(0)} ns`;
  if (ms < 1) return `${(ms * 1e3).toFixed(1)} µs`;
  return `${ms.toFixed(2)} ms`;
}

function timerResolution() {
  let smallest = Infinity;
  for (let i = 0; i < 50; i++) {
    const a = performance.now();
    let b = a;
    while (b === a) b = performance.now();
    smallest = Math.min(smallest, b - a);
  }
  return smallest;
}

const has = (M, ...names) => names.every((n) => typeof M[n] === 'function');
const fmtFlops = (M, f) => (M.formatFlops ? M.formatFlops(f) : `${f.toLocaleString('en')} FLOP`);

const missing = (what) => ({ note: `The reference engine does not expose ${what} to JavaScript yet, so there is nothing measured to show here.` });

const MEASURE = {
  '01': (M) => {
    const env = M.environment();
    const sizes = [
      ['one float32', 4],
      ['a 28×28 MNIST image as float32', 28 * 28 * 4],
      ['MNIST training set (60,000 images)', 60000 * 28 * 28 * 4],
      ['a 768×768 weight matrix', 768 * 768 * 4],
      ['GPT-2 small (124 M parameters)', 124e6 * 4],
    ];
    return {
      tables: [
        {
          caption: 'This browser, as the reference engine sees it',
          columns: ['fact', 'value'],
          rows: [
            ['build', env.build],
            ['SIMD instruction set', env.simdArch],
            ['float32 lanes per SIMD register', String(env.simdWidth)],
            ['hardware threads', String(env.threads)],
            ['timer resolution (performance.now)', fmtTime(timerResolution())],
            ['cross-origin isolated (threads possible)', String(Boolean(globalThis.crossOriginIsolated))],
          ],
        },
        {
          caption: 'format_bytes on sizes you will meet in this course',
          columns: ['tensor', 'bytes', 'format_bytes'],
          rows: sizes.map(([what, b]) => [what, b.toLocaleString('en'), M.formatBytes(b)]),
        },
      ],
      note: `A SIMD register holds ${env.simdWidth} floats here, so a vectorised loop does up to ${env.simdWidth}× fewer instructions than a scalar one. Timings below a few timer ticks are noise: measure many repetitions.`,
    };
  },
  '02': (M) => {
    if (!has(M, 'zeros', 'randn', 'liveBytes') || !M.Tensor?.prototype?.transpose) return missing('the Tensor API (zeros, randn, transpose, contiguous, matmul, liveBytes)');
    const views = [];
    const warm = M.zeros([8, 8]);  // let the JS engine compile the binding paths before anything is timed
    timeIt(() => warm.transpose(0, 1).delete(), 20);
    warm.delete();
    for (const n of [64, 256, 1024]) {
      const t = M.zeros([n, n]);
      const before = M.liveBytes();
      const v = t.transpose(0, 1);
      const viewBytes = M.liveBytes() - before;
      const c = v.contiguous();
      const copyBytes = M.liveBytes() - before - viewBytes;
      c.delete();
      const viewMs = timeIt(() => t.transpose(0, 1).delete());
      const copyMs = timeIt(() => { const c2 = v.contiguous(); c2.delete(); }, 20);
      views.push([`${n}×${n}`, M.formatBytes(viewBytes), M.formatBytes(copyBytes), fmtTime(viewMs), fmtTime(copyMs), `${Math.round(copyMs / viewMs)}×`]);
      v.delete();
      t.delete();
    }
    const products = [];
    for (const n of [32, 64, 128, 256]) {
      const a = M.randn([n, n], 1);
      const b = M.randn([n, n], 2);
      const ms = timeIt(() => a.matmul(b).delete(), 40);
      const flops = 2 * n ** 3;
      products.push([`${n}×${n} @ ${n}×${n}`, fmtFlops(M, flops), M.formatBytes(3 * n * n * 4), fmtTime(ms), (flops / ms / 1e6).toFixed(2)]);
      a.delete();
      b.delete();
    }
    return {
      tables: [
        { caption: 'transpose: a view (new strides) vs transpose + contiguous() (a copy)', columns: ['shape', 'view allocates', 'copy allocates', 'view time', 'copy time', 'copy / view'], rows: views },
        { caption: 'matmul at growing sizes', columns: ['product', 'FLOPs (2n³)', 'data (3n² floats)', 'time', 'GFLOP/s'], rows: products },
      ],
      note: 'A view allocates nothing and costs the same at every size; a copy moves every element. Doubling n multiplies the matmul work by 8 and its data by 4.',
    };
  },
  '03': (M) => {
    if (!has(M, 'randn') || !M.Tensor?.prototype?.relu) return missing('the activation kernels (relu, sigmoid, tanh, gelu, softmax on Tensor)');
    const [rows, cols] = [256, 1024];
    const x = M.randn([rows, cols], 3);
    const n = rows * cols;
    const out = [];
    for (const [name, f] of [['ReLU', (t) => t.relu()], ['Sigmoid', (t) => t.sigmoid()], ['Tanh', (t) => t.tanh()],
      ['GELU (erf)', (t) => t.gelu()], ['Softmax (last axis)', (t) => t.softmax(-1)], ['LogSoftmax (last axis)', (t) => t.logSoftmax(-1)]]) {
      const ms = timeIt(() => f(x).delete(), 30);
      out.push([name, fmtTime(ms), `${(n / ms / 1e3).toFixed(0)}`, `${((8 * n) / ms / 1e6).toFixed(2)}`]);
    }
    x.delete();
    return {
      tables: [{ caption: `forward kernels on a [${rows}, ${cols}] tensor (${M.formatBytes(4 * n)} in, as much out)`, columns: ['activation', 'time', 'M elements/s', 'GB/s moved'], rows: out }],
      note: 'Each kernel reads and writes every element once: a few FLOPs per byte, so memory traffic, not arithmetic, sets the pace — until exp/erf make the math itself expensive.',
    };
  },
  '04': (M) => {
    if (!M.Sequential || !M.Linear || !M.ReLU) return missing('the nn modules (Sequential, Linear, ReLU)');
    const net = new M.Sequential();
    const layers = [new M.Linear(784, 128, true, 7), new M.ReLU(), new M.Linear(128, 10, true, 8)];
    for (const l of layers) net.add(l);
    const count = net.parameterCount();
    const bytes = net.parameterBytes();
    const report = net.parameterReport();
    for (const l of layers) l.delete();
    net.delete();
    return {
      tables: [{
        caption: 'An MLP 784 → 128 → 10, as the reference engine counts it',
        columns: ['quantity', 'value'],
        rows: [
          ['parameters', count.toLocaleString('en')],
          ['values (inference)', M.formatBytes(bytes)],
          ['+ gradients', M.formatBytes(2 * bytes)],
          ['+ Adam moments (training)', M.formatBytes(4 * bytes)],
        ],
      }],
      pre: report,
      note: 'parameter_report() of module 04, live. Training with Adam keeps four floats per parameter: value, gradient and two moment estimates.',
    };
  },
  '05': (M) => {
    if (!M.Linear || !has(M, 'randn')) return missing('Linear and randn');
    const layer = new M.Linear(784, 128, true, 5);
    const out = [];
    for (const batch of [1, 16, 64, 256]) {
      const x = M.randn([batch, 784], 9);
      const g = M.randn([batch, 128], 10);
      const fwd = timeIt(() => layer.forward(x).delete(), 30);
      const bwd = timeIt(() => { layer.forward(x).delete(); layer.backward(g).delete(); }, 30) - fwd;
      const flops = 2 * batch * 784 * 128;
      out.push([String(batch), fmtFlops(M, flops), fmtTime(fwd), (flops / fwd / 1e6).toFixed(2), fmtTime(Math.max(bwd, 0)), Math.round((batch / fwd) * 1000).toLocaleString('en')]);
      x.delete();
      g.delete();
    }
    layer.delete();
    return {
      tables: [{ caption: 'Linear 784 → 128 (the first MNIST layer), forward and backward', columns: ['batch', 'forward FLOPs', 'forward', 'GFLOP/s', 'backward', 'inputs/s (fwd)'], rows: out }],
      note: 'Backward does two matmuls (for the input and for the weight), about twice the forward work. Small batches waste the kernel: per-call overheads dominate and the throughput drops.',
    };
  },
};

export async function measureSystems(M, moduleId) {
  const measure = MEASURE[moduleId];
  if (!measure) return { note: `Module ${moduleId} has no live measurements yet.` };
  try {
    return measure(M);
  } catch (error) {
    return { note: `Measuring failed: ${error.message}` };
  }
}

export function renderSystems(container, report) {
  container.classList.remove('muted');
  container.replaceChildren(
    ...(report.tables ?? []).map((t) => h('table', {},
      h('caption', {}, t.caption),
      h('thead', {}, h('tr', {}, t.columns.map((c, i) => h('th', { class: i ? 'num' : null, scope: 'col' }, c)))),
      h('tbody', {}, t.rows.map((r) => h('tr', {}, r.map((v, i) => (i ? h('td', { class: 'num' }, v) : h('th', { scope: 'row' }, v)))))))),
    report.pre ? h('pre', { class: 'output' }, report.pre) : '',
    report.note ? h('p', { class: 'muted' }, report.note) : '');
  container.dataset.measured = String(Boolean(report.tables?.length));
}
