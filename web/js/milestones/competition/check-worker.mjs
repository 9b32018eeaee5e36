// Milestone 4's engine worker: before a model leaves the page, the reference engine loads it exactly as the
// leaderboard's evaluator will — the architecture parsed against the task's input shape and every weight put in its
// place — and times one forward pass here (a local estimate; the server measures the latency that counts). It also
// quantizes a classifier to int8 when the engine has module 16's bindings (h16q), so the page can compare sizes.
//
// Messages in:  {type: 'capabilities', id}
//               {type: 'check', id, kind: 'classifier' | 'gpt', arch?, inputShape?: [C, H, W], bytes}
//               {type: 'quantize', id, bytes, arch}
// Messages out: {type: 'capabilities', id, quantize: bool}
//               {type: 'checked', id, parameters, classes?, config?, latencyMs?}
//               {type: 'quantized', id, bytes}   {type: 'error', id, message}
import { loadEngine } from '../../engine.mjs';
import { quantizeClassifier, loadsQuantized, quantizationApi } from './quantize.mjs';

const enginePromise = loadEngine();

function checkClassifier(M, { arch, inputShape, bytes }) {
  const shape = inputShape.join('x');
  const model = loadsQuantized(M, bytes)
    ? null
    : new M.Classifier(arch, shape, bytes, 'the model file');
  try {
    if (!model) {  // a quantized file: the engine's own int8 loader checks it (quantize.mjs)
      const q = loadsQuantized(M, bytes).load(arch, shape, bytes);
      try {
        return { parameters: q.parameterCount(), classes: q.numClasses(), latencyMs: timeIt(q, inputShape) };
      } finally {
        q.delete();
      }
    }
    return { parameters: model.parameterCount(), classes: model.numClasses(), latencyMs: timeIt(model, inputShape) };
  } finally {
    model?.delete();
  }
}

// One image of zeros through the model: the median of a 0.2 s sample (tt::time_forward), in ms.
function timeIt(model, [c, h, w]) {
  if (typeof model.timeForwardMs !== 'function') return null;
  return model.timeForwardMs(new Float32Array(c * h * w), 1, 0.2);
}

function checkGpt(M, { bytes }) {
  const gpt = M.TinyGPT.fromSafetensors(bytes, 'the model file');
  try {
    return { parameters: gpt.parameterCount(), config: JSON.parse(gpt.config()) };
  } finally {
    gpt.delete();
  }
}

onmessage = async ({ data: job }) => {
  try {
    const M = await enginePromise;
    if (job.type === 'capabilities') {
      postMessage({ type: 'capabilities', id: job.id, quantize: Boolean(quantizationApi(M)) });
    } else if (job.type === 'check') {
      const result = job.kind === 'gpt' ? checkGpt(M, job) : checkClassifier(M, job);
      postMessage({ type: 'checked', id: job.id, ...result });
    } else if (job.type === 'quantize') {
      const bytes = quantizeClassifier(M, job.bytes, job.arch);
      postMessage({ type: 'quantized', id: job.id, bytes }, [bytes.buffer]);
    } else {
      throw new Error(`competition worker: unknown message '${job.type}'`);
    }
  } catch (error) {
    postMessage({ type: 'error', id: job.id, message: error instanceof Error ? error.message : String(error) });
  }
};
