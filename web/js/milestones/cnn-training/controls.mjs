// The page's form: data set, model preset and layer list, optimizer and schedule. It reads and writes plain
// settings objects ({dataset, architecture, options, ...}) and knows nothing about the engine.

// The recipes' architectures (engine/cli/recipes.cpp) and their training settings, per data set.
const CNN28 = 'conv:1:16:3:1 relu maxpool:2 conv:16:32:3:1 relu maxpool:2 flatten linear:1568:64 relu linear:64:10';
const CNN32 = 'conv:3:16:3:1 relu maxpool:2 conv:16:32:3:1 relu maxpool:2 flatten linear:2048:64 relu linear:64:10';
const CNN32_WIDE = 'conv:3:32:3:1 bn:32 relu conv:32:32:3:1 bn:32 relu maxpool:2 conv:32:64:3:1 bn:64 relu maxpool:2 ' +
  'conv:64:128:3:1 bn:128 relu maxpool:2 flatten dropout:0.25 linear:2048:10';
// recipe cifar10-cnn: BatchNorm after every conv, one conv at 32x32, two at 16x16 and at 8x8, a global average pool.
const CNN32_BN = 'conv:3:16:3:1 bn:16 relu maxpool:2 conv:16:32:3:1 bn:32 relu conv:32:32:3:1 bn:32 relu maxpool:2 ' +
  'conv:32:64:3:1 bn:64 relu conv:64:64:3:1 bn:64 relu maxpool:2 avgpool:4 flatten linear:64:10';
const SGD = { optimizer: 'sgd', lr: 0.05, momentum: 0.9, weightDecay: 1e-4, schedule: 'cosine', warmup: 0 };
const CIFAR_RECIPE = { ...SGD, weightDecay: 5e-4, batchSize: 64, epochs: 12, cropPadding: 4, flip: true };
export const PRESETS = {
  'fashion-mnist': [
    { name: 'CNN (recipe fashion-cnn)', architecture: CNN28, options: { ...SGD, batchSize: 64, epochs: 5 } },
    { name: 'MLP', architecture: 'flatten linear:784:128 relu linear:128:10', options: { ...SGD, batchSize: 64, epochs: 5 } },
  ],
  mnist: [
    { name: 'CNN', architecture: CNN28, options: { ...SGD, batchSize: 64, epochs: 3 } },
    { name: 'MLP (recipe mnist-mlp)', architecture: 'flatten linear:784:128 relu linear:128:10',
      options: { ...SGD, batchSize: 64, epochs: 10, cropPadding: 2 } },
  ],
  cifar10: [
    { name: 'Small CNN (10 epochs)', architecture: CNN32,
      options: { ...SGD, lr: 0.02, weightDecay: 5e-4, batchSize: 64, epochs: 10, cropPadding: 2, flip: true } },
    { name: 'BatchNorm CNN (recipe cifar10-cnn)', architecture: CNN32_BN, options: CIFAR_RECIPE },
    { name: 'Wider CNN with BatchNorm', architecture: CNN32_WIDE,
      options: { ...SGD, lr: 0.05, weightDecay: 5e-4, batchSize: 128, epochs: 15, cropPadding: 4, flip: true, warmup: 100 } },
  ],
  folder: [
    { name: 'Small CNN', architecture: CNN32,
      options: { ...SGD, lr: 0.02, weightDecay: 5e-4, batchSize: 32, epochs: 10, cropPadding: 2, flip: true } },
    // ~4x the small CNN's FLOPs per image; what the 20-minute CIFAR-10 run of bench/cnn-training-page.mjs trains
    { name: 'BatchNorm CNN (recipe cifar10-cnn)', architecture: CNN32_BN, options: CIFAR_RECIPE },
  ],
};
const DEFAULTS = { cropPadding: 0, flip: false, normalize: true, seed: 1 };

