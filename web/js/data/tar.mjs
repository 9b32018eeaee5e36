// A streaming tar reader: entries come out while the archive is still being read (and gunzipped), so a 170 MB
// archive never sits in memory whole. Reads POSIX ustar (with its name prefix), GNU tar (old "ustar  " magic,
// ././@LongLink names, base-256 sizes) and pax path records — what GNU tar, bsdtar and Python's tarfile write.
//
//   const names = await readTar(stream, ({name, size, type}) => (wanted ? (chunk) => use(chunk) : null), what);
//
// onEntry is called at each header with {name, size, type ('file' | 'directory' | 'other')}; it returns a sink
// that receives the entry's bytes in order (subarrays of the stream's chunks: copy what you keep), or null to
// skip them. It may throw to stop reading (the stream is cancelled). Errors name `what` (the file's name).

export class TarError extends Error {}

const BLOCK = 512;
const decoder = new TextDecoder();

function text(bytes, start, length) {
  const field = bytes.subarray(start, start + length);
  const end = field.indexOf(0);
  return decoder.decode(end < 0 ? field : field.subarray(0, end));
}

function octal(bytes, start, length) {
  const s = text(bytes, start, length).trim();
  return /^[0-7]*$/.test(s) ? (s === '' ? 0 : parseInt(s, 8)) : NaN;
}

function size(bytes) {
  if (bytes[124] & 0x80) {  // GNU base-256: big-endian, high bit set
    let v = bytes[124] & 0x7f;
    for (let i = 125; i < 136; i++) v = v * 256 + bytes[i];
    return v;
  }
  return octal(bytes, 124, 12);
}

function parseHeader(block, offset, what) {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : block[i];
  const stored = octal(block, 148, 8);
  if (stored !== sum) {
    throw new TarError(offset === 0 ? `${what}: not a tar archive (its first header fails the tar checksum)`
      : `${what}: damaged tar archive (the header at byte ${offset} fails its checksum)`);
  }
  const magic = text(block, 257, 6);
  let name = text(block, 0, 100);
  if (magic === 'ustar' && block[262] === 0) {  // POSIX: a prefix folder at 345 (GNU uses that area otherwise)
    const prefix = text(block, 345, 155);
    if (prefix) name = `${prefix}/${name}`;
  }
  const n = size(block);
  if (!Number.isSafeInteger(n) || n < 0) throw new TarError(`${what}: damaged tar archive (bad size at byte ${offset})`);
  const flag = String.fromCharCode(block[156] || 48);
  return { name, size: n, flag };
}

function paxPath(bytes) {  // records "<length> <key>=<value>\n"
  const s = decoder.decode(bytes);
  for (const line of s.split('\n')) {
    const m = /^\d+ path=(.*)$/.exec(line);
    if (m) return m[1];
  }
  return null;
}

// Reads the stream to its end (or to the end-of-archive blocks); resolves to the names of all entries.
export async function readTar(stream, onEntry, what = 'archive') {
  const reader = stream.getReader();
  const names = [];
  const header = new Uint8Array(BLOCK);
  let filled = 0;        // bytes of `header` collected
  let offset = 0;        // archive bytes consumed
  let remaining = 0;     // data bytes of the current entry still to come
  let padding = 0;       // zero bytes after them, to the next block
  let sink = null;       // where the current entry's bytes go
  let current = null;    // its name (for a truncation message)
  let meta = null;       // collecting a long-name / pax entry: {flag, parts, length}
  let override = null;   // the name those gave the next entry
  let zeros = 0;         // consecutive all-zero header blocks: two end the archive

  const startEntry = (h) => {
    if (h.flag === 'L' || h.flag === 'x' || h.flag === 'g') {
      meta = { flag: h.flag, parts: [] };
      sink = (chunk) => meta.parts.push(chunk.slice());
    } else {
      const name = (override ?? h.name).replace(/^\.\//, '');
      override = null;
      const type = h.flag === '0' || h.flag === '7' ? 'file' : h.flag === '5' ? 'directory' : 'other';
      names.push(name);
      current = name;
      sink = onEntry({ name, size: h.size, type }) ?? null;
    }
    remaining = h.size;
    padding = (BLOCK - (h.size % BLOCK)) % BLOCK;
  };
  const endEntry = () => {
    if (meta) {
      const all = new Uint8Array(meta.parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of meta.parts) { all.set(p, at); at += p.length; }
      if (meta.flag === 'L') override = text(all, 0, all.length);
      else if (meta.flag === 'x') override = paxPath(all) ?? override;
      meta = null;
    }
    sink = null;
    current = null;
  };

  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      let chunk = value;
      while (chunk.length > 0 && zeros < 2) {
        if (remaining > 0) {
          const n = Math.min(remaining, chunk.length);
          if (sink) sink(chunk.subarray(0, n));
          remaining -= n;
          offset += n;
          chunk = chunk.subarray(n);
          if (remaining === 0 && padding === 0) endEntry();
        } else if (padding > 0) {
          const n = Math.min(padding, chunk.length);
          padding -= n;
          offset += n;
          chunk = chunk.subarray(n);
          if (padding === 0) endEntry();
        } else {
          const n = Math.min(BLOCK - filled, chunk.length);
          header.set(chunk.subarray(0, n), filled);
          filled += n;
          chunk = chunk.subarray(n);
          if (filled < BLOCK) continue;
          filled = 0;
          const at = offset;
          offset += BLOCK;
          if (header.every((b) => b === 0)) { zeros++; continue; }
          zeros = 0;
          startEntry(parseHeader(header, at, what));
          if (remaining === 0 && padding === 0) endEntry();
        }
      }
      if (zeros >= 2) break;
    }
  } catch (error) {
    reader.cancel().catch(() => {});
    throw error;
  }
  if (zeros >= 2) reader.cancel().catch(() => {});  // the rest is the end-of-archive padding
  if (remaining > 0 || filled > 0 || (current !== null && padding > 0)) {
    const where = current ? `in the middle of ${current}` : 'in the middle of a header';
    throw new TarError(`${what} ends ${where}: the file is truncated (download it again)`);
  }
  if (offset === 0) throw new TarError(`${what}: empty archive`);
  return names;
}
