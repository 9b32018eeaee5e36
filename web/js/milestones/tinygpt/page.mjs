// Milestone 3 page (milestone-tinygpt.html): gated on modules 01-14 (gate.mjs), then one panel per concern over one
// engine worker that owns the models (gpt-worker.mjs): generation with next-token bars (generate-panel.mjs,
// probs-bars.mjs), attention maps (attention-map.mjs), the KV-cache speed (kv-cache.mjs), training in the page
// (train-panel.mjs) and the CNN-vs-GPT comparison (compare.mjs). The pretrained model is assets/tinygpt.safetensors,
// or the safetensors file a ?model= URL names. window.ttGpt holds what the page shows, for tests.
import { h } from '../../course/shell.mjs';
import { openMilestone } from '../gate.mjs';
import { generatePanel } from './generate-panel.mjs';
import { attentionMap } from './attention-map.mjs';
import { kvCachePanel } from './kv-cache.mjs';
import { trainPanel } from './train-panel.mjs';
import { comparePanel } from './compare.mjs';

const $ = (id) => document.getElementById(id);

// The worker as request/stream: on(type, fn) for every message of a type; send(message).
function workerClient() {
  const worker = new Worker(new URL('./gpt-worker.mjs', import.meta.url), { type: 'module' });
  const listeners = new Map();
  worker.onmessage = ({ data }) => {
    for (const fn of listeners.get(data.type) ?? []) fn(data);
    for (const fn of listeners.get('*') ?? []) fn(data);
  };
  return {
    send: (message) => worker.postMessage(message),
    on(type, fn) { if (!listeners.has(type)) listeners.set(type, []); listeners.get(type).push(fn); },
    once: (type) => new Promise((resolve) => {
      const fn = (d) => { listeners.set(type, listeners.get(type).filter((f) => f !== fn)); resolve(d); };
      if (!listeners.has(type)) listeners.set(type, []);
      listeners.get(type).push(fn);
    }),
  };
}

async function main() {
  if (!(await openMilestone('tinygpt'))) return;
  const state = (window.ttGpt = { errors: [] });
  const worker = workerClient();
  worker.on('error', (e) => {
    state.errors.push(e);
    const where = { engine: 'model-info', generate: 'gen-speed', 'measure-cache': 'kv-result', train: 'train-status', load: 'model-info',
                    costs: 'compare-table' }[e.for];
    if (where) $(where).textContent = e.message;
  });

  worker.on('env', (env) => { state.env = env; $('env-threads').textContent = String(env.threads); });
  const attention = attentionMap(state);
  generatePanel(worker, state, attention);
  kvCachePanel(worker, state);
  trainPanel(worker, state);
  comparePanel(worker, state);

  const chosen = new URL(location.href).searchParams.get('model');
  const url = chosen ?? 'assets/tinygpt.safetensors';
  worker.send({ type: 'load', url: new URL(url, location.href).href });
  const loaded = await Promise.race([worker.once('loaded'), worker.once('error')]);
  if (loaded.type === 'loaded') {
    state.model = loaded;
    const c = loaded.config;
    $('model-info').textContent = `Pretrained: ${loaded.parameters.toLocaleString()} parameters, ${c.n_layer} layers × ` +
      `${c.n_head} heads, width ${c.n_embd}, context ${c.block_size}, ${c.vocab_size} characters.`;
    // the asset's card (training time for the comparison); a model given by URL has none
    if (!chosen) fetch('assets/tinygpt.json').then((r) => (r.ok ? r.json() : null)).then((card) => { state.model.card = card; }, () => {});
  } else {
    $('model-info').textContent = `No pretrained model (${loaded.message}): train one below, then generate from it.`;
    $('gen-model').value = 'trained';
  }
  document.body.dataset.state = 'ready';
}

main().catch((error) => {
  document.body.dataset.state = 'failed';
  document.querySelector('main').prepend(h('p', { class: 'card error' }, `The milestone could not start: ${error.message}`));
  console.error(error);
});
