// Training in the page: corpus (the packed Austen text when the site ships it, or the student's own text), model
// size and learning rate, live train/validation loss (Chart.js), tokens/s, time left, a sample every other validation,
// pause/resume/stop, a checkpoint in IndexedDB after every validation (offered again after a reload), and the
// trained weights as a safetensors download. "Train on": the reference engine's worker, or the student's own compiled
// modules 02-14 (own-train.mjs), which answer the same messages with the same events, so the charts are the same.
import { h } from '../../course/shell.mjs';
import { loadCheckpoint } from './checkpoint-store.mjs';
import { ownTrainer } from './own-train.mjs';

const $ = (id) => document.getElementById(id);
const num = (id) => Number($(id).value);

// Text from a file or the text box: valid UTF-8 without NUL bytes, else a message saying so.
export function checkText(bytesOrString) {
  let text = bytesOrString;
  if (typeof text !== 'string') {
    try { text = new TextDecoder('utf-8', { fatal: true }).decode(bytesOrString); }
    catch { throw new Error('this file is not text (it is not valid UTF-8)'); }
  }
  if (text.includes('\0')) throw new Error('this file is not text (it contains NUL bytes)');
  return text;
}

export function trainPanel(reference, state) {
  const train = (state.training = { losses: [], validation: [], samples: [], status: 'idle' });
  const own = ownTrainer();
  let worker = reference;  // the engine of the training under way
  const engineChoice = () => document.querySelector('input[name="train-engine"]:checked')?.value ?? 'reference';
  const on = (type, fn) => { reference.on(type, fn); own.on(type, fn); };
  own.on('own-status', ({ text }) => { $('train-own-status').textContent = text; });
  own.on('error', (e) => {
    if (e.for !== 'train') return;
    $('train-own-error').hidden = false;
    $('train-own-error').textContent = e.message;
    $('train-status').textContent = 'Training on your build failed.';
    state.errors?.push(e);
  });
  let fileText = '';  // the chosen file's text; the text box wins when it is not empty
  const chart = new Chart($('train-chart'), {
    type: 'line',
    data: { datasets: [{ label: 'train loss', data: [], borderColor: '#3b6fd8', pointRadius: 0 },
                       { label: 'validation loss', data: [], borderColor: '#d8833b' }] },
    options: { animation: false, parsing: false, maintainAspectRatio: false,
               scales: { x: { type: 'linear', title: { display: true, text: 'step' } },
                         y: { title: { display: true, text: 'nats / character' } } } },
  });
  const config = () => ({ block_size: num('train-block'), n_layer: num('train-layers'), n_head: num('train-heads'),
                          n_embd: num('train-width'), tie_weights: true });
  const options = () => ({ batch: num('train-batch'), lr: num('train-lr'), maxSteps: num('train-steps'), seed: 0,
                           valFraction: 0.1, warmup: Math.min(100, Math.ceil(num('train-steps') / 10)) });
  const sizeText = () => {
    const c = config(), V = 80, C = c.n_embd;
    const p = V * C + c.block_size * C + c.n_layer * (12 * C * C + 13 * C) + 2 * C;
    $('train-size').textContent = `≈ ${(p / 1e6).toFixed(2)} M parameters (for ~80 characters)`;
  };
  for (const id of ['train-block', 'train-layers', 'train-heads', 'train-width']) $(id).oninput = sizeText;
  sizeText();

  // The Austen text is in the site when the build had it (datasets/texts.json lists the packed corpora).
  fetch(new URL('../../../datasets/texts.json', import.meta.url)).then((r) => (r.ok ? r.json() : [])).catch(() => [])
    .then((texts) => {
      const austen = texts.find((t) => t.name === 'austen.txt');
      train.austen = !!austen;
      if (austen) {
        $('corpus-status').textContent = `austen.txt, ${(austen.bytes / 1e6).toFixed(1)} MB`;
        return;
      }
      $('train-corpus').querySelector('option[value=austen]').disabled = true;
      $('train-corpus').value = 'own';
      $('own-text').hidden = false;
      $('corpus-status').textContent = 'The Austen corpus is not in this build: use your own text.';
    });
  $('train-corpus').onchange = () => { $('own-text').hidden = $('train-corpus').value !== 'own'; };
  $('own-file').onchange = async () => {
    const file = $('own-file').files[0];
    try { fileText = checkText(new Uint8Array(await file.arrayBuffer())); $('corpus-status').textContent = `${file.name}: ${fileText.length.toLocaleString()} characters`; }
    catch (e) { fileText = ''; $('corpus-status').textContent = `${file.name}: ${e.message}`; }
  };

  const running = (on) => {
    $('train-start').disabled = on;
    $('train-pause').disabled = !on;
    $('train-stop').disabled = !on;
    $('train-resume-saved').hidden = true;
    for (const radio of document.querySelectorAll('input[name="train-engine"]')) radio.disabled = on;
  };
  function start(resume) {
    let corpus = { kind: 'austen', name: 'austen.txt' };
    if (!resume && $('train-corpus').value === 'own') {
      let ownText;
      try { ownText = $('own-textarea').value ? checkText($('own-textarea').value) : fileText; }
      catch (e) { $('train-status').textContent = e.message; return; }
      const need = 20 * (num('train-block') + 1);
      if (ownText.length < need) {
        $('train-status').textContent = `Your text is too short: ${ownText.length} characters, a context of ` +
          `${num('train-block')} needs at least ${need}.`;
        return;
      }
      corpus = { kind: 'own', name: 'your text', text: ownText };
    }
    worker = engineChoice() === 'mine' ? own : reference;
    train.engine = engineChoice();
    train.status = 'starting';
    $('train-own-error').hidden = true;
    $('train-own-status').textContent = '';
    train.losses = []; train.validation = []; train.samples = []; train.rates = [];
    chart.data.datasets[0].data = train.losses; chart.data.datasets[1].data = train.validation;
    $('train-samples').replaceChildren();
    running(true);
    $('train-status').textContent = resume ? 'resuming…' : 'starting…';
    // validation (and a checkpoint) every 100 steps, or 10 times in a short run
    const evalEvery = Math.max(10, Math.min(100, Math.round(num('train-steps') / 100) * 10));
    worker.send({ type: 'train', corpus, config: config(), options: options(), resume, evalEvery, sampleEvery: 2 * evalEvery,
                  sliceSteps: 5 });
  }
  $('train-start').onclick = () => start(false);
  $('train-resume-saved').onclick = () => start(true);
  $('train-pause').onclick = () => worker.send({ type: ['paused', 'pausing'].includes(train.status) ? 'resume' : 'pause' });
  $('train-stop').onclick = () => worker.send({ type: 'stop' });
  $('train-download').onclick = () => worker.send({ type: 'export' });

  on('train-started', (s) => {
    Object.assign(train, { status: 'running', split: s.split, startStep: s.step, resumed: s.resumed, t0: performance.now() });
    state.trainedVocab = s.vocab;  // the generate panel's bars for the trained model
    $('train-download').disabled = false;
    $('train-status').textContent = `${s.resumed ? 'resumed at step ' + s.step + ', ' : ''}${s.parameters.toLocaleString()} parameters, ` +
      `${s.split.train.toLocaleString()} training / ${s.split.validation.toLocaleString()} validation characters`;
  });
  on('progress', (p) => {
    train.losses.push({ x: p.step, y: p.loss });
    train.rates.push(p.tokensPerSec);
    train.step = p.step;
    const perStep = (performance.now() - train.t0) / Math.max(1, p.step - train.startStep);
    const left = ((p.maxSteps - p.step) * perStep) / 1000;
    $('train-status').textContent = `step ${p.step} / ${p.maxSteps} · loss ${p.loss.toFixed(3)} · ` +
      `${Math.round(p.tokensPerSec).toLocaleString()} tokens/s · ${Math.floor(left / 60)} min ${Math.round(left % 60)} s left`;
    chart.update('none');
  });
  on('validation', (v) => { train.validation.push({ x: v.step, y: v.loss }); chart.update('none'); });
  on('checkpoint', (c) => { train.checkpointStep = c.step; });
  on('sample', (s) => {
    train.samples.push(s);
    $('train-samples').prepend(h('div', {}, h('strong', {}, `step ${s.step}: `), s.text));
  });
  on('train-state', (s) => {
    train.status = s.state;
    $('train-pause').textContent = s.state === 'paused' ? 'Resume' : s.state === 'pausing' ? 'Pausing after this chunk…' : 'Pause';
    if (s.state === 'stopped' || s.state === 'finished') {
      running(false);
      $('train-status').textContent += ` — ${s.state} at step ${s.step}`;
    }
  });
  on('error', (e) => { if (e.for === 'train') { running(false); train.status = 'failed'; } });
  on('weights', ({ bytes }) => {
    const a = h('a', { href: URL.createObjectURL(new Blob([bytes])), download: 'tinygpt-trained.safetensors' });
    a.click();
    state.downloadedBytes = bytes.length;
  });

  // A checkpoint from an earlier visit: offer to continue it.
  loadCheckpoint().then((saved) => {
    if (!saved) return;
    train.saved = { step: saved.step, corpus: saved.corpus.name };
    $('train-resume-saved').hidden = false;
    $('train-resume-saved').textContent = `Resume from the saved checkpoint (step ${saved.step}, ${saved.corpus.name})`;
  }).catch(() => {});
}
