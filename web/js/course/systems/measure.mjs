// What every systems panel (systems/NN.mjs) measures with: a repeat-until-readable timer, number formats, and the
// note a panel returns when the reference engine lacks the bindings it needs. No DOM.

export function timeIt(fn, minMs = 30) {
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

export function fmtTime(ms) {
  if (ms < 0.001) return `${(ms * 1e6).toFixed(0)} ns`;
  if (ms < 1) return `${(ms * 1e3).toFixed(1)} µs`;
  return `${ms.toFixed(2)} ms`;
}

export function timerResolution() {
  let smallest = Infinity;
  for (let i = 0; i < 50; i++) {
    const a = performance.now();
    let b = a;
    while (b === a) b = performance.now();
    smallest = Math.min(smallest, b - a);
  }
  return smallest;
}

export const has = (M, ...names) => names.every((n) => typeof M[n] === 'function');
export const fmtFlops = (M, f) => (M.formatFlops ? M.formatFlops(f) : `${f.toLocaleString('en')} FLOP`);

export const missing = (what) => ({ note: `The reference engine does not expose ${what} to JavaScript yet, so there is nothing measured to show here.` });
