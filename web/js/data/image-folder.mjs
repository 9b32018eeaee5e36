// An image folder (root/<class>/<image>.png|jpg, torchvision's ImageFolder) decoded by the browser into the data
// set the engine's load_image_folder makes natively (engine/data/image_folder.h, `tt pack-images`).
//
//   const data = await loadImageFolder(entries, {channels: 3, height: 32, width: 32, onProgress});
//
// Who does what. The browser only decodes: createImageBitmap (off the main thread in Chromium, and available in
// workers) at the file's own size with no colour-space conversion and no premultiplied alpha, then getImageData
// from an OffscreenCanvas gives the RGBA bytes. Everything after that is the engine's, called through
// bindings/data.cpp: indexImageFolder picks the classes (first-level folder names in byte order), the sample
// order (sorted paths) and makes the folder errors (no images, one class, images at the root); imageToChw turns
// the RGBA pixels into C x H x W bytes (gray = BT.601 luma, alpha dropped) with the engine's bilinear resize
// (half-pixel centres, no antialiasing, as PyTorch's interpolate(align_corners=False)). The browser's own resize
// (createImageBitmap's resizeWidth/resizeQuality, or drawImage scaling) is not used: its filter is the browser's
// choice and differs between browsers, so the same folder would give other pixels than `tt pack-images`.
// Images are decoded and converted one at a time (a few in flight), so memory holds the result plus a handful of
// decoded images, not every image's RGBA copy.
//
// Same as native up to the decoders: PNG is lossless (identical bytes for opaque images); JPEG decoders may differ
// by a level or two (chroma upsampling); pixels with alpha < 255 go through the canvas's premultiplied storage
// and can be off by rounding (the engine drops alpha anyway).
import { engineUrl, loadEngine } from '../engine.mjs';

let engine;
// The single-threaded reference engine: decoding data needs no threads, and a page's training engine may be
// busy in a worker. options.engine takes an already loaded module instead.
function dataEngine() {
  engine ??= loadEngine(engineUrl(false));
  return engine;
}

const IN_FLIGHT = 6;  // images being decoded ahead of the one being converted

async function decode(blob, what, canvas) {
  let bitmap;
  try {
    bitmap = await createImageBitmap(blob, { premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
  } catch (error) {
    throw new Error(`${what}: not a decodable PNG or JPEG image (the browser's decoder says: ${error.message})`);
  }
  const { width, height } = bitmap;
  if (canvas.width !== width || canvas.height !== height) Object.assign(canvas, { width, height });
  const context = canvas.getContext('2d', { willReadFrequently: true });
  context.globalCompositeOperation = 'copy';  // replace the previous image, also where this one is transparent
  context.drawImage(bitmap, 0, 0);
  bitmap.close();
  return { width, height, channels: 4, pixels: context.getImageData(0, 0, width, height).data };
}

function checkOptions(channels, height, width) {
  if (channels !== 1 && channels !== 3) throw new Error(`ImageFolder: channels must be 1 (gray) or 3 (RGB), got ${channels}`);
  const ok = (v) => Number.isInteger(v) && v > 0 && v <= 8192;
  if ((height === 0 && width === 0) || (ok(height) && ok(width))) return;
  throw new Error(`ImageFolder: resize needs a positive height and width (or neither), got ${height}x${width}`);
}

function checkEntries(entries) {
  if (!Array.isArray(entries)) throw new TypeError('loadImageFolder: entries must be an array of {path, blob}');
  const byPath = new Map();
  for (const [i, entry] of entries.entries()) {
    if (typeof entry?.path !== 'string' || !(entry.blob instanceof Blob))
      throw new TypeError(`loadImageFolder: entries[${i}] is not {path: string, blob: Blob}`);
    const path = entry.path.replaceAll('\\', '/').replace(/^(\.?\/)+/, '');
    if (byPath.has(path)) throw new Error(`loadImageFolder: ${path} is listed twice`);
    byPath.set(path, entry.blob);
  }
  return byPath;
}

// entries: [{path, blob}] (folder-entries.mjs makes them). Options: channels 3 (RGB) or 1 (gray); height and
// width: resize every image to that size (leave both out: all images must have one size); name: the folder's
// name for messages (default entries.name); onProgress({phase: 'decode', done, total}); engine: a loaded engine.
export async function loadImageFolder(entries, options = {}) {
  const { channels = 3, height = 0, width = 0, onProgress = () => {} } = options;
  checkOptions(channels, height, width);
  const byPath = checkEntries(entries);
  const name = options.name ?? entries.name ?? 'image folder';
  const M = options.engine ?? (await dataEngine());
  const index = M.indexImageFolder(name, [...byPath.keys()]);  // throws the folder errors
  const total = index.paths.length;
  const canvas = new OffscreenCanvas(1, 1);
  const step = Math.max(1, Math.floor(total / 100));
  let shape = height > 0 ? [channels, height, width] : null;
  let images = shape ? new Uint8Array(total * channels * height * width) : null;
  let first = null;  // the image whose size the others must have (no resize)
  // Decodes run ahead in order; each promise is awaited in sample order, so an error names the first bad file.
  const pending = [];
  const start = (i) => {
    const path = index.paths[i];
    // One canvas serves every decode: from drawImage to getImageData nothing awaits, so they cannot interleave.
    const p = decode(byPath.get(path), `ImageFolder '${name}': ${path}`, canvas);
    p.catch(() => {});  // awaited below, in order; never an unhandled rejection meanwhile
    pending[i] = p;
  };
  for (let i = 0; i < Math.min(IN_FLIGHT, total); i++) start(i);
  for (let i = 0; i < total; i++) {
    const path = index.paths[i];
    const what = `ImageFolder '${name}': ${path}`;
    const image = await pending[i];
    pending[i] = undefined;
    if (i + IN_FLIGHT < total) start(i + IN_FLIGHT);
    if (!shape) {
      shape = [channels, image.height, image.width];
      images = new Uint8Array(total * channels * image.height * image.width);
      first = { path, width: image.width, height: image.height };
    } else if (height === 0 && (image.width !== first.width || image.height !== first.height)) {
      throw new Error(`${what} is ${image.width}x${image.height} but ${first.path} is ${first.width}x${first.height}` +
                      ' (width x height); images of mixed sizes need a resize size');
    }
    const chw = M.imageToChw(image, channels, height, width, what);
    images.set(chw, i * chw.length);
    if ((i + 1) % step === 0 || i + 1 === total) onProgress({ phase: 'decode', done: i + 1, total });
  }
  return {
    classes: index.classes,
    images,
    labels: index.labels,
    count: total,
    shape,
    source: { kind: 'folder', name, files: byPath.size },
  };
}
