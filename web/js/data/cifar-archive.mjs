// CIFAR-10 from the official binary archive the user picks (cifar-10-binary.tar.gz, "CIFAR-10 binary version"):
// gunzipped by the browser (DecompressionStream) and untarred while it is read (tar.mjs), so only the decoded
// data set is kept: 50,000 + 10,000 images of 3 x 32 x 32 bytes (176 MiB).
//
//   const {train, test, sha256} = await loadCifarArchive(file, {onProgress});
//
// The archive holds cifar-10-batches-bin/data_batch_1.bin … data_batch_5.bin (training), test_batch.bin and
// batches.meta.txt (the class names, one a line). Each .bin is a run of 3,073-byte records: the label (0-9), then
// the image as 1,024 red, 1,024 green and 1,024 blue bytes, rows top to bottom — already the C x H x W planes a
// Dataset holds, so a record's pixels are copied as they are. The SHA-256 of the whole file (crypto.subtle) is
// returned for the page to show and for the cache key (dataset-cache.mjs).

import { readTar, TarError } from './tar.mjs';

export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
const RECORD = 3073;
const PIXELS = 3072;
const TRAIN = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'];
const PICK = 'pick the binary version, cifar-10-binary.tar.gz';

const hex = (buffer) => Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
const base = (name) => name.slice(name.lastIndexOf('/') + 1);

// The other archives people download, recognised from one entry name so the reading stops at once.
function otherArchive(name, what) {
  const file = base(name);
  if (/cifar-100-/.test(name) || file === 'coarse_label_names.txt' || file === 'fine_label_names.txt')
    return `${what} is CIFAR-100, not CIFAR-10: ${PICK}`;
  if (/cifar-10-batches-py(\/|$)/.test(name) || /^(data_batch_[1-5]|test_batch|batches\.meta)$/.test(file))
    return `${what} is the Python version of CIFAR-10 (its batches are pickles, which a page cannot read): ${PICK}`;
  if (/cifar-10-batches-mat(\/|$)/.test(name) || /^(data_batch_[1-5]|test_batch)\.mat$/.test(file))
    return `${what} is the MATLAB version of CIFAR-10: ${PICK}`;
  return null;
}

// Bytes counted on their way in, for progress (the compressed size is the only total known in advance).
function counted(stream, total, onProgress) {
  let done = 0, reported = 0;
  return stream.pipeThrough(new TransformStream({
    transform(chunk, controller) {
      done += chunk.length;
      if (done - reported >= total / 100 || done === total) {
        reported = done;
        onProgress({ phase: 'read', done, total });
      }
      controller.enqueue(chunk);
    },
  }));
}

// A sink writing records of one .bin into a split's arrays, from record `first` on.
function recordSink(split, first, file, what) {
  let p = 0;  // position in the file
  return (chunk) => {
    let i = 0;
    while (i < chunk.length) {
      const r = first + Math.floor(p / RECORD), o = p % RECORD;
      if (o === 0) {
        const label = chunk[i];
        if (label > 9) throw new Error(`${what}: ${file} record ${r - first} has label ${label}; CIFAR-10 labels are 0-9`);
        split.labels[r] = label;
        i++;
        p++;
        continue;
      }
      const n = Math.min(RECORD - o, chunk.length - i);
      split.images.set(chunk.subarray(i, i + n), r * PIXELS + (o - 1));
      i += n;
      p += n;
    }
  };
}

function dataset(split, name, sha256, classes, part) {
  return {
    classes, images: split.images, labels: split.labels, count: split.labels.length, shape: [3, 32, 32],
    source: { kind: 'cifar10-binary', name, sha256, split: part },
  };
}

