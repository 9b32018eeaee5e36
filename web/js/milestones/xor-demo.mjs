// The XOR demo: the pretrained MLP's decision boundary over [-0.25, 1.25]², a 60×60 grid of points through the
// engine as one batch, and the four XOR points with their predicted class.
import { h } from '../course/shell.mjs';

export function showXor(model) {
  const canvas = document.getElementById('xor-canvas'), ctx = canvas.getContext('2d');
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
    rows.push(h('tr', { 'data-xor': `${x}${y}` }, h('td', {}, String(x)), h('td', {}, String(y)),
      h('td', {}, p[2 * k + 1].toFixed(3)), h('td', { class: 'class' }, String(cls))));
  }
  document.getElementById('xor-table').tBodies[0].replaceChildren(...rows);
}
