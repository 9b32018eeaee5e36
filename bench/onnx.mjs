// A tiny ONNX model writer: just enough protobuf to describe MatMul / Gemm / Conv / Relu graphs for onnxruntime-web,
// so the benchmark needs no model files and no extra package. Field numbers are those of onnx.proto
// (ModelProto, GraphProto, NodeProto, TensorProto, ValueInfoProto, TypeProto, TensorShapeProto).

// ---- protobuf wire format: varints, length-delimited fields -----------------------------------------------
function varint(n) {
  const out = [];
  let v = BigInt(n);
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v) byte |= 0x80;
    out.push(byte);
  } while (v);
  return out;
}
const key = (field, wire) => varint((field << 3) | wire);
const intField = (field, n) => [...key(field, 0), ...varint(n)];
function bytesField(field, bytes) {
  const b = bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes);
  const head = [...key(field, 2), ...varint(b.length)];
  const out = new Uint8Array(head.length + b.length);
  out.set(head);
  out.set(b, head.length);
  return out;
}
const strField = (field, s) => bytesField(field, new TextEncoder().encode(s));
function concat(parts) {
  const arrays = parts.map((p) => (p instanceof Uint8Array ? p : Uint8Array.from(p)));
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) { out.set(a, at); at += a.length; }
  return out;
}

// ---- ONNX messages -----------------------------------------------------------------------------------------
const FLOAT = 1;  // TensorProto.DataType.FLOAT

// ValueInfoProto{name=1, type=2: TypeProto{tensor_type=1: {elem_type=1, shape=2: {dim=1: {dim_value=1}}}}}
// A dimension given as a string is symbolic (dim_param=2): any size at run time.
function valueInfo(name, dims) {
  const shape = concat(dims.map((d) => bytesField(1, typeof d === 'string' ? strField(2, d) : intField(1, d))));
  const tensorType = concat([intField(1, FLOAT), bytesField(2, shape)]);
  return concat([strField(1, name), bytesField(2, bytesField(1, tensorType))]);
}

// TensorProto{dims=1, data_type=2, name=8, raw_data=9 (little-endian floats)}
function initializer(name, dims, data) {
  const raw = new Uint8Array(Float32Array.from(data).buffer);
  return concat([...dims.map((d) => intField(1, d)), intField(2, FLOAT), strField(8, name), bytesField(9, raw)]);
}

// The same for integer tensors (INT8 = 3, UINT8 = 2, INT32 = 6): data is a typed array of that type.
function intInitializer(name, dims, dataType, data) {
  const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return concat([...dims.map((d) => intField(1, d)), intField(2, dataType), strField(8, name), bytesField(9, raw)]);
}

// NodeProto{input=1, output=2, name=3, op_type=4, attribute=5: AttributeProto{name=1, i=3, ints=8, type=20}}
// (AttributeType INT=2, INTS=7); an attribute given as an array is written as INTS.
function attribute(name, value) {
  if (Array.isArray(value)) return concat([strField(1, name), ...value.map((v) => intField(8, v)), intField(20, 7)]);
  return concat([strField(1, name), intField(3, value), intField(20, 2)]);
}
function node(opType, inputs, outputs, intAttributes = {}) {
  const attrs = Object.entries(intAttributes).map(([name, value]) => bytesField(5, attribute(name, value)));
  return concat([...inputs.map((s) => strField(1, s)), ...outputs.map((s) => strField(2, s)),
    strField(3, `${opType}_${outputs[0]}`), strField(4, opType), ...attrs]);
}

// ModelProto{ir_version=1, producer_name=2, graph=7, opset_import=8: {domain=1, version=2}}
// graph: GraphProto{node=1, name=2, initializer=5, input=11, output=12}
function model({ nodes, inits = [], inputs, outputs }) {
  const graph = concat([...nodes.map((n) => bytesField(1, n)), strField(2, 'bench'),
    ...inits.map((t) => bytesField(5, t)), ...inputs.map((v) => bytesField(11, v)),
    ...outputs.map((v) => bytesField(12, v))]);
  return concat([intField(1, 8), strField(2, 'tinytorch-bench'), bytesField(7, graph),
    bytesField(8, concat([strField(1, ''), intField(2, 13)]))]);
}

