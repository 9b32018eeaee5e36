// Module 06's systems panel: a DataLoader over a synthetic CIFAR-sized uint8 set (bindings/data.cpp), timed by the
// engine itself — how long the training loop waits for data versus computes, with and without prefetch and
// augmentation; batches per second by batch size; what the set costs in memory as bytes versus floats.
import { fmtTime, has, missing } from './measure.mjs';

const run = (M, options) => JSON.parse(M.loaderBenchmark({ samples: 1024, channels: 3, height: 32, width: 32, seed: 0, ...options }));
const pct = (part, whole) => `${whole > 0 ? Math.round((100 * part) / whole) : 0} %`;

export function measure(M) {
  if (!has(M, 'loaderBenchmark')) return missing('the DataLoader benchmark (loaderBenchmark)');
  const split = [];
  for (const [label, options] of [
    ['plain, no prefetch', { prefetch: false, augment: false }],
    ['augmented, no prefetch', { prefetch: false, augment: true }],
    ['augmented, prefetch', { prefetch: true, augment: true }],
  ]) {
    const r = run(M, { batchSize: 64, computeMs: 2, ...options });
    split.push([label, String(r.batches), fmtTime(r.waitMs / r.batches), fmtTime(r.computeMs / r.batches), pct(r.waitMs, r.waitMs + r.computeMs), Math.round(r.samplesPerSecond).toLocaleString('en')]);
  }
  const rates = [];
  let bytes;
  for (const batchSize of [1, 16, 64, 256]) {
    const r = run(M, { batchSize, computeMs: 0, prefetch: false, augment: false });
    bytes = r;
    rates.push([String(batchSize), String(r.batches), Math.round(r.batchesPerSecond).toLocaleString('en'), Math.round(r.samplesPerSecond).toLocaleString('en'), M.formatBytes(r.batchBytes)]);
  }
  const memory = [['CIFAR-10 train (50,000 × 3×32×32)', 50000], ['MNIST train (60,000 × 1×28×28)', 60000]].map(([name, n], i) => {
    const perSample = i === 0 ? bytes.storedBytesPerSample : 28 * 28;
    return [name, M.formatBytes(n * perSample), M.formatBytes(n * perSample * 4)];
  });
  const threaded = M.prefetchThreaded ? M.prefetchThreaded() : false;
  return {
    tables: [
      { caption: 'One epoch of 1,024 images, batch 64, a simulated 2 ms training step per batch', columns: ['loader', 'batches', 'wait for data / batch', 'compute / batch', 'time waiting', 'images/s'], rows: split },
      { caption: 'Batches per second by batch size (no compute step, no augmentation)', columns: ['batch size', 'batches', 'batches/s', 'images/s', 'one float batch'], rows: rates },
      { caption: 'A data set in memory: as stored (uint8) and as float32', columns: ['data set', 'uint8', 'float32'], rows: memory },
    ],
    note: threaded
      ? 'This engine build has threads: with prefetch the next batch is made while the step computes, so the wait shrinks to what the step does not cover.'
      : 'This engine build is single-threaded, so prefetch runs synchronously: the wait stays the same (the threaded build and the native engine overlap it). Keeping pixels as bytes until the batch is made costs one multiply per value and saves 4× the memory.',
  };
}
