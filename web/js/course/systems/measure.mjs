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

// The networks modules 07-09 measure, as model-card architectures (models/classifier.h): an MLP, and the
// Fashion-MNIST CNN of assets/fashion-cnn.json (the same line; tests/node/course-systems.test.mjs checks it).
export const MLP = { name: 'MLP 784-256-128-10', architecture: 'flatten linear:784:256 relu linear:256:128 relu linear:128:10', inputShape: '1x28x28' };
export const CNN = { name: 'Fashion-MNIST CNN', architecture: 'conv:1:16:3:1 relu maxpool:2 conv:16:32:3:1 relu maxpool:2 flatten linear:1568:64 relu linear:64:10', inputShape: '1x28x28' };

// A report the engine measured in one call and returned as JSON text (bindings/autograd.cpp).
export const engineReport = (M, fn, net, batch) => JSON.parse(M[fn](net.architecture, net.inputShape, batch));
export const fmtRatio = (x) => `${x.toFixed(2)}×`;