// C[M,N] = A[M,K] @ B[K,N], both inputs fed at run time (nothing for the runtime to prepack).
export function matmulModel(M, N, K) {
  return model({
    nodes: [node('MatMul', ['A', 'B'], ['C'])],
    inputs: [valueInfo('A', [M, K]), valueInfo('B', [K, N])],
    outputs: [valueInfo('C', [M, N])],
  });
}

// Linear-ReLU-Linear with PyTorch-layout weights W[out, in] as initializers (Gemm with transB=1).
export function mlpModel(batch, w1, b1, w2, b2, sizes) {
  const [nIn, nHidden, nOut] = sizes;
  return model({
    nodes: [node('Gemm', ['x', 'w1', 'b1'], ['h'], { transB: 1 }), node('Relu', ['h'], ['hr']),
      node('Gemm', ['hr', 'w2', 'b2'], ['y'], { transB: 1 })],
    inits: [initializer('w1', [nHidden, nIn], w1), initializer('b1', [nHidden], b1),
      initializer('w2', [nOut, nHidden], w2), initializer('b2', [nOut], b2)],
    inputs: [valueInfo('x', [batch, nIn])],
    outputs: [valueInfo('y', [batch, nOut])],
  });
}

// Conv (square kernel, stride 1, zero padding `pad` on every side) + bias + ReLU, NCHW, weights [OC, C, KS, KS] and
// bias as initializers.
export function convReluModel([N, C, H, W], weight, bias, OC, KS, pad) {
  const OH = H + 2 * pad - KS + 1, OW = W + 2 * pad - KS + 1;
  return model({
    nodes: [node('Conv', ['x', 'w', 'b'], ['c'], { kernel_shape: [KS, KS], pads: [pad, pad, pad, pad] }),
      node('Relu', ['c'], ['y'])],
    inits: [initializer('w', [OC, C, KS, KS], weight), initializer('b', [OC], bias)],
    inputs: [valueInfo('x', [N, C, H, W])],
    outputs: [valueInfo('y', [N, OC, OH, OW])],
  });
}

// The MLP with int8 weights, as onnxruntime quantizes dynamically: each layer's input through DynamicQuantizeLinear
// (uint8, scale and zero point from the batch's min/max), MatMulInteger with int8 weights W^T [in, out] (zero point 0),
// the int32 result cast to float and scaled by x_scale * w_scale[out] (one scale per output column), plus the bias.
// layers: [{q: Int8Array [in * out] (row-major [in, out]), scale: Float32Array [out], bias: Float32Array [out]}].
export function mlpInt8Model(layers) {
  const nodes = [], inits = [];
  let x = 'x';
  layers.forEach((l, i) => {
    const nIn = l.q.length / l.bias.length, nOut = l.bias.length;
    inits.push(intInitializer(`w${i}`, [nIn, nOut], 3, l.q), intInitializer(`wz${i}`, [], 3, new Int8Array(1)),
      initializer(`s${i}`, [nOut], l.scale), initializer(`b${i}`, [nOut], l.bias));
    nodes.push(node('DynamicQuantizeLinear', [x], [`xq${i}`, `xs${i}`, `xz${i}`]),
      node('MatMulInteger', [`xq${i}`, `w${i}`, `xz${i}`, `wz${i}`], [`acc${i}`]),
      node('Cast', [`acc${i}`], [`accf${i}`], { to: FLOAT }),
      node('Mul', [`xs${i}`, `s${i}`], [`sc${i}`]),
      node('Mul', [`accf${i}`, `sc${i}`], [`m${i}`]),
      node('Add', [`m${i}`, `b${i}`], [i === layers.length - 1 ? 'y' : `a${i}`]));
    if (i < layers.length - 1) nodes.push(node('Relu', [`a${i}`], [`r${i}`]));
    x = `r${i}`;
  });
  const nIn = layers[0].q.length / layers[0].bias.length, nOut = layers.at(-1).bias.length;
  return model({ nodes, inits, inputs: [valueInfo('x', ['batch', nIn])], outputs: [valueInfo('y', ['batch', nOut])] });
}
