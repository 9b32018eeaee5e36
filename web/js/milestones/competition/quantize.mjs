// Int8 quantization of a classifier in the page, by the engine's module-16 bindings when this build has them
// (engine/bindings, branch h16q): the file that comes back holds I8 weight tensors with their F32 `<name>_scale`
// (and optional `<name>_zero_point`) and "tt.quant" metadata — the leaderboard's quantized format. A build without
// those bindings says so; the page then submits the float32 model.
import { parseSafetensors } from './safetensors.mjs';

// The engine's entry points, or null when this build has none.
export function quantizationApi(M) {
  return typeof M.quantizeSafetensors === 'function' ? M : null;
}

export const isQuantizedFile = (bytes) => 'tt.quant' in parseSafetensors(bytes).metadata;

// An object with load(arch, inputShape, bytes) → a model with parameterCount/numClasses/timeForwardMs, when bytes is
// a quantized file and the engine can load one; null otherwise (a float32 file goes through M.Classifier).
export function loadsQuantized(M, bytes) {
  if (!isQuantizedFile(bytes)) return null;
  if (typeof M.QuantizedClassifier !== 'function') {
    throw new Error('this engine build cannot load int8 models (module 16\'s bindings are missing): submit it unchecked or rebuild');
  }
  return { load: (arch, shape, b) => new M.QuantizedClassifier(arch, shape, b, 'the model file') };
}

// bytes: a float32 classifier file (with tt.arch) → the int8 file.
export function quantizeClassifier(M, bytes, arch) {
  if (!quantizationApi(M)) throw new Error('this engine build has no int8 quantization (module 16\'s bindings): the float32 model is what can be submitted');
  return M.quantizeSafetensors(bytes, arch);
}
