// Test predictions with the model's three most likely classes as bars.
import { h } from '../../course/shell.mjs';
import { drawImage } from './filters.mjs';

export function topK(probs, k = 3) {
  return Array.from(probs, (p, c) => ({ c, p })).sort((a, b) => b.p - a.p || a.c - b.c).slice(0, k);
}

// items: [{index, image, label, probs}]
export function showPredictions(container, items, classes, shape) {
  container.replaceChildren(...items.map((item) => {
    const top = topK(item.probs);
    const right = top[0].c === item.label;
    return h('figure', { class: right ? 'right' : 'wrong', 'data-index': String(item.index), 'data-predicted': String(top[0].c) },
      drawImage(h('canvas'), item.image, shape),
      h('figcaption', {}, `#${item.index} — true: ${classes[item.label]}`,
        ...top.map(({ c, p }) => h('div', { class: 'bar' }, h('span', { class: 'fill', style: `width: ${Math.round(80 * p)}px` }),
          `${classes[c]} ${(100 * p).toFixed(1)}%`))));
  }));
}
