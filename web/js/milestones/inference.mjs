// Milestone 1 page (milestone-inference.html): XOR decision boundary, draw-a-digit MNIST with live probabilities,
// a Fashion-MNIST CNN gallery with a confusion matrix, and CIFAR-10 when its weights exist. Models and data come
// from assets/ and datasets/; long runs go to inference-worker.mjs. Gated on modules 01-05 by the course's progress store (gate.mjs).
import { loadEngine } from '../engine.mjs';
import { assetIndex, loadClassifier, loadDataset } from './assets.mjs';
import { milestoneGate } from './gate.mjs';
import { openStore } from '../course/shell.mjs';
import { OWN_MODULES, referenceRun, studentFramework, studentRun } from './own-build.mjs';
import { grayOf, toMnistInput } from './digit.mjs';

const $ = (id) => document.getElementById(id);
const el = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) k === 'class' ? (e.className = v) : e.setAttribute(k, v);
  e.append(...children);
  return e;
};
const percent = (correct, total) => `${(100 * correct / total).toFixed(2)}%`;

// ---- XOR ---------------------------------------------------------------------------------------------------
function showXor(M, model) {
  const canvas = $('xor-canvas'), ctx = canvas.getContext('2d');
  const N = 60, lo = -0.25, hi = 1.25;  // a 60x60 grid over [-0.25, 1.25]^2, one batch
  const grid = new Float32Array(N * N * 2);
  for (let j = 0; j < N; j++)
    for (let i = 0; i < N; i++) {
      grid[2 * (j * N + i)] = lo + ((i + 0.5) / N) * (hi - lo);
      grid[2 * (j * N + i) + 1] = hi - ((j + 0.5) / N) * (hi - lo);  // y grows upwards
    }
  const probs = model.predict(grid, N * N);
  const image = ctx.createImageData(N, N);
  for (let k = 0; k < N * N; k++) {
    const p = probs[2 * k + 1];  // P(class 1): orange; P(class 0): blue
    image.data.set([Math.round(40 + 200 * p), Math.round(100 + 40 * (1 - Math.abs(2 * p - 1))), Math.round(230 - 200 * p), 255], 4 * k);
  }
  const small = new OffscreenCanvas(N, N);
  small.getContext('2d').putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(small, 0, 0, canvas.width, canvas.height);
  const points = new Float32Array([0, 0, 0, 1, 1, 0, 1, 1]);
  const p = model.predict(points, 4);
  const rows = [];
  for (let k = 0; k < 4; k++) {
    const x = points[2 * k], y = points[2 * k + 1], cls = p[2 * k + 1] > 0.5 ? 1 : 0;
    const px = ((x - lo) / (hi - lo)) * canvas.width, py = ((hi - y) / (hi - lo)) * canvas.height;
    ctx.beginPath();
    ctx.arc(px, py, 7, 0, 2 * Math.PI);
    ctx.fillStyle = (x ^ y) ? '#c2410c' : '#1d4ed8';
    ctx.fill();
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = 2;
    ctx.stroke();
    rows.push(el('tr', { 'data-xor': `${x}${y}` }, el('td', {}, String(x)), el('td', {}, String(y)),
      el('td', {}, p[2 * k + 1].toFixed(3)), el('td', { class: 'class' }, String(cls))));
  }
  $('xor-table').tBodies[0].replaceChildren(...rows);
}

// ---- MNIST: draw a digit ------------------------------------------------------------------------------------
function showMnist(M, model, testSet) {
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
}

// ---- accuracy runs in the worker ----------------------------------------------------------------------------
function runInWorker(job, progress) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./inference-worker.mjs', import.meta.url), { type: 'module' });
    worker.onmessage = ({ data }) => {
      if (data.type === 'progress') { progress.max = data.total; progress.value = data.done; return; }
      worker.terminate();
      data.type === 'result' ? resolve(data) : reject(new Error(data.message));
    };
    worker.onerror = (e) => { worker.terminate(); reject(new Error(e.message)); };
    worker.postMessage(job);
  });
}

