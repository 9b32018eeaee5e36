// Module 10's systems panel: the milestone CNNs layer by layer — output shape, forward FLOPs, feature-map bytes,
// measured forward time — and what im2col costs in memory and buys in time against the direct loops.
import { timeIt, fmtTime, has, fmtFlops, missing } from './measure.mjs';

// The milestone CNNs: `tt train fashion-cnn`'s recipe (engine/cli/recipes.cpp) and milestone 2's small CIFAR preset
// (web/js/milestones/cnn-training/controls.mjs; the cifar10-cnn recipe itself is a deeper BatchNorm network).
export const NETWORKS = [
  { name: 'fashion-cnn', input: [1, 28, 28], architecture: 'conv:1:16:3:1 relu maxpool:2 conv:16:32:3:1 relu maxpool:2 flatten linear:1568:64 relu linear:64:10' },
  { name: 'small cifar CNN', input: [3, 32, 32], architecture: 'conv:3:16:3:1 relu maxpool:2 conv:16:32:3:1 relu maxpool:2 flatten linear:2048:64 relu linear:64:10' },
];
const BATCH = 32;
const prod = (shape) => shape.reduce((a, b) => a * b, 1);
const fmtBytes = (M, n) => (M.formatBytes ? M.formatBytes(n) : `${n.toLocaleString('en')} B`);

// Forward FLOPs of one layer for a batch, from its input and output shapes (multiply-adds count 2).
export function layerFlops(type, weightShape, inShape, outShape) {
  const out = prod(outShape);
  if (type === 'Conv2d') return 2 * out * prod(weightShape.slice(1));     // each output: C*KH*KW multiply-adds
  if (type === 'Linear') return 2 * out * weightShape[1];
  if (type === 'MaxPool2d' || type === 'AvgPool2d') return prod(inShape);  // every input read once, about
  if (type === 'BatchNorm2d') return 2 * out;                              // x * scale + shift
  if (type === 'Flatten') return 0;
  return out;                                                              // elementwise
}

// The im2col buffer for ONE image (the kernel reuses it across the batch): C*KH*KW rows of OH*OW floats.
export function im2colBytes(weightShape, outShape) {
  return 4 * prod(weightShape.slice(1)) * outShape[2] * outShape[3];
}

function measureNetwork(M, net) {
  const layers = M.classifierLayers(net.architecture, 1);
  const rows = [];
  let x = M.randn([BATCH, ...net.input], 3);
  let total = 0;
  for (const layer of layers) {
    const type = layer.typeName();
    const inShape = x.shape();
    const y = layer.forward(x);
    const outShape = y.shape();
    let weightShape = [];
    if (layer.parameterNames().includes('weight')) {
      const weight = layer.parameter('weight');
      weightShape = weight.shape();
      weight.delete();
    }
    const ms = timeIt(() => layer.forward(x).delete(), 20);
    total += ms;
    const flops = layerFlops(type, weightShape, inShape, outShape);
    rows.push([type, `[${outShape.join(', ')}]`, fmtFlops(M, flops), fmtBytes(M, 4 * prod(outShape)), fmtTime(ms),
      flops > 0 ? (flops / ms / 1e6).toFixed(2) : '—', type === 'Conv2d' ? fmtBytes(M, im2colBytes(weightShape, outShape)) : '—']);
    x.delete();
    x = y;
  }
  x.delete();
  for (const layer of layers) layer.delete();
  rows.push(['total', '', '', '', fmtTime(total), '', '']);
  return { caption: `${net.name}, batch ${BATCH}: ${net.architecture}`, columns: ['layer', 'output', 'forward FLOPs', 'feature map', 'forward', 'GFLOP/s', 'im2col buffer'], rows };
}

// The same convolution through the six nested direct loops, through im2col + sgemm, and as the engine runs it
// (conv2d_forward: for a receptive field of at most 64 taps, C·9 <= 64 here, the direct kernel of conv_direct.h,
// which reads the taps from the image and needs no im2col buffer).
function im2colVersusDirect(M) {
  const rows = [];
  for (const [c, oc, size] of [[1, 16, 28], [16, 32, 14], [3, 16, 32], [16, 32, 16]]) {
    const x = M.randn([BATCH, c, size, size], 4), w = M.randn([oc, c, 3, 3], 5), b = M.randn([oc], 6);
    const im2col = timeIt(() => M.conv2dWith(x, w, b, 1, 1, 1, 'im2col').delete(), 20);
    const loops = timeIt(() => M.conv2dWith(x, w, b, 1, 1, 1, 'loops').delete(), 20);
    const engine = timeIt(() => M.conv2dWith(x, w, b, 1, 1, 1, 'engine').delete(), 20);
    const kernel = c * 9 <= 64 ? 'direct kernel' : 'im2col + sgemm';
    rows.push([`${c}→${oc}, ${size}×${size}`, fmtBytes(M, 4 * c * size * size), fmtBytes(M, 4 * c * 9 * size * size),
      fmtTime(loops), fmtTime(im2col), `${(loops / im2col).toFixed(1)}×`, `${fmtTime(engine)} (${kernel})`]);
    for (const t of [x, w, b]) t.delete();
  }
  return { caption: `3×3 convolution, padding 1, batch ${BATCH}: im2col against the direct loops, and the engine's own route`,
    columns: ['conv', 'one image', 'its im2col buffer', 'direct loops', 'im2col + sgemm', 'speedup', 'engine'], rows };
}

export function measure(M) {
  if (!has(M, 'classifierLayers', 'conv2dWith', 'randn')) return missing('classifierLayers, conv2dWith and randn');
  return {
    tables: [...NETWORKS.map((net) => measureNetwork(M, net)), im2colVersusDirect(M)],
    note: 'The convolutions do almost all the arithmetic, while the first layers hold the largest feature maps (and backward keeps them). ' +
      'im2col copies every input pixel up to KH×KW = 9 times, so its buffer is 9× one image — in exchange the whole convolution becomes one matrix multiply that runs at the sgemm kernel\'s speed. ' +
      'With few input channels that matrix multiply is short (K = C·9), and the engine reads the taps straight from the image instead (its last column).',
  };
}
