// The systems panel: numbers the reference engine (wasm/tt_web.mjs) measures for a module, live in this browser.
// measureSystems is model code (no DOM): it returns tables; renderSystems draws them. A module whose engine bindings
// do not exist yet says so instead of showing invented numbers.
import { h } from './shell.mjs';

function timeIt(fn, minMs = 30) {
  // Repeat until the total is long enough to read on a coarse clock; report per-call time.
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
            ['cross-origin isolated (threads possible)', String(self.crossOriginIsolated)],
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
    if (!M.Tensor) return missing('Tensor');
    const rows = [];
    for (const n of [64, 256, 1024]) {
      const t = M.Tensor.zeros ? M.Tensor.zeros([n, n]) : null;
      if (!t || !t.transpose || !t.contiguous) { t?.delete?.(); return missing('Tensor.zeros/transpose/contiguous'); }
      const view = timeIt(() => { const v = t.transpose(0, 1); v.delete(); });
      const copy = timeIt(() => { const v = t.transpose(0, 1); const c = v.contiguous(); c.delete(); v.delete(); }, 20);
      rows.push([`${n}×${n}`, '0 B', M.formatBytes(n * n * 4), fmtTime(view), fmtTime(copy), `${(copy / view).toFixed(0)}×`]);
      t.delete();
    }
    return {
      tables: [{ caption: 'transpose: a view (new strides) vs a copy (contiguous())', columns: ['shape', 'view bytes', 'copy bytes', 'view time', 'copy time', 'copy/view'], rows }],
      note: 'A view costs the same at every size: it only writes a shape and strides. A copy moves every element.',
    };
  },
  '05': (M) => {
    if (!M.Tensor || !M.Tensor.randn || !M.matmul) return missing('Tensor.randn and matmul');
    const rows = [];
    for (const n of [32, 64, 128, 256]) {
      const a = M.Tensor.randn([n, n], 1);
      const b = M.Tensor.randn([n, n], 2);
      const ms = timeIt(() => { const c = M.matmul(a, b); c.delete(); }, 40);
      const flops = 2 * n ** 3;
      rows.push([`${n}×${n} @ ${n}×${n}`, flops.toLocaleString('en'), fmtTime(ms), `${(flops / ms / 1e6).toFixed(2)}`]);
      a.delete();
      b.delete();
    }
    return {
      tables: [{ caption: 'matmul at growing sizes (the reference engine, wasm SIMD)', columns: ['sizes', 'FLOPs (2n³)', 'time', 'GFLOP/s'], rows }],
      note: 'FLOPs grow as n³ while the data grows as n²: large matmuls are limited by arithmetic, small ones by overheads.',
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
    report.note ? h('p', { class: 'muted' }, report.note) : '');
  container.dataset.measured = String(Boolean(report.tables?.length));
}
