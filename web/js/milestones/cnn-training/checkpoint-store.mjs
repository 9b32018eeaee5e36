// The run in progress, kept in the browser's IndexedDB so that a reload loses nothing: what was set up (model,
// options, data set), the charts' points so far and the Trainer checkpoint of the last finished epoch (safetensors
// bytes: weights + optimizer state + step + RNG, engine/io/checkpoint.h). One run is kept; a new run replaces it.
import { recordStore } from '../record-store.mjs';

const runs = recordStore('tinytorch-cnn-training', 'runs', 'current', 'the checkpoint');

// run: {setup, epoch, step, checkpoint: Uint8Array, history, imagesPerSec (training speed), savedAt}
export const saveRun = runs.save;
export const loadRun = runs.load;
export const forgetRun = runs.forget;
