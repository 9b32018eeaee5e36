// Module 05's systems panel: Linear 784 → 128 forward and backward at growing batch sizes.
import { timeIt, fmtTime, has, fmtFlops, missing } from './measure.mjs';

export function measure(M) {
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
}
