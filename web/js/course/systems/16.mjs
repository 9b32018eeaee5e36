// Module 16's systems panel: the MNIST MLP (milestone 1's asset) as fp32, int8 (per-channel weights, calibrated
// inputs), int8 with one weight scale per tensor, and int4 (group 32): file size, test accuracy on the test split and
// latency at batch 1 and 64, measured by the reference engine (engine/models/compression.h via
// bindings/compression.cpp — the code the native table of bench/compression.mjs runs).
import { fetchBytes, fetchJSON } from '../../milestones/assets.mjs';
import { fmtTime, has, missing } from './measure.mjs';

const FORMS = ['fp32', 'int8', 'int8-tensor', 'int4'];

export async function measure(M) {
  if (!has(M, 'CompressionLab')) return missing('the compression lab (CompressionLab)');
  const [card, weights, test, train] = await Promise.all([fetchJSON('assets/mnist-mlp.json'),
    fetchBytes('assets/mnist-mlp.safetensors'), fetchBytes('datasets/mnist-test.ttds'),
    fetchBytes('datasets/mnist-train.ttds')]);
  // Every test image is scored (the card's count); calibration on the last 512 training images, as the native
  // table of bench/compression.mjs does, so the int8 accuracy here equals the native one.
  const TEST_COUNT = card.test_count;
  const trainCount = new DataView(train.buffer, train.byteOffset, train.byteLength).getUint32(8, true);
  const lab = new M.CompressionLab(card.architecture, weights, test, 'mnist-test.ttds', TEST_COUNT, train, trainCount - 512, 512);
  try {
    const rows = FORMS.map((form) => JSON.parse(lab.measure(form, 0.05)));
    const fp32 = rows[0];
    return {
      tables: [{
        caption: `MNIST MLP (${card.architecture}): ${TEST_COUNT.toLocaleString('en')} test images, int8 GEMM path: ${lab.qgemm()}`,
        columns: ['form', 'file', 'smaller', 'accuracy', 'batch 1', 'batch 64', 'speed-up (64)'],
        rows: rows.map((r) => [r.form, M.formatBytes(r.bytes), `${(fp32.bytes / r.bytes).toFixed(2)}×`,
          `${((100 * r.correct) / r.count).toFixed(2)} %`, fmtTime(r.ms_b1), fmtTime(r.ms_b64),
          `${(fp32.ms_b64 / r.ms_b64).toFixed(2)}×`]),
      }],
      note: 'int8 stores one byte per weight plus a float scale per output row; the product runs on integers (uint8 inputs × int8 weights, summed exactly in int32) and one multiply per output brings it back to float. int4 halves the bytes again but multiplies in float after unpacking each block of weights. Calibration uses the last 512 training images, as the native table (bench/compression.mjs) does.',
    };
  } finally {
    lab.delete();
  }
}
