// Attention maps: the weights [L, H, T, T] of the prompt + generated text, one heatmap per layer and head (row =
// query token, column = key token, darker = more weight), and the text with each token shaded by how much the
// hovered token attended to it.
import { h } from '../../course/shell.mjs';

const $ = (id) => document.getElementById(id);
const show = (c) => (c === '\n' ? '⏎\n' : c);

export function attentionMap(state) {
  const canvas = $('attn-canvas'), ctx = canvas.getContext('2d');
  let current = null, hovered = -1;
  const row = (l, hd, q) => {
    const [, H, T] = current.shape;
    const start = ((l * H + hd) * T + q) * T;
    return current.data.subarray(start, start + T);
  };
  function draw() {
    if (!current) return;
    const [, , T] = current.shape, l = Number($('attn-layer').value), hd = Number($('attn-head').value);
    const image = ctx.createImageData(T, T);
    for (let q = 0; q < T; q++) {
      const r = row(l, hd, q);
      for (let k = 0; k < T; k++) {
        const v = Math.sqrt(r[k]), o = (q * T + k) * 4;  // sqrt: small weights stay visible
        image.data[o] = 255 - 200 * v; image.data[o + 1] = 255 - 150 * v; image.data[o + 2] = 255 - 40 * v;
        image.data[o + 3] = q === hovered ? 255 : 235;
      }
    }
    const off = new OffscreenCanvas(T, T);
    off.getContext('2d').putImageData(image, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(off, 0, 0, canvas.width, canvas.height);
    if (hovered >= 0) {
      ctx.strokeStyle = '#d8833b';
      ctx.strokeRect(0, (hovered * canvas.height) / T, canvas.width, canvas.height / T);
    }
    const spans = $('attn-tokens').children;
    const weights = hovered >= 0 ? row(l, hd, hovered) : null;
    for (let k = 0; k < spans.length; k++) {
      spans[k].style.background = weights ? `rgba(59, 111, 216, ${Math.min(1, Math.sqrt(weights[k]))})` : '';
      spans[k].style.outline = k === hovered ? '1px solid #d8833b' : '';
    }
  }
  for (const id of ['attn-layer', 'attn-head']) $(id).onchange = draw;
  return {
    show(attention) {
      current = attention;
      state.attention = attention;
      const [L, H] = attention.shape;
      const options = (n, name) => Array.from({ length: n }, (_, i) => h('option', { value: String(i) }, `${name} ${i}`));
      $('attn-layer').replaceChildren(...options(L, 'layer'));
      $('attn-head').replaceChildren(...options(H, 'head'));
      hovered = -1;
      $('attn-tokens').replaceChildren(...[...attention.text].map((c, i) => {
        const span = h('span', {}, show(c));
        span.onmouseenter = () => { hovered = i; draw(); };
        return span;
      }));
      draw();
    },
  };
}
