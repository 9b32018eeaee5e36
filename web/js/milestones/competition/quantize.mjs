// Int8 quantization of a classifier in the page, by module 16's engine binding when this build has it
// (`CompressionLab`, engine/bindings/compression.cpp: the same compress_classifier the native compression table
// uses): per-channel int8 weights, inputs quantized per batch ("dynamic": no calibration data needed). The file that
// comes back is the leaderboard's quantized format (I8 weights + F32 `<name>_scale`, "tt.arch" + "tt.quant"); the
// page's own metadata (the normalisation) is carried over. Both forms are measured on the task's shipped test split,
// so the student sees what int8 costs in accuracy before submitting. A build without the binding says so.
import { fetchBytes } from '../assets.mjs';
import { parseSafetensors, writeSafetensors } from './safetensors.mjs';

// Per latency sample of tt::time_forward (ten are taken): a local estimate, the server measures its own. Tiny, because
// time_forward sizes its loop from one timed pass: on the 0.1 ms clock of a page that is not cross-origin isolated a
// small int8 model's pass reads as 0 and the loop grows to sample_seconds / 0.1 µs passes (0.02 s: 200,000 per sample,
// two minutes; 0.001 s: at most 10,000).
const SAMPLE_SECONDS = 0.001;
const TEST_IMAGES = 1000;

export const quantizationApi = (M) => (typeof M.CompressionLab === 'function' ? M : null);

export const isQuantizedFile = (bytes) => 'tt.quant' in parseSafetensors(bytes).metadata;

// bytes: a float32 classifier file (with tt.arch); task: the task id, whose shipped test split
// (datasets/<task>-test.ttds) measures both forms. → {bytes, fp32: row, int8: row}; a row is
// {form, bytes, model_bytes, correct, count, ms_b1, ms_b64} (compression.h).
export async function quantizeClassifier(M, bytes, arch, task) {
  if (!quantizationApi(M)) throw new Error('this engine build has no int8 quantization (module 16\'s CompressionLab): the float32 model is what can be submitted');
  const testName = `${task}-test.ttds`;
  const test = await fetchBytes(`datasets/${testName}`);
  const data = new M.ImageDataset(test, testName);
  const count = Math.min(TEST_IMAGES, data.count());
  data.delete();
  const lab = new M.CompressionLab(arch, bytes, test, testName, count, '', 0, 0);
  try {
    const fp32 = JSON.parse(lab.measure('fp32', SAMPLE_SECONDS));
    const int8 = JSON.parse(lab.measure('int8', SAMPLE_SECONDS));
    const quantized = parseSafetensors(new Uint8Array(lab.file('int8')), 'the int8 file');
    const original = parseSafetensors(bytes).metadata;
    const metadata = { ...original, ...quantized.metadata };  // tt.normalization kept; tt.arch and tt.quant the engine's
    return { bytes: writeSafetensors({ metadata, tensors: quantized.tensors }), fp32, int8 };
  } finally {
    lab.delete();
  }
}
