// Module 08's systems panel: what each optimizer keeps per parameter, read from its state_dict() after one step
// (the state is created on a parameter's first step), and the time of one step. Measured by the engine
// (optimizerStateReport) on the MLP 784-256-128-10.
import { MLP, engineReport, fmtTime, has, missing } from './measure.mjs';

const BATCH = 64;

export function measure(M) {
  if (!has(M, 'optimizerStateReport')) return missing('optimizerStateReport (bindings/autograd.cpp)');
  const r = engineReport(M, 'optimizerStateReport', MLP, BATCH);
  const rows = r.optimizers.map((o) => [o.optimizer, String(o.state_tensors), M.formatBytes(o.state_bytes),
    (o.state_bytes / o.param_bytes).toFixed(2), fmtTime(o.step_ms),
    ((o.param_bytes / 4) / (o.step_ms * 1e3)).toFixed(1)]);
  return {
    tables: [{
      caption: `${MLP.name}: ${r.parameters.toLocaleString('en')} parameters, ${M.formatBytes(r.parameter_bytes)}; state after one step`,
      columns: ['optimizer', 'state tensors', 'state bytes (state_dict)', 'state bytes per parameter byte', 'step time', 'M parameters/s'],
      rows,
    }],
    note: 'Plain SGD remembers nothing; momentum keeps one buffer per parameter, Adam and AdamW two moments (plus a step count each). '
      + 'A step is a few passes over memory per parameter, so its time grows with the number of buffers it reads and writes.',
  };
}
