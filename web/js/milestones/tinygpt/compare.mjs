// "Compare with vision models": milestone 2's Fashion-MNIST CNN (its asset's card gives the architecture, the engine
// counts and measures the rest) and this GPT side by side — parameters, forward FLOPs per training example, the
// activation memory autograd keeps per example, and the training time measured in this page's worker (a step of each
// model on the same engine, and this page's own training run when there is one; milestone 2's run in this browser
// when it saved one) — on a log chart; then what each learned, as charts of numbers computed here from the
// pretrained assets (compare-measure.mjs): the CNN's first-layer filters and test accuracy per class, the GPT's
// next-character accuracy per character class, and how far back each attention head looks next to the CNN's
// receptive field.
import { h } from '../../course/shell.mjs';
import { fetchJSON } from '../assets.mjs';
import { loadRun } from '../cnn-training/checkpoint-store.mjs';
import { showFilters } from '../cnn-training/filters.mjs';

const $ = (id) => document.getElementById(id);
const fmt = (n) => (n >= 1e9 ? `${(n / 1e9).toFixed(2)} G` : n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : String(Math.round(n)));
export const fmtMs = (ms) => (ms >= 100 ? ms.toFixed(0) : ms >= 1 ? ms.toFixed(2) : ms.toPrecision(2));

function barChart(canvas, labels, datasets, yTitle, extra = {}) {
  Chart.getChart(canvas)?.destroy();
  return new Chart(canvas, {
    type: 'bar',
    data: { labels, datasets },
    options: { animation: false, maintainAspectRatio: false, ...extra,
               scales: { y: { beginAtZero: true, title: { display: true, text: yTitle } }, ...(extra.scales ?? {}) } },
  });
}

export function comparePanel(worker, state) {
  $('compare-run').onclick = async () => {
    $('compare-run').disabled = true;
    $('compare-status').textContent = 'measuring a training step of each model and what each learned…';
    const cnn = await fetchJSON('assets/fashion-cnn.json');
    state.cnnCard = cnn;
    // milestone 2's own run in this browser, when it saved its speed (cnn-training/page.mjs)
    state.cnnRun = await loadRun().then((run) => (run?.imagesPerSec ? { imagesPerSec: run.imagesPerSec,
      batch: run.setup?.options?.batchSize, architecture: run.setup?.architecture } : null), () => null);
    worker.send({ type: 'costs', cnn, gptBatch: state.model?.card?.training?.batch_size });
  };
  worker.on('error', (e) => { if (e.for === 'costs') { $('compare-run').disabled = false; $('compare-status').textContent = ''; } });
  worker.on('costs', ({ gpt, cnn, timing, learned, pageRun, model }) => {
    $('compare-run').disabled = false;
    $('compare-status').textContent = '';
    const card = state.cnnCard, gptCard = state.model?.card;
    const perExample = { cnn: timing.cnn.msPerStep / timing.cnn.batch, gpt: timing.gpt.msPerStep / timing.gpt.batch };
    const recipeSteps = { cnn: card.training ? Math.ceil(card.data.train_examples / card.training.batch_size) * card.training.epochs : null,
                          gpt: model === 'pretrained' ? gptCard?.training?.steps ?? null : null };
    const rows = [
      ['parameters', cnn.parameters, gpt.parameters, fmt],
      ['forward FLOPs per example', cnn.flops, gpt.flops, fmt],
      ['activation bytes per example', cnn.activation_bytes, gpt.activation_bytes, fmt],
      [`ms per training step, measured here (batch ${timing.cnn.batch} / ${timing.gpt.batch})`, timing.cnn.msPerStep, timing.gpt.msPerStep, fmtMs],
      ['ms per training example, measured here', perExample.cnn, perExample.gpt, fmtMs],
      ['the recipe\'s training at this speed, s', recipeSteps.cnn && (recipeSteps.cnn * timing.cnn.msPerStep) / 1000,
       recipeSteps.gpt && (recipeSteps.gpt * timing.gpt.msPerStep) / 1000, fmt],
      ['ms per step of your run in the page', state.cnnRun?.batch ? (1000 * state.cnnRun.batch) / state.cnnRun.imagesPerSec : null,
       pageRun?.msPerStep ?? null, fmtMs],
    ];
    state.compare = { gpt, cnn, rows: rows.map((r) => r.slice(0, 3)), timing, perExample, learned, pageRun, cnnRun: state.cnnRun, model };
    const cell = (v, f) => h('td', {}, v == null ? '—' : f(v));
    $('compare-table').replaceChildren(
      h('tr', {}, h('th', {}, ''), h('th', {}, 'Fashion CNN'), h('th', {}, `GPT (${model}, window of ${gpt.T})`)),
      ...rows.map(([name, a, b, f]) => h('tr', {}, h('td', {}, name), cell(a, f), cell(b, f))));
    const shown = rows.slice(0, 5);
    barChart($('compare-chart'), shown.map((r) => r[0]),
             [{ label: 'Fashion CNN', data: shown.map((r) => r[1]), backgroundColor: '#3b6fd8' },
              { label: 'GPT', data: shown.map((r) => r[2]), backgroundColor: '#d8833b' }],
             'GPT / CNN, log scale', { scales: { y: { type: 'logarithmic', title: { display: true, text: 'log scale' } } } });
    renderLearned(learned);
  });
}

function renderLearned({ cnn, gpt }) {
  $('learned').hidden = false;
  barChart($('learned-cnn'), cnn.classes,
           [{ label: `CNN: test accuracy per class (${cnn.images} images)`, backgroundColor: '#3b6fd8',
              data: cnn.classes.map((_, k) => (cnn.count[k] ? cnn.correct[k] / cnn.count[k] : 0)) }], 'accuracy', { indexAxis: 'x' });
  const seen = gpt.classes.filter((c) => gpt.byClass[c].count > 0);
  barChart($('learned-gpt'), seen.map((c) => `${c} (${gpt.byClass[c].count})`),
           [{ label: `GPT: next-character accuracy (${gpt.positions} characters)`, backgroundColor: '#d8833b',
              data: seen.map((c) => gpt.byClass[c].correct / gpt.byClass[c].count) },
            { label: 'loss, nats / character (right axis)', backgroundColor: '#e8c39b', yAxisID: 'loss',
              data: seen.map((c) => gpt.byClass[c].loss / gpt.byClass[c].count) }], 'accuracy',
           { scales: { y: { beginAtZero: true, max: 1, title: { display: true, text: 'accuracy' } },
                       loss: { position: 'right', beginAtZero: true, grid: { drawOnChartArea: false },
                               title: { display: true, text: 'nats / character' } } } });
  const heads = gpt.attentionDistance.flatMap((row, l) => row.map((d, hd) => ({ label: `L${l + 1} H${hd + 1}`, d })));
  barChart($('learned-attn'), heads.map((x) => x.label),
           [{ label: `GPT: mean attention distance, characters (window of ${gpt.attentionWindow})`, backgroundColor: '#d8833b',
              data: heads.map((x) => x.d), order: 2 },
            { type: 'line', label: 'uniform attention (a head that learned nothing)', borderColor: '#5b6475', pointRadius: 0,
              data: heads.map(() => gpt.uniformDistance), order: 1 }], 'characters back');
  showFilters($('learned-filters'), cnn.filters);
  $('learned-rf').textContent = `The CNN's receptive field, for comparison: ${cnn.receptiveField.map((r) => `${r.pixels} px after ${r.layer}`).join(', ')} ` +
    '(of a 28 px image) — it looks at a fixed neighbourhood; each attention head learned how far back to look.';
}
