// Score against file size of the ranked entries (Chart.js, vendored as a global script like the other milestone
// pages): where the trade-off winners sit. One chart, redrawn in place when the board changes.
import { metricLabel, metricOf, scoreOf } from '../milestones/competition/format.mjs';

export function scatterChart(canvas) {
  if (typeof Chart === 'undefined') return { draw() {} };
  const chart = new Chart(canvas, {
    type: 'scatter',
    data: { datasets: [{ label: 'ranked submissions', data: [], pointRadius: 5, backgroundColor: '#b53d0b' }] },
    options: {
      animation: false, responsive: true, maintainAspectRatio: false,
      scales: { x: { type: 'logarithmic', title: { display: true, text: 'file size (KB)' } }, y: { title: { display: true, text: '' } } },
      plugins: { legend: { display: false },
        tooltip: { callbacks: { label: (c) => `${c.raw.name}: ${c.raw.y} at ${c.raw.x.toFixed(0)} KB` } } },
    },
  });
  return {
    draw(task, board) {
      const metric = metricOf(task);
      const scale = metric === 'accuracy' ? 100 : 1;
      chart.data.datasets[0].data = board.entries.map((e) => ({ x: e.bytes / 1024, y: +(scoreOf(e, metric, board.final) * scale).toFixed(3), name: e.name }));
      chart.options.scales.y.title.text = metric === 'accuracy' ? 'accuracy (%)' : metricLabel(task);
      chart.update();
      canvas.closest('#scatter-area').hidden = board.entries.length === 0;
    },
  };
}
