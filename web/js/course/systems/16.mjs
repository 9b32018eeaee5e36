// Module 16's systems panel: the MNIST MLP (milestone 1's asset) as fp32, int8 (per-channel weights, calibrated
// inputs), int8 with one weight scale per tensor, int8-u7 (inputs over 0..127, PyTorch's reduce_range) and int4
// (group 32): file size, test accuracy on the test split and latency at batch 1 and 64, measured by the reference
// engine (engine/models/compression.h via bindings/compression.cpp — the code the native table of
// bench/compression.mjs runs). Where the browser has relaxed SIMD, fp32 and int8-u7 are measured again in the
// relaxed build (tt_web_relaxed: fused multiply-adds for fp32, the relaxed int8 dot for int8-u7).
import { engineUrl, loadEngine, relaxedSimd } from '../../engine.mjs';
import { fetchBytes, fetchJSON } from '../../milestones/assets.mjs';
import { fmtTime, has, missing } from './measure.mjs';
import { measurePruning } from './16-prune.mjs';

const FORMS = ['fp32', 'int8', 'int8-tensor', 'int8-u7', 'int4'];

export async function measure(M) {
  if (!has(M, 'CompressionLab')) return missing('the compression lab (CompressionLab)');
  const [card, weights, test, train] = await Promise.all([fetchJSON('assets/mnist-mlp.json'),
    fetchBytes('assets/mnist-mlp.safetensors'), fetchBytes('datasets/mnist-test.ttds'),
    fetchBytes('datasets/mnist-train.ttds')]);
  // Every test image is scored (the card's count); calibration on the last 512 training images, as the native
  // table of bench/compression.mjs does, so the int8 accuracy here equals the native one.
  const TEST_COUNT = card.test_count;
  const trainCount = new DataView(train.buffer, train.byteOffset, train.byteLength).getUint32(8, true);
  const args = [card.architecture, weights, test, 'mnist-test.ttds', TEST_COUNT, train, trainCount - 512, 512];
  const lab = new M.CompressionLab(...args);
  try {
    const rows = FORMS.map((form) => JSON.parse(lab.measure(form, 0.05)));
    const row = (r, fp32, build = '') => [r.form + build, M.formatBytes(r.bytes), `${(fp32.bytes / r.bytes).toFixed(2)}×`,
      `${((100 * r.correct) / r.count).toFixed(2)} %`, fmtTime(r.ms_b1), fmtTime(r.ms_b64),
      `${(fp32.ms_b1 / r.ms_b1).toFixed(2)}×`, `${(fp32.ms_b64 / r.ms_b64).toFixed(2)}×`];
    const relaxed = await measureRelaxed(args);
    const pruning = measurePruning(M, weights, test);  // null when the engine lacks pruneCurve / distillCompare
    return {
      tables: [{
        caption: `MNIST MLP (${card.architecture}): ${TEST_COUNT.toLocaleString('en')} test images, int8 GEMM path: ${lab.qgemm()}`,
        columns: ['form', 'file', 'smaller', 'accuracy', 'batch 1', 'batch 64', 'speed-up (1)', 'speed-up (64)'],
        rows: [...rows.map((r) => row(r, rows[0])), ...relaxed.map((r) => row(r, relaxed[0], ' · relaxed SIMD'))],
      }, ...(pruning ? pruning.tables : [])],
      note: 'int8 stores one byte per weight plus a float scale per output row; the product runs on integers (uint8 inputs × int8 weights, summed exactly in int32) and one multiply per output brings it back to float. int8-u7 quantizes the inputs over 0..127 instead of 0..255 (PyTorch\'s reduce_range): half the input resolution, so that WebAssembly\'s relaxed int8 dot, which does 16 multiply-adds in one instruction but needs a 7-bit operand, can take them; its sums are the same integers in every build, so its accuracy is too. int4 halves the bytes again but multiplies in float after unpacking each block of weights. Calibration uses the last 512 training images, as the native table (bench/compression.mjs) does.' +
        (relaxed.length ? ' The relaxed SIMD rows run in a second build of the engine (tt_web_relaxed), their speed-ups against its own fp32.' :
          ' This browser has no working relaxed SIMD, so the relaxed build\'s rows are not shown.') +
        (pruning ? ` ${pruning.note}` : ''),
    };
  } finally {
    lab.delete();
  }
}

// fp32 and int8-u7 in the relaxed build, or nothing where the browser lacks relaxed SIMD.
async function measureRelaxed(args) {
  if (!relaxedSimd()) return [];
  const R = await loadEngine(engineUrl(false, { relaxed: true }));
  const lab = new R.CompressionLab(...args);
  try {
    return ['fp32', 'int8-u7'].map((form) => JSON.parse(lab.measure(form, 0.05)));
  } finally {
    lab.delete();
  }
}
