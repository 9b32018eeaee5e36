// The course's shape: 17 modules in four phases and the four milestones they unlock. Pure data, no DOM.
// A module's lesson (text, editable files, checks) comes from lessons/index.json; a module listed here without a
// lesson there is shown as "coming soon".

export const PHASES = [
  { id: 'foundation', title: 'Foundation', modules: ['01', '02', '03', '04', '05'] },
  { id: 'training', title: 'Training & Vision', modules: ['06', '07', '08', '09', '10'] },
  { id: 'language', title: 'Language', modules: ['11', '12', '13', '14'] },
  { id: 'systems', title: 'Systems', modules: ['15', '16', '17'] },
];

export const MODULES = [
  { id: '01', name: 'Setup', blurb: 'Environment check, units and timers every later module reports in' },
  { id: '02', name: 'Tensor', blurb: 'Strides, O(1) views, broadcasting, arithmetic, reductions, matmul' },
  { id: '03', name: 'Activations', blurb: 'ReLU, Sigmoid, Tanh, GELU, Softmax — stable forward and backward' },
  { id: '04', name: 'Layers', blurb: 'Module base, parameter registry, forward/backward protocol, state dict' },
  { id: '05', name: 'Networks', blurb: 'Linear, Sequential, Xavier/He initialisation' },
  { id: '06', name: 'DataLoader', blurb: 'Datasets, batching, seeded shuffling, MNIST and CIFAR readers' },
  { id: '07', name: 'Autograd', blurb: 'The graph, topological backward, accumulation, no_grad' },
  { id: '08', name: 'Optimizers', blurb: 'SGD with momentum, Adam/AdamW, schedules, clipping' },
  { id: '09', name: 'Training', blurb: 'Losses, the loop, metrics, checkpoints' },
  { id: '10', name: 'Spatial (CNNs)', blurb: 'Conv2d, pooling, augmentation' },
  { id: '11', name: 'Tokenization', blurb: 'Character and BPE tokenizers, vocabularies, padding' },
  { id: '12', name: 'Embeddings', blurb: 'Embedding tables, sinusoidal and learned positions' },
  { id: '13', name: 'Attention', blurb: 'Scaled dot-product, multi-head, causal mask, KV cache' },
  { id: '14', name: 'Transformers', blurb: 'LayerNorm, the block, GPT, generation' },
  { id: '15', name: 'Kernels', blurb: 'Fused ops, blocked SIMD matmul, measured speed-ups' },
  { id: '16', name: 'Compression', blurb: 'INT8/INT4 quantization, pruning, distillation' },
  { id: '17', name: 'Competition', blurb: 'KV-cache generation, batching, mixed precision, the leaderboard' },
];

// A milestone opens when every module up to and including `after` has passed. `page`: its page in the site; the
// map links it only when the site build lists it (site-pages.json), so a milestone without a page yet shows no link.
export const MILESTONES = [
  { id: 'inference', title: 'Pretrained inference', after: '05', page: 'milestone-inference.html',
    blurb: 'Run XOR, MNIST and CNN models on your own framework' },
  { id: 'cnn-training', title: 'CNN training', after: '10', page: 'milestone-cnn-training.html',
    blurb: 'Train a CNN with live loss and accuracy charts' },
  { id: 'tinygpt', title: 'TinyGPT', after: '14', page: 'milestone-tinygpt.html',
    blurb: 'Train and sample a small GPT in the page' },
  { id: 'competition', title: 'Competition', after: '17', page: 'milestone-competition.html',
    blurb: 'Submit an optimised model to the class leaderboard' },
];

export function moduleById(id) {
  return MODULES.find((m) => m.id === id) ?? null;
}

export function phaseOf(id) {
  return PHASES.find((p) => p.modules.includes(id)) ?? null;
}

// "01_setup" → "01"
export function moduleIdOfLesson(lesson) {
  const key = String(lesson.id ?? lesson.dir ?? '');
  const m = /(\d\d)/.exec(key.split('/').pop());
  return m ? m[1] : null;
}
