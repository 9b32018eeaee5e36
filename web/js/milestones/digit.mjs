// Turns a drawing into an MNIST-style input: MNIST digits are white on black, fitted into a 20x20 box by their
// bounding box and centred by their centre of mass in a 28x28 image. A drawing treated the same way is what the
// network saw during training, which matters more for accuracy than anything about the network.

// gray: Float32Array(size*size) in [0, 1] (white ink on black) → Float32Array(784) in [0, 1], or null when empty.
export function toMnistInput(gray, size) {
  let x0 = size, y0 = size, x1 = -1, y1 = -1;
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++)
      if (gray[y * size + x] > 0.05) { x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
  if (x1 < 0) return null;
  const w = x1 - x0 + 1, h = y1 - y0 + 1, scale = 20 / Math.max(w, h);
  const box = new Float32Array(28 * 28);
  // area-average resampling of the bounding box into a (w*scale) x (h*scale) patch, placed at the top-left
  const pw = Math.max(1, Math.round(w * scale)), ph = Math.max(1, Math.round(h * scale));
  for (let py = 0; py < ph; py++)
    for (let px = 0; px < pw; px++) {
      const sx0 = x0 + (px * w) / pw, sx1 = x0 + ((px + 1) * w) / pw;
      const sy0 = y0 + (py * h) / ph, sy1 = y0 + ((py + 1) * h) / ph;
      let sum = 0, n = 0;
      for (let sy = Math.floor(sy0); sy < Math.ceil(sy1); sy++)
        for (let sx = Math.floor(sx0); sx < Math.ceil(sx1); sx++) { sum += gray[sy * size + sx]; n++; }
      box[py * 28 + px] = n ? sum / n : 0;
    }
  // shift so the centre of mass lands on (14, 14)
  let m = 0, cx = 0, cy = 0;
  for (let y = 0; y < ph; y++) for (let x = 0; x < pw; x++) { const v = box[y * 28 + x]; m += v; cx += v * x; cy += v * y; }
  const dx = Math.round(14 - cx / m), dy = Math.round(14 - cy / m);
  const out = new Float32Array(28 * 28);
  for (let y = 0; y < ph; y++)
    for (let x = 0; x < pw; x++) {
      const tx = x + dx, ty = y + dy;
      if (tx >= 0 && tx < 28 && ty >= 0 && ty < 28) out[ty * 28 + tx] = Math.min(1, box[y * 28 + x]);
    }
  return out;
}

// RGBA ImageData of the drawing canvas → gray [0, 1] per pixel (red channel: the ink is white).
export function grayOf(imageData) {
  const { data, width, height } = imageData;
  const gray = new Float32Array(width * height);
  for (let i = 0; i < width * height; i++) gray[i] = data[4 * i] / 255;
  return gray;
}
