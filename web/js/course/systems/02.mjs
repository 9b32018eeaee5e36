// Module 02's systems panel: a transposed view (new strides, no copy) against its contiguous copy, and matmul's
// cost at growing sizes.
import { timeIt, fmtTime, has, fmtFlops, missing } from './measure.mjs';

export function measure(M) {
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
}
