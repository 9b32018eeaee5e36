// The models a student can submit, wherever they live, each turned into the one file the leaderboard takes: a
// safetensors file whose tensors are the model's state_dict and whose metadata says what the model is —
// classifiers "tt.arch" (engine/models/classifier.h's one-line architecture) and "tt.normalization" when the model
// was trained on normalised pixels; the GPT "tt.gpt" + "tt.vocab" (as assets/tinygpt.safetensors has them).
//
//   the site's pretrained assets (assets/index.json + each model card)
//   milestone 2's training run in IndexedDB (cnn-training/checkpoint-store.mjs: Trainer checkpoint, "model.*" keys
//     + norm.mean / norm.std, io/checkpoint.h)
//   milestone 3's TinyGPT checkpoint in IndexedDB (tinygpt/checkpoint-store.mjs: "model.*" keys, tt.gpt / tt.vocab)
//   a .safetensors file the student picks (its metadata as it is; a classifier without "tt.arch" needs one typed)
//
// A candidate: {key, label, kind: 'classifier' | 'gpt', dataset?, arch?, inputShape?: [C, H, W], load() → Uint8Array}.
// Model code only: no DOM.
import { assetIndex, fetchBytes, fetchJSON } from '../assets.mjs';
import { loadRun } from '../cnn-training/checkpoint-store.mjs';
import { loadCheckpoint } from '../tinygpt/checkpoint-store.mjs';
import { parseSafetensors, writeSafetensors, withPrefix } from './safetensors.mjs';

const shapeOf = (text) => String(text).split('x').map(Number);
const floats = (t) => Array.from(new Float32Array(t.data.slice().buffer));

// A classifier's submission file: its weights + tt.arch (+ tt.normalization).
export function classifierFile(tensors, { arch, normalization = null, metadata = {} }) {
  const meta = { ...metadata, 'tt.arch': arch };
  if (normalization) meta['tt.normalization'] = JSON.stringify(normalization);
  return writeSafetensors({ metadata: meta, tensors });
}

async function assetCandidates() {
  const index = await assetIndex();
  const cards = await Promise.all(index.map(({ name, card }) => fetchJSON(`assets/${card}`).then((c) => ({ name, card: c }), () => null)));
  return cards.filter(Boolean).flatMap(({ name, card }) => {
    if (card.config && card.vocab !== undefined) {
      return [{ key: `asset:${name}`, label: `${name} (pretrained asset)`, kind: 'gpt', dataset: 'tinygpt', card,
        load: () => fetchBytes(`assets/${card.weights ?? `${name}.safetensors`}`) }];
    }
    if (!card.architecture || !card.input_shape) return [];
    return [{ key: `asset:${name}`, label: `${name} (pretrained asset)`, kind: 'classifier', dataset: card.data?.dataset,
      arch: card.architecture, inputShape: shapeOf(card.input_shape), card,
      load: async () => {
        const { metadata, tensors } = parseSafetensors(await fetchBytes(`assets/${card.weights ?? `${name}.safetensors`}`), `${name}.safetensors`);
        return classifierFile(tensors, { arch: card.architecture, normalization: card.normalization ?? null, metadata });
      } }];
  });
}

// Milestone 2's run: the weights of its last finished epoch, with the normalisation it trained with.
export function fromTrainingCheckpoint(run) {
  const { tensors } = parseSafetensors(run.checkpoint, 'the milestone-2 checkpoint');
  const mean = tensors.get('norm.mean'), std = tensors.get('norm.std');
  if (!mean || !std) throw new Error('the milestone-2 checkpoint has no norm.mean / norm.std');
  const weights = withPrefix(tensors, 'model.');
  if (!weights.size) throw new Error('the milestone-2 checkpoint holds no model.* tensors');
  return classifierFile(weights, { arch: run.setup.architecture, normalization: { mean: floats(mean), std: floats(std) } });
}

// Milestone 3's checkpoint: the model part and the config + vocabulary metadata.
export function fromGptCheckpoint(record) {
  const { metadata, tensors } = parseSafetensors(record.bytes, 'the TinyGPT checkpoint');
  if (!metadata['tt.gpt'] || metadata['tt.vocab'] === undefined) throw new Error('the TinyGPT checkpoint has no tt.gpt / tt.vocab metadata');
  const weights = withPrefix(tensors, 'model.');
  if (!weights.size) throw new Error('the TinyGPT checkpoint holds no model.* tensors');
  return writeSafetensors({ metadata: { 'tt.gpt': metadata['tt.gpt'], 'tt.vocab': metadata['tt.vocab'] }, tensors: weights });
}

async function storedCandidates() {
  const out = [];
  const run = await loadRun().catch(() => null);
  if (run?.checkpoint && run.setup?.architecture) {
    out.push({ key: 'checkpoint:cnn', kind: 'classifier', dataset: run.setup.dataset, arch: run.setup.architecture,
      inputShape: shapeOf(run.setup.inputShape),
      label: `your milestone-2 model (${run.setup.dataset}, epoch ${run.epoch})`,
      load: async () => fromTrainingCheckpoint(run) });
  }
  const gpt = await loadCheckpoint().catch(() => null);
  if (gpt?.bytes) {
    out.push({ key: 'checkpoint:gpt', kind: 'gpt', dataset: 'tinygpt', label: `your milestone-3 TinyGPT (step ${gpt.step})`,
      load: async () => fromGptCheckpoint(gpt) });
  }
  return out;
}

// Every candidate this browser has: the stored checkpoints first (the student's own work), then the assets.
export async function modelCandidates() {
  const [stored, assets] = await Promise.all([storedCandidates(), assetCandidates().catch(() => [])]);
  return [...stored, ...assets];
}

// A student's .safetensors file. arch: the architecture typed in the page, used when the file has no tt.arch.
export function fromFile(bytes, fileName, arch = '') {
  const { metadata, tensors } = parseSafetensors(bytes, fileName);
  if (metadata['tt.gpt']) return { kind: 'gpt', dataset: 'tinygpt', bytes };
  if (metadata['tt.arch']) return { kind: 'classifier', arch: metadata['tt.arch'], bytes };
  if (!arch.trim()) throw new Error(`${fileName} has no "tt.arch" metadata: type the model's architecture (e.g. "flatten linear:784:128 relu linear:128:10")`);
  return { kind: 'classifier', arch: arch.trim(), bytes: classifierFile(tensors, { arch: arch.trim(), metadata }) };
}
