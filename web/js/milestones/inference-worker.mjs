// The milestone's engine worker: long evaluations (a held-out accuracy run, a confusion matrix) run here so the page
// stays responsive; it posts {type: 'progress', done, total} and finally {type: 'result', ...} or {type: 'error'}.
import { loadEngine } from '../engine.mjs';
import { loadClassifier, loadDataset } from './assets.mjs';

const enginePromise = loadEngine();

onmessage = async ({ data: job }) => {
  let model = null, dataset = null;
  try {
    const M = await enginePromise;
    ({ model } = await loadClassifier(M, job.model));
    dataset = await loadDataset(M, job.dataset);
    const total = dataset.count(), classes = model.numClasses();
    const chunk = 512;  // a multiple of the engine's batch of 256: the same batches as `tt eval`, the same sums
    const confusion = Array.from({ length: classes }, () => new Array(classes).fill(0));  // [true][predicted]
    let correct = 0;
    const t0 = performance.now();
    for (let start = 0; start < total; start += chunk) {
      const n = Math.min(chunk, total - start);
      const predicted = model.classify(dataset, start, n);
      for (let i = 0; i < n; i++) {
        const truth = dataset.label(start + i);
        confusion[truth][predicted[i]]++;
        if (truth === predicted[i]) correct++;
      }
      postMessage({ type: 'progress', done: start + n, total });
    }
    postMessage({ type: 'result', correct, total, confusion, ms: performance.now() - t0 });
  } catch (error) {
    postMessage({ type: 'error', message: error.message });
  } finally {
    model?.delete();
    dataset?.delete();
  }
};
