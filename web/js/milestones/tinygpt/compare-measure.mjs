// What the comparison with milestone 2's CNN measures in the TinyGPT page's worker, on the page's engine — no DOM:
//   trainingStepTimes: one training step of each model, timed here (a fresh model of each, so nothing the page
//     shows is changed; one warm-up step first), at each model's recipe batch;
//   cnnLearned: milestone 2's pretrained CNN on the first images of the Fashion-MNIST test set — accuracy per class;
//   gptLearned: the GPT on a held-out text — next-character accuracy and loss per character class (greedy argmax of
//     the model's distribution with a full context window before each position), and each head's mean attention
//     distance (how many characters back it looks) next to the CNN's receptive field per layer.
import { fetchBytes, loadClassifier, loadDataset } from '../assets.mjs';
import { parseSafetensors } from '../competition/safetensors.mjs';

const now = () => performance.now();

// Character classes of the next-character chart, in display order.
export const CHAR_CLASSES = ['lowercase', 'uppercase', 'space', 'newline', 'punctuation', 'digit'];
export function charClass(ch) {
  if (ch === ' ') return 'space';
  if (ch === '\n') return 'newline';
  if (/^\p{Ll}$/u.test(ch)) return 'lowercase';
  if (/^\p{Lu}$/u.test(ch)) return 'uppercase';
  if (/^\p{Nd}$/u.test(ch)) return 'digit';
  return 'punctuation';
}

// CNN: the card's architecture at its batch size on the first 512 test images; GPT: the given config and vocabulary
// on `text` at `batch` windows. steps timed after one warm-up step each.
export async function trainingStepTimes(M, { cnnCard, gptConfig, gptVocab, gptBatch, text, steps = 2 }) {
  const cnnBatch = cnnCard.training?.batch_size ?? 64;
  const trainer = new M.Trainer(cnnCard.architecture, cnnCard.input_shape, { batchSize: cnnBatch, seed: 1, epochs: 100 });
  let cnn;
  try {
    trainer.setPackedData('train', await fetchBytes('datasets/fashion-mnist-test.ttds'), 'fashion-mnist-test.ttds', 512);
    trainer.trainSteps(1);
    const t0 = now();
    const r = trainer.trainSteps(steps);
    cnn = { msPerStep: (now() - t0) / r.steps, batch: cnnBatch, steps: r.steps };
  } finally {
    trainer.delete();
  }
  const gpt = M.TinyGPT.create(JSON.stringify(gptConfig), gptVocab, 0);
  try {
    gpt.setCorpus(text, JSON.stringify({ batch: gptBatch, seed: 0, maxSteps: 100 }));
    gpt.step(1);
    const t0 = now();
    gpt.step(steps);
    return { cnn, gpt: { msPerStep: (now() - t0) / steps, batch: gptBatch, steps, tokensPerStep: gptBatch * gptConfig.block_size } };
  } finally {
    gpt.delete();
  }
}

export async function cnnLearned(M, count = 1000) {
  const [{ model, card }, data] = await Promise.all([loadClassifier(M, 'fashion-cnn'), loadDataset(M, 'fashion-mnist-test')]);
  try {
    const n = Math.min(count, data.count());
    const predicted = model.classify(data, 0, n);
    const K = card.classes.length, correct = new Array(K).fill(0), total = new Array(K).fill(0);
    for (let i = 0; i < n; i++) {
      const y = data.label(i);
      total[y]++;
      if (predicted[i] === y) correct[y]++;
    }
    return { classes: card.classes, correct, count: total, images: n, receptiveField: receptiveField(card.architecture),
             filters: firstFilters(await fetchBytes(`assets/${card.weights}`), card.weights) };
  } finally {
    model.delete();
    data.delete();
  }
}