// blob: the File the user picked. onProgress({phase: 'sha256' | 'read', done, total}).
export async function loadCifarArchive(blob, { onProgress = () => {} } = {}) {
  if (!(blob instanceof Blob)) throw new TypeError('loadCifarArchive: pass the archive the user picked (a File or Blob)');
  const name = blob.name || 'the archive';
  const what = `'${name}'`;
  if (blob.size === 0) throw new Error(`${what} is empty: ${PICK}`);
  const head = new Uint8Array(await blob.slice(0, 512).arrayBuffer());
  const gzip = head[0] === 0x1f && head[1] === 0x8b;
  const tar = head.length === 512 && new TextDecoder().decode(head.subarray(257, 262)) === 'ustar';
  if (!gzip && !tar) {
    const zip = head[0] === 0x50 && head[1] === 0x4b;
    throw new Error(`${what} is not a .tar.gz archive${zip ? ' (it is a zip file)' : ''}: ${PICK}`);
  }

  onProgress({ phase: 'sha256', done: 0, total: blob.size });
  const sha256 = hex(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
  onProgress({ phase: 'sha256', done: blob.size, total: blob.size });

  let stream = counted(blob.stream(), blob.size, onProgress);
  if (gzip) stream = stream.pipeThrough(new DecompressionStream('gzip'));
  const train = { images: null, labels: null, per: 0, seen: new Set() };
  let test = null, meta = null, metaParts = [];
  let names;
  try {
    names = await readTar(stream, ({ name: entry, size, type }) => {
      const other = otherArchive(entry, what);
      if (other) throw new Error(other);
      if (type !== 'file') return null;
      const file = base(entry);
      if (file === 'batches.meta.txt') return (chunk) => metaParts.push(chunk.slice());
      const k = TRAIN.indexOf(file);
      if (k < 0 && file !== 'test_batch.bin') return null;
      if (size === 0 || size % RECORD !== 0)
        throw new Error(`${what}: ${file} is ${size} bytes, not a whole number of ${RECORD}-byte records (a label + 32 x 32 x 3 pixels)`);
      const n = size / RECORD;
      if (k < 0) {
        if (test) throw new Error(`${what} holds test_batch.bin twice`);
        test = { images: new Uint8Array(n * PIXELS), labels: new Uint8Array(n) };
        return recordSink(test, 0, file, what);
      }
      if (train.seen.has(file)) throw new Error(`${what} holds ${file} twice`);
      if (!train.images) {
        train.per = n;
        train.first = file;
        train.images = new Uint8Array(TRAIN.length * n * PIXELS);
        train.labels = new Uint8Array(TRAIN.length * n);
      } else if (n !== train.per) {
        throw new Error(`${what}: ${file} has ${n} records but ${train.first} has ${train.per}; the five training batches are the same size`);
      }
      train.seen.add(file);
      return recordSink(train, k * n, file, what);
    }, what);
  } catch (error) {
    if (error instanceof TarError && error.message.includes('not a tar archive')) throw new Error(`${error.message}: ${PICK}`);
    if (error instanceof TarError || error.message.startsWith(what)) throw error;
    // What DecompressionStream throws for a damaged or cut-short file.
    throw new Error(`${what} could not be read as a .tar.gz (${error.message}): the file is damaged or cut short — download it again`);
  }

  const missing = [...TRAIN.filter((f) => !train.seen.has(f)), ...(test ? [] : ['test_batch.bin'])];
  if (missing.length === TRAIN.length + 1) {
    const shown = names.slice(0, 5).join(', ') + (names.length > 5 ? ', …' : '');
    throw new Error(`${what} is not the CIFAR-10 binary archive: it has no data_batch_*.bin or test_batch.bin ` +
                    `(it holds ${names.length ? shown : 'nothing'}): ${PICK}`);
  }
  if (missing.length > 0) throw new Error(`${what} is incomplete: ${missing.join(', ')} missing`);
  let classes = CIFAR10_CLASSES;
  if (metaParts.length > 0) {
    meta = new TextDecoder().decode(await new Blob(metaParts).arrayBuffer()).split('\n').map((s) => s.trim()).filter(Boolean);
    if (meta.length !== 10) throw new Error(`${what}: batches.meta.txt names ${meta.length} classes; CIFAR-10 has 10`);
    classes = meta;
  }
  return {
    train: dataset(train, name, sha256, classes, 'train'),
    test: dataset(test, name, sha256, [...classes], 'test'),
    sha256,
  };
}