function accuracyButton(button, job, progress, output, card, after = () => {}) {
  button.onclick = async () => {
    button.disabled = true;
    output.textContent = 'running…';
    try {
      const r = await runInWorker(job, progress);
      output.textContent = `${r.correct}/${r.total} = ${percent(r.correct, r.total)} in ${(r.ms / 1000).toFixed(1)} s ` +
        `(model card, native engine: ${card.test_correct}/${card.test_count} = ${percent(card.test_correct, card.test_count)})`;
      output.dataset.correct = String(r.correct);
      after(r);
    } catch (error) {
      output.textContent = `failed: ${error.message}`;
    } finally {
      button.disabled = false;
    }
  };
}

// ---- Fashion-MNIST ------------------------------------------------------------------------------------------
function imageCanvas(bytes, c, h, w) {
  const canvas = el('canvas', { width: String(w), height: String(h) });
  const image = new ImageData(w, h);
  for (let k = 0; k < h * w; k++) {
    const r = bytes[k], g = c === 3 ? bytes[h * w + k] : r, b = c === 3 ? bytes[2 * h * w + k] : r;
    image.data.set([r, g, b, 255], 4 * k);
  }
  canvas.getContext('2d').putImageData(image, 0, 0);
  return canvas;
}

function gallery(container, model, data, classes, start, count = 24) {
  const predicted = model.classify(data, start, count);
  container.replaceChildren(...Array.from(predicted, (p, i) => {
    const truth = data.label(start + i);
    return el('figure', { class: p === truth ? 'right' : 'wrong', 'data-index': String(start + i) },
      imageCanvas(data.image(start + i), data.channels(), data.height(), data.width()),
      el('figcaption', {}, classes[p], el('span', { class: 'truth' }, p === truth ? '✓' : `true: ${classes[truth]}`)));
  }));
}

function confusionTable(confusion, classes) {
  const max = Math.max(...confusion.flat());
  const header = el('tr', {}, el('th', {}, 'true ↓ / predicted →'), ...classes.map((c) => el('th', {}, c)));
  const rows = confusion.map((row, t) => el('tr', {}, el('th', {}, classes[t]), ...row.map((n, p) => {
    const td = el('td', {}, String(n));
    const a = n / max;
    td.style.background = t === p ? `rgba(46,125,50,${0.15 + 0.6 * a})` : n ? `rgba(198,40,40,${0.1 + 2 * a})` : '';
    return td;
  })));
  return el('table', { class: 'confusion' }, el('thead', {}, header), el('tbody', {}, ...rows));
}

async function showClassifierSection(M, name, dataset, prefix) {
  const { model, card } = await loadClassifier(M, name);
  const data = await loadDataset(M, dataset);
  let start = 0;
  gallery($(`${prefix === 'fashion' ? 'gallery' : 'cifar-gallery'}`), model, data, card.classes, start);
  return { model, data, card, next: () => { start = (start + 24) % (data.count() - 24); gallery($(prefix === 'fashion' ? 'gallery' : 'cifar-gallery'), model, data, card.classes, start); } };
}

async function showCifar(M, index) {
  const body = $('cifar-body');
  if (!index.some((a) => a.name === 'cifar10-cnn')) {
    body.replaceChildren(el('p', {}, 'No CIFAR-10 weights in this build. CIFAR-10 (170 MB) is not bundled; with internet, ' +
      'produce the weights natively and rebuild the site:'),
      el('pre', {}, 'datasets/download-cifar10.sh        # checks the SHA-256, unpacks into build/cifar10, packs the test set\n' +
        'build/native/tt train cifar10-cnn   # writes assets/cifar10-cnn.safetensors + .json\n' +
        'make site'));
    document.body.dataset.cifar = 'absent';
    return;
  }
  body.replaceChildren(el('p', {}, 'A CNN trained natively on CIFAR-10, on its test images:'), el('div', { id: 'cifar-gallery', class: 'gallery' }));
  try {
    await showClassifierSection(M, 'cifar10-cnn', 'cifar10-test', 'cifar');
    document.body.dataset.cifar = 'ready';
  } catch (error) {
    body.append(el('p', { class: 'error' }, `CIFAR-10 test images are not in this site (${error.message}).`));
    document.body.dataset.cifar = 'no-data';
  }
}

