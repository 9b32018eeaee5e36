// "Engine: mine" on the MNIST demo: the MNIST MLP on the student's own compiled modules (own-build.mjs) against the
// reference engine, on the same held-out digits — predictions side by side, agreement and latency.
import { h, openStore } from '../course/shell.mjs';
import { OWN_MODULES, referenceRun, studentFramework, studentRun } from './own-build.mjs';

const $ = (id) => document.getElementById(id);

const OWN_BATCH = 16;  // the first held-out digits, one batch
export function ownBuildSwitch(mnist, testSet) {
  const box = $('own'), status = $('own-status'), result = $('own-result');
  let busy = false;
  const setStatus = (text) => { status.textContent = text; };
  const fail = (message) => {
    result.dataset.state = 'error';
    result.replaceChildren(h('pre', { class: 'error' }, message));
  };
  const runOwn = async () => {
    if (busy) return;
    busy = true;
    box.hidden = false;
    result.replaceChildren();
    delete result.dataset.state;
    try {
      const { framework, own } = studentFramework(openStore().state);
      const reference = OWN_MODULES.filter((id) => !own.includes(id));
      const which = `Your modules: ${own.join(', ') || 'none'}${reference.length ? `; reference objects for ${reference.join(', ')}` : ''}.`;
      setStatus(`${which} Loading the compiler…`);
      const card = mnist.card, classes = card.classes.length;
      const x = testSet.batch(0, OWN_BATCH);
      const labels = Array.from({ length: OWN_BATCH }, (_, i) => testSet.label(i));
      const mine = await studentRun({ framework, card, x, batch: OWN_BATCH, onStatus: setStatus });
      if (!mine.ok) {
        setStatus(`${which} Your build failed (${mine.stage === 'run' ? 'it trapped while running' : `at the ${mine.stage} step`}).`);
        fail(mine.stage === 'run' ? `Your build stopped while running: ${mine.message}` : `Your code did not ${mine.stage === 'link' ? 'link' : 'compile'}: ${mine.message}`);
        return;
      }
      const ref = referenceRun(mnist.model, x, OWN_BATCH, classes);
      const same = mine.predictions.filter((p, i) => p === ref.predictions[i]).length;
      const agree = same === OWN_BATCH;
      setStatus(`${which} Done: compiled and linked in ${((mine.buildMs ?? 0) / 1000).toFixed(1)} s.`);
      const row = (name, preds) => h('tr', {}, h('th', {}, name), ...preds.map((p) => h('td', {}, String(p))));
      result.replaceChildren(
        h('table', { class: 'probs own-predictions' },
          h('thead', {}, h('tr', {}, h('th', {}, 'held-out digit'), ...labels.map((_, i) => h('th', {}, `#${i}`)))),
          h('tbody', {}, row('label', labels), row('your build', mine.predictions), row('reference', ref.predictions))),
        h('p', {}, 'Agree: ', h('strong', { id: 'own-agree' }, agree ? 'yes' : 'no'), ` (${same}/${OWN_BATCH} predictions the same)`),
        h('p', {}, `Latency per batch of ${OWN_BATCH} images: your build `, h('strong', { id: 'own-ms' }, `${mine.ms.toFixed(3)} ms`),
          ', reference engine ', h('strong', { id: 'ref-ms' }, `${ref.ms.toFixed(3)} ms`),
          h('span', { class: 'muted' }, ' (median of 7 samples, both timed by the same C++ loop, tt::time_forward, on one thread; your build: your modules compiled in this page by clang at -O2; reference: the course\'s Emscripten build. Both use wasm SIMD where the code does: a scalar loop you wrote stays scalar)')));
      result.dataset.ownPredictions = mine.predictions.join(',');
      result.dataset.refPredictions = ref.predictions.join(',');
      result.dataset.ownMs = String(mine.ms);
      result.dataset.refMs = String(ref.ms);
      result.dataset.state = 'done';
    } catch (error) {
      setStatus('Your build could not run.');
      fail(`The in-browser compiler failed: ${error.message}`);
    } finally {
      busy = false;
    }
  };
  for (const radio of document.querySelectorAll('input[name="engine"]')) {
    radio.addEventListener('change', () => {
      if (radio.value === 'mine' && radio.checked) runOwn();
      else if (radio.checked) box.hidden = true;
    });
  }
}
