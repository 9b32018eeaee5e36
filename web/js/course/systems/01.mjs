// Module 01's systems panel: this browser as the reference engine sees it (SIMD, threads, timer resolution) and
// format_bytes on sizes the course meets.
import { fmtTime, timerResolution } from './measure.mjs';

export function measure(M) {
  const env = M.environment();
  const sizes = [
    ['one float32', 4],
    ['a 28×28 MNIST image as float32', 28 * 28 * 4],
    ['MNIST training set (60,000 images)', 60000 * 28 * 28 * 4],
    ['a 768×768 weight matrix', 768 * 768 * 4],
    ['GPT-2 small (124 M parameters)', 124e6 * 4],
  ];
  return {
    tables: [
      {
        caption: 'This browser, as the reference engine sees it',
        columns: ['fact', 'value'],
        rows: [
          ['build', env.build],
          ['SIMD instruction set', env.simdArch],
          ['float32 lanes per SIMD register', String(env.simdWidth)],
          ['hardware threads', String(env.threads)],
          ['timer resolution (performance.now)', fmtTime(timerResolution())],
          ['cross-origin isolated (threads possible)', String(Boolean(globalThis.crossOriginIsolated))],
        ],
      },
      {
        caption: 'format_bytes on sizes you will meet in this course',
        columns: ['tensor', 'bytes', 'format_bytes'],
        rows: sizes.map(([what, b]) => [what, b.toLocaleString('en'), M.formatBytes(b)]),
      },
    ],
    note: `A SIMD register holds ${env.simdWidth} floats here, so a vectorised loop does up to ${env.simdWidth}× fewer instructions than a scalar one. Timings below a few timer ticks are noise: measure many repetitions.`,
  };
}
