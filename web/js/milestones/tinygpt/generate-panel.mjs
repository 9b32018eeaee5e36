// Generation: the tokens appear as the worker produces them, with tokens/s and the next-token bars of each step;
// when it ends the attention maps get the prompt + generated text.
import { h } from '../../course/shell.mjs';
import { probsBars } from './probs-bars.mjs';

const $ = (id) => document.getElementById(id);

export function generatePanel(worker, state, attention) {
  const out = $('gen-output');
  let vocab = [];
  const request = () => ({
    type: 'generate', model: $('gen-model').value, prompt: $('gen-prompt').value,
    tokens: Number($('gen-tokens').value), temperature: Number($('gen-temperature').value),
    topK: Number($('gen-topk').value), seed: Number($('gen-seed').value), useCache: $('gen-cache').checked,
  });
  $('gen-run').onclick = () => {
    const job = request();
    vocab = [...((job.model === 'trained' ? state.trainedVocab : state.model?.vocab) ?? '')];
    state.generation = { job, tokens: [], text: null, done: false };
    out.replaceChildren(h('span', { class: 'prompt' }, job.prompt));
    $('gen-run').disabled = true;
    $('gen-stop').disabled = false;
    document.body.dataset.generating = 'true';
    worker.send(job);
  };
  $('gen-stop').onclick = () => worker.send({ type: 'stop-generate' });
  worker.on('token', (t) => {
    state.generation.tokens.push(t.id);
    out.append(t.text);
    out.scrollTop = out.scrollHeight;
    probsBars($('probs'), vocab, t.probs, t.id);
    state.lastProbs = t.probs;
    $('gen-speed').textContent = `${t.tokensPerSec.toFixed(1)} tokens/s`;
  });
  const finish = () => {
    $('gen-run').disabled = false;
    $('gen-stop').disabled = true;
    document.body.dataset.generating = 'false';
  };
  worker.on('generated', (g) => {
    Object.assign(state.generation, { text: g.text, done: true, tokensPerSec: g.tokensPerSec });
    $('gen-speed').textContent = `${g.tokens} tokens, ${g.tokensPerSec.toFixed(1)} tokens/s${g.stopped ? ' (stopped)' : ''}`;
    attention.show(g.attention);
    finish();
  });
  worker.on('error', (e) => { if (e.for === 'generate') finish(); });
}