// The first convolution's weights [O, C, K, K] of a classifier's safetensors (tensors named like nn.Sequential's
// state_dict: the lowest layer index with a 4-D weight).
export function firstFilters(bytes, source) {
  const convs = [...parseSafetensors(bytes, source).tensors].filter(([name, t]) => /^\d+\.weight$/.test(name) && t.shape.length === 4)
    .sort(([a], [b]) => parseInt(a, 10) - parseInt(b, 10));
  if (!convs.length) return null;
  const [name, t] = convs[0];
  if (t.dtype !== 'F32') throw new Error(`${source}: ${name} is ${t.dtype}, expected F32`);
  return { name, shape: t.shape, data: new Float32Array(t.data.slice().buffer) };
}

// Receptive field (pixels of the input one output pixel sees) after each convolution and pooling of an architecture
// string: r grows by (k - 1) * j, the stride product j so far.
export function receptiveField(architecture) {
  let r = 1, j = 1;
  const out = [];
  for (const layer of architecture.split(/\s+/)) {
    const [kind, ...args] = layer.split(':');
    if (kind === 'conv') { r += (Number(args[2]) - 1) * j; out.push({ layer, pixels: r }); }
    if (kind === 'maxpool' || kind === 'avgpool') { const k = Number(args[0]); r += (k - 1) * j; j *= k; out.push({ layer, pixels: r }); }
  }
  return out;
}

// gpt: a TinyGPT; text: held-out text (characters outside the vocabulary are dropped); the last `positions`
// characters are predicted, each from the block_size characters before it.
export function gptLearned(gpt, text, positions = 200) {
  const config = JSON.parse(gpt.config()), T = config.block_size;
  const vocab = new Set([...gpt.vocab()]);
  const chars = [...text].filter((c) => vocab.has(c));
  if (chars.length < T + 1) throw new Error(`the evaluation text has ${chars.length} characters, the model's context needs ${T + 1}`);
  const first = Math.max(T, chars.length - positions);
  const vocabChars = [...gpt.vocab()];
  const id = new Map(vocabChars.map((c, i) => [c, i]));
  const byClass = Object.fromEntries(CHAR_CLASSES.map((c) => [c, { count: 0, correct: 0, loss: 0 }]));
  let predicted = '';
  for (let i = first; i < chars.length; i++) {
    // temperature 1, no top-k: the model's own distribution; its argmax (first of ties) is the prediction
    gpt.start(chars.slice(i - T, i).join(''), JSON.stringify({ temperature: 1, seed: 0, useCache: false }));
    const { probs } = gpt.next();
    let best = 0;
    for (let k = 1; k < probs.length; k++) if (probs[k] > probs[best]) best = k;
    const target = chars[i], s = byClass[charClass(target)];
    s.count++;
    s.correct += best === id.get(target) ? 1 : 0;
    s.loss += -Math.log(Math.max(probs[id.get(target)], 1e-30));
    predicted += vocabChars[best];
  }
  // attention over the text's last full window: mean over queries of sum_k p(q, k) * (q - k), per layer and head
  gpt.start(chars.slice(-T).join(''), JSON.stringify({ temperature: 0, useCache: false }));
  const a = gpt.attention(), [L, H, Tq] = a.shape;
  const distance = [];
  for (let l = 0; l < L; l++) {
    distance.push([]);
    for (let h = 0; h < H; h++) {
      let sum = 0;
      for (let q = 0; q < Tq; q++) {
        const row = ((l * H + h) * Tq + q) * Tq;
        for (let k = 0; k <= q; k++) sum += a.data[row + k] * (q - k);
      }
      distance[l].push(sum / Tq);
    }
  }
  // the baseline a head that learned nothing would show: uniform weights over the q + 1 visible keys look q / 2 back
  const uniformDistance = Array.from({ length: Tq }, (_, q) => q / 2).reduce((x, y) => x + y, 0) / Tq;
  return { classes: CHAR_CLASSES, byClass, positions: chars.length - first, text: chars.slice(first - T).join(''),
           context: T, predicted, attentionDistance: distance, attentionWindow: Tq, uniformDistance };
}
