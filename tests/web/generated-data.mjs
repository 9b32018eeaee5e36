// Test data made from nothing, for the Chromium suites that read files the way a user gives them to a page
// (data-sources.test.mjs, milestone-cnn-data.test.mjs): a PNG writer, images whose every byte is known, image
// folders on disk, and a tar writer with CIFAR-10 binary batches. No fixture files: every byte is generated.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

// ---- a PNG writer (8-bit gray, RGB or RGBA; filter 0, zlib) -------------------------------------------------
const CRC = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC[(c ^ b) & 255] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), body.length + 4);
  return out;
}
export function png({ width, height, channels, pixels }) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = { 1: 0, 3: 2, 4: 6 }[channels];
  const raw = Buffer.alloc(height * (1 + width * channels));
  for (let y = 0; y < height; y++) Buffer.from(pixels.subarray(y * width * channels, (y + 1) * width * channels)).copy(raw, y * (1 + width * channels) + 1);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}
// An image whose every byte is known: value(image, y, x, k); alpha (k = 3) stays 255 (opaque: exact in a canvas).
export function image(id, width, height, channels) {
  const pixels = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let k = 0; k < channels; k++)
    pixels[(y * width + x) * channels + k] = k === 3 ? 255 : (id * 37 + y * 11 + x * 5 + k * 83) % 256;
  return { width, height, channels, pixels };
}
// ---- a tar writer (POSIX ustar with the folder in the prefix field, or GNU's "ustar  " magic) -------------------
function tarHeader(name, size, gnu) {
  const h = Buffer.alloc(512);
  const slash = name.lastIndexOf('/');
  const [prefix, base] = !gnu && slash > 0 ? [name.slice(0, slash), name.slice(slash + 1)] : ['', name];
  h.write(base, 0, 'latin1');
  h.write('0000644\0', 100, 'latin1');
  h.write('0000000\0', 108, 'latin1');
  h.write('0000000\0', 116, 'latin1');
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  h.write('14000000000\0', 136, 'latin1');
  h.write('        ', 148, 'latin1');
  h.write('0', 156, 'latin1');
  h.write(gnu ? 'ustar  \0' : 'ustar\u000000', 257, 'latin1');
  h.write(prefix, 345, 'latin1');
  const sum = h.reduce((a, b) => a + b, 0);
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}
export function tar(files, { gnu = false } = {}) {
  const parts = [];
  for (const [name, data] of files) {
    parts.push(tarHeader(name, data.length, gnu), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  return Buffer.concat([...parts, Buffer.alloc(1024)]);
}
// A CIFAR-10 binary batch of `n` records with known labels and pixels.
export function batch(b, n, { labelOf = (r) => (b * 3 + r) % 10 } = {}) {
  const out = Buffer.alloc(n * 3073);
  for (let r = 0; r < n; r++) {
    out[r * 3073] = labelOf(r);
    for (let i = 0; i < 3072; i++) out[r * 3073 + 1 + i] = (b * 31 + r * 17 + i * 7) % 256;
  }
  return out;
}
export const CLASSES = ['plane', 'car', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
export function cifarFiles({ n = 2 } = {}) {
  const dir = 'cifar-10-batches-bin/';
  // Not in batch order: the reader places each batch by its name.
  return [[`${dir}test_batch.bin`, batch(0, n)], [`${dir}batches.meta.txt`, Buffer.from(`${CLASSES.join('\n')}\n\n`)],
    ...[3, 1, 2, 5, 4].map((b) => [`${dir}data_batch_${b}.bin`, batch(b, n)]),
    [`${dir}readme.html`, Buffer.from('<p>CIFAR-10</p>')]];
}
export function writeFolder(root, files, extra = {}) {
  for (const [rel, data] of [...Object.entries(files).map(([r, im]) => [r, png(im)]), ...Object.entries(extra)]) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), data);
  }
}

