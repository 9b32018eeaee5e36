// The TinyGPT page's training checkpoint in the browser's IndexedDB: one record, the latest, holding the engine's
// checkpoint bytes (model + AdamW state + step + batch RNG, with the model's config and vocabulary in its metadata)
// and what a resume needs besides: the training options and the corpus (the packed Austen text by name, a student's
// own text in full). Usable from the page and from workers.
import { recordStore } from '../record-store.mjs';

const checkpoints = recordStore('tinytorch-tinygpt', 'checkpoints', 'latest', 'the checkpoint');

// record: { bytes: Uint8Array, step, options, config, corpus: { kind: 'austen' | 'own', name, text? }, savedAt }
export const saveCheckpoint = checkpoints.save;
export const loadCheckpoint = checkpoints.load;
export const clearCheckpoint = checkpoints.forget;
