// Live loss and accuracy charts (Chart.js, loaded by the page as the site's other pages do): training points as
// the worker reports them, validation points at every epoch's end; x is in epochs (1.5 = half-way through the
// second epoch). history = {train: [{x, loss, acc}], validation: [{x, loss, acc}]} is what a checkpoint keeps.
const COLORS = { train: '#2563eb', validation: '#c2410c' };

function lineChart(canvas, title, yOptions) {
  return new Chart(canvas, {
    type: 'line',
    data: { datasets: ['train', 'validation'].map((split) => ({ label: `${split}`, data: [], borderColor: COLORS[split],
      backgroundColor: COLORS[split], pointRadius: split === 'validation' ? 3 : 0, borderWidth: 1.5, tension: 0.1 })) },
    options: { animation: false, maintainAspectRatio: false, parsing: false, normalized: true,
      scales: { x: { type: 'linear', title: { display: true, text: 'epoch' }, min: 0 }, y: yOptions },
      plugins: { title: { display: true, text: title } } },
  });
}

export function trainingCharts(lossCanvas, accCanvas) {
  const loss = lineChart(lossCanvas, 'Loss (cross-entropy)', { beginAtZero: true });
  const acc = lineChart(accCanvas, 'Accuracy', { min: 0, max: 1 });
  let history = { train: [], validation: [] };
  let pending = false;
  const draw = () => {
    pending = false;
    for (const [chart, key] of [[loss, 'loss'], [acc, 'acc']]) {
      chart.data.datasets[0].data = history.train.map((p) => ({ x: p.x, y: p[key] }));
      chart.data.datasets[1].data = history.validation.map((p) => ({ x: p.x, y: p[key] }));
      chart.update('none');
    }
    lossCanvas.dataset.trainPoints = String(history.train.length);
    lossCanvas.dataset.validationPoints = String(history.validation.length);
  };
  const redraw = () => { if (!pending) { pending = true; requestAnimationFrame(draw); } };
  return {
    add(split, point) { history[split].push(point); redraw(); },
    reset(h = { train: [], validation: [] }) { history = { train: [...h.train], validation: [...h.validation] }; draw(); },
    // the points up to epoch x (a resumed run drops what came after its checkpoint)
    until(x) { return { train: history.train.filter((p) => p.x <= x), validation: history.validation.filter((p) => p.x <= x) }; },
    history: () => history,
  };
}
