// Reading and writing safetensors files in the page, without the engine: what milestone 4 needs to turn a model it
// has (an asset, a training checkpoint of milestone 2 or 3, a student's file) into the one file a submission is —
// its tensors under their model names plus the metadata the leaderboard reads ("tt.arch", "tt.normalization",
// "tt.quant", "tt.gpt", "tt.vocab"). The format (engine/io/safetensors.h): an 8-byte little-endian header length, a
// JSON header {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}, then the data.
// Tensors are kept as raw bytes: nothing here converts or reorders them. Pure functions, no DOM.

const DTYPE_BYTES = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

// bytes: Uint8Array → { metadata: {key: string}, tensors: Map(name → {dtype, shape, data: Uint8Array}) }.
// source names the file in error messages.
export function parseSafetensors(bytes, source = 'the file') {
  if (!(bytes instanceof Uint8Array)) throw new Error(`${source}: expected bytes`);
  if (bytes.length < 8) throw new Error(`${source}: ${bytes.length} bytes, too short for a safetensors file`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n < 2 || 8 + n > bytes.length) {
    throw new Error(`${source}: not a safetensors file (header of ${n} bytes in a file of ${bytes.length})`);
  }
  let header;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (error) {
    throw new Error(`${source}: the safetensors header is not JSON (${error.message})`);
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) throw new Error(`${source}: the header is not a JSON object`);
  const data = bytes.subarray(8 + n);
  const metadata = {};
  const tensors = new Map();
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      for (const [k, v] of Object.entries(entry ?? {})) {
        if (typeof v !== 'string') throw new Error(`${source}: metadata '${k}' is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    const { dtype, shape, data_offsets: offsets } = entry ?? {};
    if (!(dtype in DTYPE_BYTES)) throw new Error(`${source}: tensor '${name}' has unknown dtype '${dtype}'`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new Error(`${source}: tensor '${name}' has a bad shape ${JSON.stringify(shape)}`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !(offsets[0] <= offsets[1]) || offsets[1] > data.length) {
      throw new Error(`${source}: tensor '${name}' has data_offsets ${JSON.stringify(offsets)} outside the ${data.length} data bytes`);
    }
    const expected = shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[dtype];
    if (offsets[1] - offsets[0] !== expected) {
      throw new Error(`${source}: tensor '${name}' (${dtype} [${shape}]) has ${offsets[1] - offsets[0]} bytes, expected ${expected}`);
    }
    tensors.set(name, { dtype, shape, data: data.subarray(offsets[0], offsets[1]) });
  }
  return { metadata, tensors };
}

// { metadata, tensors } (as parseSafetensors returns; tensors a Map or an object) → Uint8Array. Tensors are written
// in name order and the header padded with spaces to a multiple of 8 bytes, as the engine writes them.
export function writeSafetensors({ metadata = {}, tensors }) {
  const entries = [...(tensors instanceof Map ? tensors.entries() : Object.entries(tensors))]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const header = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of entries) {
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.data.length] };
    offset += t.data.length;
  }
  let text = JSON.stringify(header);
  const encoded = new TextEncoder().encode(text);
  const padded = Math.ceil(encoded.length / 8) * 8;
  const out = new Uint8Array(8 + padded + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(encoded, 8);
  out.fill(0x20, 8 + encoded.length, 8 + padded);
  let at = 8 + padded;
  for (const [, t] of entries) {
    out.set(t.data, at);
    at += t.data.length;
  }
  return out;
}

// The tensors whose names start with prefix, renamed without it: a checkpoint's "model.0.weight" → "0.weight".
export function withPrefix(tensors, prefix) {
  const out = new Map();
  for (const [name, t] of tensors) if (name.startsWith(prefix)) out.set(name.slice(prefix.length), t);
  return out;
}

// Bytes of the file's tensors by dtype: {F32: n, I8: n, ...}.
export function bytesByDtype(tensors) {
  const out = {};
  for (const t of tensors.values()) out[t.dtype] = (out[t.dtype] ?? 0) + t.data.length;
  return out;
}
