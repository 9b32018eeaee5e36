// The next-token distribution of the current step as bars: the most likely characters, the drawn one highlighted.
import { h } from '../../course/shell.mjs';

const show = (c) => (c === '\n' ? '⏎' : c === ' ' ? '␠' : c);

export function probsBars(container, vocab, probs, chosen, count = 10) {
  const ids = [...probs.keys()].sort((a, b) => probs[b] - probs[a]).slice(0, count).filter((i) => probs[i] > 0);
  container.replaceChildren(...ids.flatMap((i) => [
    h('span', {}, show(vocab[i])),
    h('div', { class: i === chosen ? 'bar chosen' : 'bar', style: `width: ${(probs[i] * 100).toFixed(1)}%` }),
    h('span', {}, `${(probs[i] * 100).toFixed(1)}%`),
  ]));
}
