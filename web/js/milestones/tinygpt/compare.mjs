// "Compare with vision models": milestone 2's Fashion-MNIST CNN (its asset's card gives the architecture, the engine
// counts and measures the rest) and this GPT side by side — parameters, forward FLOPs per training example, the
// activation memory autograd keeps per example, and the training time — each as GPT / CNN on a log chart.
import { h } from '../../course/shell.mjs';
import { fetchJSON } from '../assets.mjs';

const $ = (id) => document.getElementById(id);
const fmt = (n) => (n >= 1e9 ? `${(n / 1e9).toFixed(2)} G` : n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : String(Math.round(n)));

export function comparePanel(worker, state) {
  let chart = null;
  $('compare-run').onclick = async () => {
    const cnn = await fetchJSON('assets/fashion-cnn.json');
    state.cnnCard = cnn;
    worker.send({ type: 'costs', cnn: { architecture: cnn.architecture, input_shape: cnn.input_shape } });
  };
  worker.on('costs', ({ gpt, cnn }) => {
    const card = state.cnnCard, gptCard = state.model?.card;
    const rows = [
      ['parameters', cnn.parameters, gpt.parameters],
      ['forward FLOPs per example', cnn.flops, gpt.flops],
      ['activation bytes per example', cnn.activation_bytes, gpt.activation_bytes],
      ['training seconds (model card)', card.training?.seconds ?? null, gptCard?.training?.seconds ?? null],
    ];
    state.compare = { gpt, cnn, rows };
    $('compare-table').replaceChildren(
      h('tr', {}, h('th', {}, ''), h('th', {}, 'Fashion CNN'), h('th', {}, `GPT (window of ${gpt.T})`)),
      ...rows.map(([name, a, b]) => h('tr', {}, h('td', {}, name), h('td', {}, a == null ? '—' : fmt(a)), h('td', {}, b == null ? '—' : fmt(b)))));
    chart?.destroy();
    const shown = rows.filter(([, a, b]) => a != null && b != null);
    chart = new Chart($('compare-chart'), {
      type: 'bar',
      data: { labels: shown.map((r) => r[0]),
              datasets: [{ label: 'Fashion CNN', data: shown.map((r) => r[1]), backgroundColor: '#3b6fd8' },
                         { label: 'GPT', data: shown.map((r) => r[2]), backgroundColor: '#d8833b' }] },
      options: { animation: false, maintainAspectRatio: false, scales: { y: { type: 'logarithmic' } } },
    });
  });
}
