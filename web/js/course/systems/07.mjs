// Module 07's systems panel: what a recorded graph costs — nodes and bytes saved for backward for an MLP and the
// Fashion-MNIST CNN at batch 64 — and what gradient checkpointing trades (each conv block of the CNN a segment, the
// MLP's hidden layers one): bytes saved against a second forward pass of the segments. Measured by the engine
// (autogradGraphReport).
import { CNN, MLP, engineReport, fmtRatio, fmtTime, has, missing } from './measure.mjs';

const BATCH = 64;

export function measure(M) {
  if (!has(M, 'autogradGraphReport')) return missing('autogradGraphReport (bindings/autograd.cpp)');
  const graphs = [], checkpoint = [];
  for (const net of [MLP, CNN]) {
    const r = engineReport(M, 'autogradGraphReport', net, BATCH);
    const [plain, ckpt] = r.runs;
    graphs.push([net.name, plain.nodes.toLocaleString('en'), plain.saved_tensors.toLocaleString('en'),
      M.formatBytes(plain.saved_bytes), M.formatBytes(plain.activation_bytes), M.formatBytes(r.parameter_bytes),
      fmtRatio(plain.activation_bytes / r.parameter_bytes), fmtTime(plain.forward_ms), fmtTime(plain.forward_backward_ms)]);
    for (const run of [plain, ckpt]) {
      checkpoint.push([`${net.name}, ${run.checkpoint ? `${r.segments.length} segment${r.segments.length > 1 ? 's' : ''} checkpointed` : 'plain'}`, String(run.nodes),
        M.formatBytes(run.activation_bytes), M.formatBytes(run.held_after_forward_bytes), M.formatBytes(run.peak_bytes), fmtTime(run.forward_ms),
        fmtTime(run.forward_backward_ms),
        run.checkpoint ? `${fmtRatio(run.forward_backward_ms / plain.forward_backward_ms)} time, ${fmtRatio(run.activation_bytes / plain.activation_bytes)} bytes` : '',
        run.checkpoint ? run.max_grad_difference.toExponential(1) : '']);
    }
  }
  return {
    tables: [
      { caption: `The graph of one forward pass + cross-entropy, batch ${BATCH}`,
        columns: ['network', 'nodes', 'saved tensors', 'bytes saved', 'activations saved', 'parameters', 'activations / parameters', 'forward (recording)', 'forward + backward'], rows: graphs },
      { caption: 'Gradient checkpointing (F::checkpoint): the CNN\'s two conv-relu-pool blocks, each a segment; the MLP\'s hidden layers, one segment',
        columns: ['run', 'nodes', 'activations saved', 'allocated by forward, alive until backward', 'peak during forward + backward', 'forward', 'forward + backward', 'vs plain', 'max |Δ grad|'], rows: checkpoint },
    ],
    note: '"Bytes saved" is graph_stats(): every tensor a node keeps for its backward, each storage once; activations leave out the weights, which exist with or without a graph. '
      + 'A checkpointed segment saves only its input: backward runs it again, recording this time, and gets the same gradients. '
      + 'What stays allocated between forward and backward drops; the peak does not, here: backward rebuilds a segment\'s activations next to the gradients in flight, and in networks this small the peak is in backward. '
      + 'Checkpointing pays when many layers would otherwise hold their activations at once (a deep network, a long sequence).',
  };
}
