// Module 03's systems panel: every activation kernel timed on the same tensor, as throughput and bytes moved.
import { timeIt, fmtTime, has, missing } from './measure.mjs';

export function measure(M) {
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
}
