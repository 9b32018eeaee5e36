// First-layer filters and feature maps as small grey (or colour, for 3-channel filters) pictures, each scaled to
// its own min..max so that the pattern shows whatever the weights' scale.
const SCALE = 8;  // screen pixels per filter weight

function toCanvas(width, height, rgba, scale) {
  const canvas = document.createElement('canvas');
  canvas.width = width; canvas.height = height;
  canvas.style.width = `${width * scale}px`; canvas.style.height = `${height * scale}px`;
  canvas.getContext('2d').putImageData(new ImageData(rgba, width, height), 0, 0);
  return canvas;
}

function rangeOf(data, start, n) {
  let lo = Infinity, hi = -Infinity;
  for (let i = start; i < start + n; i++) { lo = Math.min(lo, data[i]); hi = Math.max(hi, data[i]); }
  return [lo, hi > lo ? hi - lo : 1];
}

// planes: how many of the C channels make the picture (3: RGB, else channel 0 in grey)
function picture(data, offset, channels, h, w, scale) {
  const rgba = new Uint8ClampedArray(h * w * 4);
  const colour = channels === 3;
  const [lo, span] = rangeOf(data, offset, (colour ? 3 : 1) * h * w);
  for (let i = 0; i < h * w; i++) {
    for (let c = 0; c < 3; c++) rgba[4 * i + c] = 255 * (data[offset + (colour ? c : 0) * h * w + i] - lo) / span;
    rgba[4 * i + 3] = 255;
  }
  return toCanvas(w, h, rgba, scale);
}

export function showFilters(container, filters) {
  if (!filters) { container.textContent = 'The model has no convolution.'; return; }
  const [oc, c, kh, kw] = filters.shape;
  container.replaceChildren(...Array.from({ length: oc }, (_, o) => picture(filters.data, o * c * kh * kw, c, kh, kw, SCALE)));
  container.dataset.count = String(oc);
}

export function showFeatureMaps(container, maps) {
  if (!maps) { container.textContent = 'The model has no convolution.'; return; }
  const [c, h, w] = maps.shape;
  const scale = Math.max(1, Math.round(56 / h));
  container.replaceChildren(...Array.from({ length: c }, (_, i) => picture(maps.data, i * h * w, 1, h, w, scale)));
  container.dataset.count = String(c);
}

// An input image (C x H x W bytes) on a canvas.
export function drawImage(canvas, bytes, shape) {
  const [c, h, w] = shape;
  const rgba = new Uint8ClampedArray(h * w * 4);
  for (let i = 0; i < h * w; i++) {
    for (let k = 0; k < 3; k++) rgba[4 * i + k] = bytes[(c === 3 ? k : 0) * h * w + i];
    rgba[4 * i + 3] = 255;
  }
  canvas.width = w; canvas.height = h;
  canvas.getContext('2d').putImageData(new ImageData(rgba, w, h), 0, 0);
  canvas.style.imageRendering = 'pixelated';
  return canvas;
}
