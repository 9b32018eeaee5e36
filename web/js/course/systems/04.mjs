// Module 04's systems panel: the parameters of a 784-128-10 MLP, and what training them costs in memory.
import { missing } from './measure.mjs';

export function measure(M) {
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
}
