// The end of a run: the confusion matrix (milestone 1's table), accuracy per class and the most confused pairs of
// classes with a few of their images. evaluation = {confusion: Int32Array C*C (row = true class), predicted, labels}.
import { h } from '../../course/shell.mjs';
import { confusionTable } from '../gallery.mjs';
import { drawImage } from './filters.mjs';

export function nested(confusion, C) {
  return Array.from({ length: C }, (_, t) => Array.from(confusion.subarray(t * C, t * C + C)));
}

export function showConfusion(container, evaluation, classes) {
  container.replaceChildren(confusionTable(nested(evaluation.confusion, classes.length), classes));
}

export function showPerClass(container, evaluation, classes) {
  const C = classes.length, m = nested(evaluation.confusion, C);
  const rows = m.map((row, t) => {
    const n = row.reduce((a, b) => a + b, 0);
    const acc = n ? row[t] / n : NaN;
    return h('tr', {}, h('th', {}, classes[t]), h('td', {}, n ? `${(100 * acc).toFixed(1)}%` : '—'), h('td', {}, `${row[t]}/${n}`));
  });
  container.replaceChildren(h('table', { class: 'confusion per-class' },
    h('thead', {}, h('tr', {}, h('th', {}, 'class'), h('th', {}, 'accuracy'), h('th', {}, 'correct'))), h('tbody', {}, ...rows)));
}

// The k largest off-diagonal cells: [{truth, predicted, count, examples: [index…]}]
export function confusedPairs(evaluation, C, k = 4, perPair = 4) {
  const cells = [];
  for (let t = 0; t < C; t++) for (let p = 0; p < C; p++) if (t !== p && evaluation.confusion[t * C + p] > 0)
    cells.push({ truth: t, predicted: p, count: evaluation.confusion[t * C + p], examples: [] });
  cells.sort((a, b) => b.count - a.count || a.truth - b.truth || a.predicted - b.predicted);
  const top = cells.slice(0, k);
  for (let i = 0; i < evaluation.predicted.length; i++)
    for (const cell of top)
      if (evaluation.labels[i] === cell.truth && evaluation.predicted[i] === cell.predicted && cell.examples.length < perPair)
        cell.examples.push(i);
  return top;
}

// images: Map index → {image, shape}
export function showPairs(container, pairs, classes, images) {
  if (!pairs.length) { container.textContent = 'No mistakes on the validation set.'; return; }
  container.replaceChildren(...pairs.map((pair) => h('div', { class: 'pair' },
    h('p', {}, `${classes[pair.truth]} taken for ${classes[pair.predicted]}: ${pair.count} times`),
    ...pair.examples.map((i) => h('figure', {}, drawImage(h('canvas'), images.get(i).image, images.get(i).shape),
      h('figcaption', {}, `#${i}`))))));
}