// ---- your own compiled modules: the MNIST MLP on the student's build vs the reference ------------------------
const OWN_BATCH = 16;  // the first held-out digits, one batch
function ownBuildSwitch(mnist, testSet) {
  const box = $('own'), status = $('own-status'), result = $('own-result');
  let busy = false;
  const setStatus = (text) => { status.textContent = text; };
  const fail = (message) => {
    result.dataset.state = 'error';
    result.replaceChildren(el('pre', { class: 'error' }, message));
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
      const row = (name, preds) => el('tr', {}, el('th', {}, name), ...preds.map((p) => el('td', {}, String(p))));
      result.replaceChildren(
        el('table', { class: 'probs own-predictions' },
          el('thead', {}, el('tr', {}, el('th', {}, 'held-out digit'), ...labels.map((_, i) => el('th', {}, `#${i}`)))),
          el('tbody', {}, row('label', labels), row('your build', mine.predictions), row('reference', ref.predictions))),
        el('p', {}, 'Agree: ', el('strong', { id: 'own-agree' }, agree ? 'yes' : 'no'), ` (${same}/${OWN_BATCH} predictions the same)`),
        el('p', {}, `Latency per batch of ${OWN_BATCH} images: your build `, el('strong', { id: 'own-ms' }, `${mine.ms.toFixed(3)} ms`),
          ', reference engine ', el('strong', { id: 'ref-ms' }, `${ref.ms.toFixed(3)} ms`),
          el('span', { class: 'muted' }, ' (median; your build: scalar C++ compiled in the page; reference: wasm + SIMD)')));
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

// ---- page -------------------------------------------------------------------------------------------------
async function main() {
  const gate = await milestoneGate('inference');
  if (!gate.unlocked) {
    $('locked-remaining').textContent = gate.remaining.join(', ');
    $('locked').hidden = false;
    document.body.dataset.state = 'locked';
    return;
  }
  $('content').hidden = false;
  const M = await loadEngine();
  const env = M.environment();
  $('env-build').textContent = env.build;
  $('env-simd-arch').textContent = env.simdArch;
  $('env-simd-width').textContent = String(env.simdWidth);
  $('env-threads').textContent = String(M.numThreads());
  const index = await assetIndex();

  const xor = await loadClassifier(M, 'xor-mlp');
  showXor(M, xor.model);

  const mnist = await loadClassifier(M, 'mnist-mlp');
  const mnistTest = await loadDataset(M, 'mnist-test');
  showMnist(M, mnist.model, mnistTest);
  accuracyButton($('mnist-run'), { model: 'mnist-mlp', dataset: 'mnist-test' }, $('mnist-progress'), $('mnist-accuracy'), mnist.card);
  ownBuildSwitch(mnist, mnistTest);

  const fashion = await showClassifierSection(M, 'fashion-cnn', 'fashion-mnist-test', 'fashion');
  $('gallery-next').onclick = fashion.next;
  accuracyButton($('fashion-run'), { model: 'fashion-cnn', dataset: 'fashion-mnist-test' }, $('fashion-progress'),
    $('fashion-accuracy'), fashion.card, (r) => $('confusion').replaceChildren(confusionTable(r.confusion, fashion.card.classes)));

  await showCifar(M, index);
  document.body.dataset.state = 'ready';
}

main().catch((error) => {
  document.body.dataset.state = 'failed';
  document.querySelector('main').prepend(el('p', { class: 'card error' }, `The milestone could not start: ${error.message}`));
  console.error(error);
});
