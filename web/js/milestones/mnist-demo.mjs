// The MNIST demo: the pretrained MLP on a canvas drawing (prepared as MNIST prepares its digits, digit.mjs) with live
// class probabilities, or on a held-out test digit fed exactly as `tt eval` feeds it; and its held-out accuracy.
import { accuracyButton } from './accuracy-run.mjs';
import { grayOf, toMnistInput } from './digit.mjs';

const $ = (id) => document.getElementById(id);

// mnist: {model, card} (assets.mjs loadClassifier); testSet: the engine's ImageDataset of mnist-test.
export function showMnist({ model, card }, testSet) {
  const canvas = $('draw'), ctx = canvas.getContext('2d', { willReadFrequently: true });
  const chart = new Chart($('mnist-chart'), {
    type: 'bar',
    data: { labels: [...'0123456789'], datasets: [{ label: 'probability', data: new Array(10).fill(0), backgroundColor: '#c2410c' }] },
    options: { animation: false, maintainAspectRatio: false, scales: { y: { min: 0, max: 1 } }, plugins: { legend: { display: false } } },
  });
  const clear = () => { ctx.fillStyle = '#000'; ctx.fillRect(0, 0, canvas.width, canvas.height); };
  const show = (input) => {
    const probs = input ? model.predict(input, 1) : new Float32Array(10);
    chart.data.datasets[0].data = Array.from(probs);
    chart.update();
    let best = 0;
    for (let k = 1; k < 10; k++) if (probs[k] > probs[best]) best = k;
    $('mnist-prediction').textContent = input ? `${best} (${(100 * probs[best]).toFixed(1)}%)` : '—';
    document.body.dataset.mnistPrediction = input ? String(best) : '';
  };
  const predictDrawing = () => show(toMnistInput(grayOf(ctx.getImageData(0, 0, canvas.width, canvas.height)), canvas.width));
  let drawing = false, last = null;
  const at = (e) => { const r = canvas.getBoundingClientRect(); return [(e.clientX - r.left) * canvas.width / r.width, (e.clientY - r.top) * canvas.height / r.height]; };
  canvas.addEventListener('pointerdown', (e) => { drawing = true; last = at(e); canvas.setPointerCapture(e.pointerId); $('draw-truth').textContent = ''; });
  canvas.addEventListener('pointermove', (e) => {
    if (!drawing) return;
    const p = at(e);
    ctx.strokeStyle = '#fff'; ctx.lineWidth = 22; ctx.lineCap = 'round';
    ctx.beginPath(); ctx.moveTo(...last); ctx.lineTo(...p); ctx.stroke();
    last = p;
    predictDrawing();
  });
  canvas.addEventListener('pointerup', () => { drawing = false; predictDrawing(); });
  $('draw-clear').onclick = () => { clear(); show(null); $('draw-truth').textContent = ''; };
  // A held-out digit goes through the engine exactly as `tt eval` feeds it (pixel / 255), not through the canvas.
  let sample = 0;
  $('draw-sample').onclick = () => {
    const i = sample++ % testSet.count();
    const img = testSet.image(i), small = new ImageData(28, 28);
    for (let k = 0; k < 784; k++) small.data.set([img[k], img[k], img[k], 255], 4 * k);
    const tmp = new OffscreenCanvas(28, 28);
    tmp.getContext('2d').putImageData(small, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(tmp, 0, 0, canvas.width, canvas.height);
    show(testSet.batch(i, 1));
    $('draw-truth').textContent = `held-out digit #${i}, label ${testSet.label(i)}`;
  };
  clear();
  show(null);
  accuracyButton($('mnist-run'), { model: 'mnist-mlp', dataset: 'mnist-test' }, $('mnist-progress'), $('mnist-accuracy'), card);
}
