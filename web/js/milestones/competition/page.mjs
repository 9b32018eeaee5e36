// Milestone 4 page (milestone-competition.html): gated on modules 01-17 (gate.mjs); asks the server whether it runs
// the class leaderboard (api.mjs: a static site has none and says so, the model can still be prepared and
// downloaded); states the rules (rules.mjs); prepares the model (prepare-panel.mjs, with the engine in
// check-worker.mjs) and submits it, following it live to its rank (submit-panel.mjs). window.ttCompetition holds what
// the page shows, for tests.
import { h } from '../../course/shell.mjs';
import { openMilestone } from '../gate.mjs';
import * as api from './api.mjs';
import { renderRules } from './rules.mjs';
import { preparePanel } from './prepare-panel.mjs';
import { submitPanel } from './submit-panel.mjs';
import { formatTime } from './format.mjs';

const $ = (id) => document.getElementById(id);

// The engine worker as request → answer (one job at a time is all the page asks for; ids keep answers apart).
function engineWorker() {
  const worker = new Worker(new URL('./check-worker.mjs', import.meta.url), { type: 'module' });
  const waiting = new Map();
  let next = 1;
  worker.onmessage = ({ data }) => { waiting.get(data.id)?.(data); waiting.delete(data.id); };
  return {
    ask: (message) => new Promise((resolve) => {
      const id = next++;
      waiting.set(id, resolve);
      worker.postMessage({ ...message, id });
    }),
    // whether this engine build can quantize (module 16's bindings); an engine that does not load cannot
    capabilities: () => new Promise((resolve) => {
      const id = next++;
      waiting.set(id, (d) => resolve(d.type === 'capabilities' ? d : { quantize: false, error: d.message }));
      worker.postMessage({ type: 'capabilities', id });
    }),
  };
}

function showServer(info, error) {
  const status = $('server-status');
  if (info) {
    const deadline = info.deadline ? `; deadline ${formatTime(info.deadline)}` : '';
    status.className = `banner ${info.frozen ? 'frozen' : 'live'}`;
    status.textContent = info.frozen
      ? `The leaderboard is frozen${deadline}: no more submissions. The final ranking is on the leaderboard.`
      : `The class leaderboard is open: ${info.tasks.length} task${info.tasks.length === 1 ? '' : 's'}, ` +
        `${info.perDay} submissions per task per day${deadline}.`;
  } else {
    status.className = 'banner static';
    status.textContent = error
      ? `The leaderboard cannot be reached (${error}). You can still prepare your model and download its file.`
      : 'The leaderboard is not available on this site: it is served as static files (without serve.py --leaderboard). ' +
        'You can still prepare your model below and download its submission file, to submit when your class server runs.';
  }
  document.body.dataset.leaderboard = info ? (info.frozen ? 'frozen' : 'open') : 'unavailable';
}

async function main() {
  if (!(await openMilestone('competition'))) return;
  const state = (window.ttCompetition = {});
  let info = null, problem = null;
  try {
    info = await api.available();
  } catch (error) {
    problem = error.message;
  }
  state.available = Boolean(info);
  state.info = info;
  showServer(info, problem);
  state.tasks = renderRules(document, info);
  const worker = engineWorker();
  const can = await worker.capabilities();
  state.canQuantize = can.quantize;
  if (!state.canQuantize) {
    $('quant-note').textContent = can.error
      ? `The engine did not load (${can.error}).`
      : 'This engine build has no int8 quantization (module 16) yet: the float32 model is what can be submitted.';
  }
  let submit = null;
  const prepare = await preparePanel(state, worker, () => submit?.refresh());
  submit = submitPanel(state, { task: prepare.task, enabled: () => Boolean(info && !info.frozen) });
  if (!info) for (const el of $('submit-form').elements) el.disabled = true;
  submit.refresh();
  document.body.dataset.state = 'ready';
}

main().catch((error) => {
  document.body.dataset.state = 'failed';
  document.querySelector('main').prepend(h('p', { class: 'card error' }, `The milestone could not start: ${error.message}`));
  console.error(error);
});