const $ = (id) => document.getElementById(id);
const FIELDS = { optimizer: 'optimizer', lr: 'lr', momentum: 'momentum', weightDecay: 'weight-decay', schedule: 'schedule',
  warmup: 'warmup', batchSize: 'batch-size', epochs: 'epochs', cropPadding: 'crop-padding', flip: 'flip',
  normalize: 'normalize', seed: 'seed' };

// "conv:1:16:3:1 relu …" ⇄ one layer per line
export const layersText = (architecture) => architecture.trim().split(/\s+/).join('\n');
export const architectureOf = (text) => text.trim().split(/\s+/).filter(Boolean).join(' ');

// The preset made to fit the data: the last layer gives `classes` outputs (an image folder has its own number of
// classes), the first conv takes the data's channels, and the first linear after flatten takes what the layers
// before it make of a C x H x W image (an image folder may be resized to 16 or 64 pixels, not the preset's 32); an
// average pool just before flatten pools the whole map at any size.
// Shapes follow engine/models/classifier.h: conv:C:OC:K:padding has stride 1, maxpool:K and avgpool:K stride K.
export function fitArchitecture(architecture, classes, shape) {
  const layers = architecture.split(' ');
  const last = layers.map((l) => l.startsWith('linear:')).lastIndexOf(true);
  if (last >= 0 && classes) { const [, n] = layers[last].split(':'); layers[last] = `linear:${n}:${classes}`; }
  if (!shape) return layers.join(' ');
  let [c, h, w] = shape;
  for (const [i, layer] of layers.entries()) {
    const f = layer.split(':');
    if (f[0] === 'conv') {
      if (i === 0) { f[1] = String(c); layers[0] = f.join(':'); }
      const [k, pad] = [Number(f[3]), Number(f[4])];
      [c, h, w] = [Number(f[2]), h + 2 * pad - k + 1, w + 2 * pad - k + 1];
    } else if (f[0] === 'avgpool' && layers[i + 1] === 'flatten' && h === w && h > 0) {
      // the global average pool before the classifier stays global: avgpool:4 at 32 px is avgpool:2 at 16, :8 at 64
      layers[i] = `avgpool:${h}`;
      [h, w] = [1, 1];
    } else if (f[0] === 'maxpool' || f[0] === 'avgpool') {
      [h, w] = [Math.floor(h / Number(f[1])), Math.floor(w / Number(f[1]))];
    } else if (f[0] === 'flatten') {
      const next = layers.findIndex((l, j) => j > i && l.startsWith('linear:'));
      if (next > i && h > 0 && w > 0) { const g = layers[next].split(':'); g[1] = String(c * h * w); layers[next] = g.join(':'); }
      break;
    }
  }
  return layers.join(' ');
}

export function readOptions() {
  const o = {};
  for (const [key, id] of Object.entries(FIELDS)) {
    const el = $(id);
    o[key] = el.type === 'checkbox' ? el.checked : el.type === 'number' ? Number(el.value) : el.value;
  }
  return o;
}

export function writeOptions(options) {
  for (const [key, value] of Object.entries({ ...DEFAULTS, ...options })) {
    const el = FIELDS[key] && $(FIELDS[key]);
    if (!el) continue;
    if (el.type === 'checkbox') el.checked = Boolean(value);
    else el.value = String(value);
  }
}

export function fillPresets(dataset) {
  $('preset').replaceChildren(...PRESETS[dataset].map((p, i) => new Option(p.name, String(i))));
}
export const currentPreset = () => PRESETS[$('dataset').value][Number($('preset').value) || 0];

export function setFormDisabled(disabled) {
  for (const el of document.querySelectorAll('#setup input, #setup select, #setup textarea, #training input, #training select'))
    el.disabled = disabled;
}

// Space pauses and resumes, except while typing in a field (or on a focused button, which Space presses).
export function onSpace(handler) {
  document.addEventListener('keydown', (event) => {
    if (event.code !== 'Space' || event.repeat) return;
    const t = event.target;
    if (t instanceof HTMLElement && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(t.tagName))) return;
    event.preventDefault();
    handler();
  });
}
