// Milestone 4's engine worker: before a model leaves the page, the reference engine loads it exactly as the
// leaderboard's evaluator will — the architecture parsed against the task's input shape and every weight put in its
// place — and times one forward pass here (a local estimate; the server measures the latency that counts). It also
// quantizes a classifier to int8 when the engine has module 16's binding (quantize.mjs), so the page can compare
// sizes and accuracy.
//
// Messages in:  {type: 'capabilities', id}
//               {type: 'check', id, kind: 'classifier' | 'gpt', arch?, inputShape?: [C, H, W], bytes}
//               {type: 'quantize', id, bytes, arch, task}
// Messages out: {type: 'capabilities', id, quantize: bool}
//               {type: 'checked', id, parameters, classes?, config?, latencyMs?}
//               {type: 'quantized', id, bytes, fp32, int8}  (fp32/int8: accuracy + latency rows, quantize.mjs)
//               {type: 'error', id, message}
import { loadEngine } from '../../engine.mjs';
import { quantizeClassifier, isQuantizedFile, quantizationApi } from './quantize.mjs';

const enginePromise = loadEngine();

// ms per batch-1 prediction, timed here in a loop of at least 50 ms: a local estimate (the server measures the
// latency that counts). Not tt::time_forward: it sizes its loop from one timed pass, and a page that is not
// cross-origin isolated reads a clock coarsened to 0.1 ms, on which a small model's pass takes "0 ms" — the loop
// then runs 200,000 passes per sample.
function latencyMs(model, size) {
  const x = new Float32Array(size);
  model.predict(x, 1);
  let n = 0, elapsed = 0;
  const t0 = performance.now();
  do {
    model.predict(x, 1);
    n++;
    elapsed = performance.now() - t0;
  } while (elapsed < 50);
  return elapsed / n;
}

function checkClassifier(M, { arch, inputShape, bytes }) {
  if (isQuantizedFile(bytes)) {
    // The page's engine has no loader for a student's int8 file (the quantizer below checks its own output by
    // running it): the architecture is checked here, the tensors by the server before it stores the upload.
    const t = new M.Trainer(arch, inputShape.join('x'), {});
    try {
      return { parameters: JSON.parse(t.summary()).parameters, classes: t.numClasses(), latencyMs: null,
        note: 'its int8 tensors are checked by the server on upload' };
    } finally {
      t.delete();
    }
  }
  const model = new M.Classifier(arch, inputShape.join('x'), bytes, 'the model file');
  try {
    return { parameters: model.parameterCount(), classes: model.numClasses(),
      latencyMs: latencyMs(model, inputShape.reduce((a, b) => a * b, 1)) };
  } finally {
    model.delete();
  }
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
      const { bytes, fp32, int8 } = await quantizeClassifier(M, job.bytes, job.arch, job.task);
      postMessage({ type: 'quantized', id: job.id, bytes, fp32, int8 }, [bytes.buffer]);
    } else {
      throw new Error(`competition worker: unknown message '${job.type}'`);
    }
  } catch (error) {
    postMessage({ type: 'error', id: job.id, message: error instanceof Error ? error.message : String(error) });
  }
};
