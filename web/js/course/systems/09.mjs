// Module 09's systems panel: where a training step's memory goes (parameters, gradients, Adam's state, the
// activations the graph saves), gradient accumulation (same gradient, 1/k of the activations), and the size and
// speed of a training checkpoint. Measured by the engine (trainingMemoryReport) on the Fashion-MNIST CNN.
import { CNN, engineReport, fmtTime, has, missing } from './measure.mjs';

const BATCH = 64;

export function measure(M) {
  if (!has(M, 'trainingMemoryReport')) return missing('trainingMemoryReport (bindings/autograd.cpp)');
  const r = engineReport(M, 'trainingMemoryReport', CNN, BATCH);
  const s = r.step, c = r.checkpoint;
  const total = s.parameter_bytes + s.grad_bytes + s.optimizer_state_bytes + s.activation_bytes;
  const share = (b) => `${((100 * b) / total).toFixed(0)}%`;
  const memory = [['parameters', s.parameter_bytes], ['gradients', s.grad_bytes],
    [`optimizer state (${s.optimizer})`, s.optimizer_state_bytes], ['activations saved for backward', s.activation_bytes]]
    .map(([what, b]) => [what, M.formatBytes(b), share(b)]);
  memory.push(['total', M.formatBytes(total), '100%'],
    ['peak above steady state during the step (measured)', M.formatBytes(s.peak_above_steady_bytes), ''],
    ['time of one step', fmtTime(s.step_ms), '']);
  const accumulation = r.accumulation.map((a) => [String(a.k), String(a.micro_batch), M.formatBytes(a.activation_bytes),
    M.formatBytes(a.peak_bytes), a.loss.toFixed(4), a.max_grad_difference.toExponential(1), fmtTime(a.step_ms)]);
  return {
    tables: [
      { caption: `${CNN.name}, batch ${BATCH}: memory of one training step`, columns: ['held by', 'bytes', 'share'], rows: memory },
      { caption: `Gradient accumulation: k micro-batches of ${BATCH}/k, one optimizer step`,
        columns: ['k', 'micro-batch', 'activations saved', 'peak memory of the step', 'loss', 'max |Δ grad| vs k=1', 'step time'], rows: accumulation },
      { caption: 'A training checkpoint (model + optimizer + RNG + progress, one safetensors file)',
        columns: ['quantity', 'value'],
        rows: [['file size', M.formatBytes(c.bytes)], ['file size / weights', `${(c.bytes / c.model_bytes).toFixed(2)}×`],
          ['model tensors', M.formatBytes(c.model_bytes)],
          [`optimizer tensors (${c.optimizer})`, M.formatBytes(c.optimizer_bytes)],
          ['save (to bytes)', fmtTime(c.save_ms)], ['load (from bytes)', fmtTime(c.load_ms)]] },
    ],
    note: 'The activations grow with the batch; everything else is fixed by the model. Accumulating k micro-batches gives the big batch\'s gradient with 1/k of the activations, for k backward passes over smaller matrices. '
      + 'With Adam a checkpoint is about three times the weights: both moments are saved next to them, so a resumed run continues exactly.',
  };
}
