// A held-out accuracy run behind a button: the whole test set goes through the engine worker
// (inference-worker.mjs) so the page stays responsive, with a progress bar, and the result is set against the
// model card's accuracy from the native engine.
const percent = (correct, total) => `${(100 * correct / total).toFixed(2)}%`;

function runInWorker(job, progress) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./inference-worker.mjs', import.meta.url), { type: 'module' });
    worker.onmessage = ({ data }) => {
      if (data.type === 'progress') { progress.max = data.total; progress.value = data.done; return; }
      worker.terminate();
      data.type === 'result' ? resolve(data) : reject(new Error(data.message));
    };
    worker.onerror = (e) => { worker.terminate(); reject(new Error(e.message)); };
    worker.postMessage(job);
  });
}

// job: {model, dataset} (asset and data set names); after(result) gets {correct, total, confusion, ms}.
export function accuracyButton(button, job, progress, output, card, after = () => {}) {
  button.onclick = async () => {
    button.disabled = true;
    output.textContent = 'running…';
    try {
      const r = await runInWorker(job, progress);
      output.textContent = `${r.correct}/${r.total} = ${percent(r.correct, r.total)} in ${(r.ms / 1000).toFixed(1)} s ` +
        `(model card, native engine: ${card.test_correct}/${card.test_count} = ${percent(card.test_correct, card.test_count)})`;
      output.dataset.correct = String(r.correct);
      after(r);
    } catch (error) {
      output.textContent = `failed: ${error.message}`;
    } finally {
      button.disabled = false;
    }
  };
}
