// An image classifier's gallery (24 test images with predicted and true classes) and its confusion matrix: shared by
// the Fashion-MNIST and CIFAR-10 demos.
import { h } from '../course/shell.mjs';
import { loadClassifier, loadDataset, loadDatasetFile } from './assets.mjs';

function imageCanvas(bytes, c, height, w) {
  const canvas = h('canvas', { width: String(w), height: String(height) });
  const image = new ImageData(w, height);
  for (let k = 0; k < height * w; k++) {
    const r = bytes[k], g = c === 3 ? bytes[height * w + k] : r, b = c === 3 ? bytes[2 * height * w + k] : r;
    image.data.set([r, g, b, 255], 4 * k);
  }
  canvas.getContext('2d').putImageData(image, 0, 0);
  return canvas;
}

function gallery(container, model, data, classes, start, count = 24) {
  const predicted = model.classify(data, start, count);
  container.replaceChildren(...Array.from(predicted, (p, i) => {
    const truth = data.label(start + i);
    return h('figure', { class: p === truth ? 'right' : 'wrong', 'data-index': String(start + i) },
      imageCanvas(data.image(start + i), data.channels(), data.height(), data.width()),
      h('figcaption', {}, classes[p], h('span', { class: 'truth' }, p === truth ? '✓' : `true: ${classes[truth]}`)));
  }));
}

export function confusionTable(confusion, classes) {
  const max = Math.max(...confusion.flat());
  const header = h('tr', {}, h('th', {}, 'true ↓ / predicted →'), ...classes.map((c) => h('th', {}, c)));
  const rows = confusion.map((row, t) => h('tr', {}, h('th', {}, classes[t]), ...row.map((n, p) => {
    const td = h('td', {}, String(n));
    const a = n / max;
    td.style.background = t === p ? `rgba(46,125,50,${0.15 + 0.6 * a})` : n ? `rgba(198,40,40,${0.1 + 2 * a})` : '';
    return td;
  })));
  return h('table', { class: 'confusion' }, h('thead', {}, header), h('tbody', {}, ...rows));
}

// The asset `name` on the data set `dataset` (a name in datasets/, or a site path ending in .ttds), its first 24
// images shown in the element with id `containerId`; next() pages on through the test set.
export async function showGallery(M, name, dataset, containerId) {
  const { model, card } = await loadClassifier(M, name);
  const data = await (dataset.endsWith('.ttds') ? loadDatasetFile(M, dataset) : loadDataset(M, dataset));
  let start = 0;
  gallery(document.getElementById(containerId), model, data, card.classes, start);
  return { model, data, card, next: () => { start = (start + 24) % (data.count() - 24); gallery(document.getElementById(containerId), model, data, card.classes, start); } };
}
