// A small WASI (preview 1) shim: enough for doctest and printf-style programs, nothing touching the outside world.
// stdout/stderr go to callbacks; stdin is empty; clocks and random are real. Files: read-only, in memory, given as
// {"/fixtures/02_tensor.txt": Uint8Array}; each top-level folder is a preopened directory (fd 3, 4, …).
// One writable folder (`outputDir`, e.g. "/out") may be added: files the program creates there are kept in memory, in
// `outputs` ({"/out/checkpoint.safetensors": {data, size}}, shared by the instances of one Run), and handed back by
// the runner; at most OUTPUT_LIMIT bytes in all.
// Every other import answers ENOSYS, so an unexpected call fails inside the program instead of at instantiation.
const ESUCCESS = 0, EBADF = 8, EINVAL = 28, ENOENT = 44, ENOSYS = 52, ENOTCAPABLE = 76;
const FILETYPE_DIR = 3, FILETYPE_FILE = 4;
const ALL_RIGHTS = 0x1fffffffn;
const EEXIST = 20, EFBIG = 22;
export const OUTPUT_LIMIT = 256 << 20;

export class ProcExit extends Error {
  constructor(code) { super(`exit ${code}`); this.code = code; }
}

export function createWasi({ args = ['program'], env = {}, write, files = {}, outputDir = null, outputs = {} }) {
  let memory = null;
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  // preopened directories: fd 3.. → "/fixtures"; open files: fd → {data, pos}
  const preopens = [...new Set([...Object.keys(files).map((p) => `/${p.split('/').filter(Boolean)[0]}`),
                                 ...(outputDir ? [outputDir] : [])])];
  const inOutput = (p) => outputDir && p.startsWith(`${outputDir}/`);
  const outputBytes = () => Object.values(outputs).reduce((n, f) => n + f.size, 0);
  const dirFd = (fd) => (fd >= 3 && fd < 3 + preopens.length ? preopens[fd - 3] : null);
  const open = new Map();
  let nextFd = 3 + preopens.length;
  const readString = (ptr, len) => dec.decode(bytes().slice(ptr, ptr + len));
  const resolve = (fd, ptr, len) => {
    const dir = dirFd(fd);
    if (!dir) return null;
    const parts = [];
    for (const part of `${dir}/${readString(ptr, len)}`.split('/')) {
      if (part === '' || part === '.') continue;
      if (part === '..') parts.pop(); else parts.push(part);
    }
    return `/${parts.join('/')}`;
  };
  const writeFilestat = (out, type, size) => {
    const v = view();
    for (let i = 0; i < 64; i += 8) v.setBigUint64(out + i, 0n, true);
    v.setUint8(out + 16, type);
    v.setBigUint64(out + 24, 1n, true);
    v.setBigUint64(out + 32, BigInt(size), true);
  };
  const view = () => new DataView(memory.buffer);
  const bytes = () => new Uint8Array(memory.buffer);
  const argBytes = args.map((a) => enc.encode(`${a}\0`));
  const envBytes = Object.entries(env).map(([k, v]) => enc.encode(`${k}=${v}\0`));

  const putList = (list, ptrs, buf) => {
    let off = buf;
    list.forEach((b, i) => {
      view().setUint32(ptrs + 4 * i, off, true);
      bytes().set(b, off);
      off += b.length;
    });
    return ESUCCESS;
  };
  const sizes = (list, countPtr, sizePtr) => {
    view().setUint32(countPtr, list.length, true);
    view().setUint32(sizePtr, list.reduce((n, b) => n + b.length, 0), true);
    return ESUCCESS;
  };

  // A write into a file of the writable folder, at its position (the buffer doubles as it grows).
  const writeOutput = (f, iovs, count, nwritten) => {
    let total = 0;
    for (let i = 0; i < count; i++) {
      const ptr = view().getUint32(iovs + 8 * i, true);
      const len = view().getUint32(iovs + 8 * i + 4, true);
      if (outputBytes() + len > OUTPUT_LIMIT) return EFBIG;
      const end = f.pos + len, o = f.out;
      if (end > o.data.length) {
        const grown = new Uint8Array(Math.max(end, 2 * o.data.length, 4096));
        grown.set(o.data.subarray(0, o.size));
        o.data = grown;
      }
      o.data.set(bytes().subarray(ptr, ptr + len), f.pos);
      f.pos = end;
      o.size = Math.max(o.size, end);
      total += len;
    }
    view().setUint32(nwritten, total, true);
    return ESUCCESS;
  };

  const imports = {
    args_get: (ptrs, buf) => putList(argBytes, ptrs, buf),
    args_sizes_get: (c, s) => sizes(argBytes, c, s),
    environ_get: (ptrs, buf) => putList(envBytes, ptrs, buf),
    environ_sizes_get: (c, s) => sizes(envBytes, c, s),
    clock_res_get: (id, out) => { view().setBigUint64(out, 1000n, true); return ESUCCESS; },
    clock_time_get: (id, precision, out) => {
      const ns = id === 0 ? BigInt(Date.now()) * 1000000n : BigInt(Math.round(performance.now() * 1e6));
      view().setBigUint64(out, ns, true);
      return ESUCCESS;
    },
    fd_write: (fd, iovs, count, nwritten) => {
      const f = open.get(fd);
      if (f?.out) return writeOutput(f, iovs, count, nwritten);
      if (fd !== 1 && fd !== 2) return EBADF;
      let total = 0;
      for (let i = 0; i < count; i++) {
        const ptr = view().getUint32(iovs + 8 * i, true);
        const len = view().getUint32(iovs + 8 * i + 4, true);
        if (len) write(fd, bytes().slice(ptr, ptr + len));
        total += len;
      }
      view().setUint32(nwritten, total, true);
      return ESUCCESS;
    },
    fd_read: (fd, iovs, count, nread) => {
      if (fd === 0) { view().setUint32(nread, 0, true); return ESUCCESS; }  // stdin is empty
      const f = open.get(fd);
      if (!f) return EBADF;
      const data = f.out ? f.out.data.subarray(0, f.out.size) : f.data;
      let total = 0;
      for (let i = 0; i < count; i++) {
        const ptr = view().getUint32(iovs + 8 * i, true);
        const len = view().getUint32(iovs + 8 * i + 4, true);
        const chunk = data.subarray(f.pos, Math.min(data.length, f.pos + len));
        bytes().set(chunk, ptr);
        f.pos += chunk.length;
        total += chunk.length;
        if (chunk.length < len) break;
      }
      view().setUint32(nread, total, true);
      return ESUCCESS;
    },
    path_open: (fd, dirflags, pathPtr, pathLen, oflags, rightsBase, rightsInh, fdflags, fdOut) => {
      const p = resolve(fd, pathPtr, pathLen);
      if (p === null) return EBADF;
      if (inOutput(p)) {
        // the writable folder: create (1), exclusive (4), truncate (8) as POSIX does
        if (p in outputs && oflags & 4) return EEXIST;
        if (!(p in outputs)) {
          if (!(oflags & 1)) return ENOENT;
          outputs[p] = { data: new Uint8Array(0), size: 0 };
        } else if (oflags & 8) outputs[p].size = 0;
        const newFd = nextFd++;
        open.set(newFd, { out: outputs[p], pos: 0 });
        view().setUint32(fdOut, newFd, true);
        return ESUCCESS;
      }
      if (oflags & (1 | 4 | 8)) return ENOTCAPABLE;  // create, exclusive, truncate: the files are read-only
      if (!(p in files)) return ENOENT;
      const newFd = nextFd++;
      open.set(newFd, { data: files[p], pos: 0 });
      view().setUint32(fdOut, newFd, true);
      return ESUCCESS;
    },
    path_filestat_get: (fd, flags, pathPtr, pathLen, out) => {
      const p = resolve(fd, pathPtr, pathLen);
      if (p === null) return EBADF;
      if (inOutput(p) && p in outputs) writeFilestat(out, FILETYPE_FILE, outputs[p].size);
      else if (p === outputDir) writeFilestat(out, FILETYPE_DIR, 0);
      else if (!(p in files)) return ENOENT;
      else writeFilestat(out, FILETYPE_FILE, files[p].length);
      return ESUCCESS;
    },
    fd_filestat_get: (fd, out) => {
      const f = open.get(fd);
      if (f) writeFilestat(out, FILETYPE_FILE, f.out ? f.out.size : f.data.length);
      else if (dirFd(fd)) writeFilestat(out, FILETYPE_DIR, 0);
      else if (fd <= 2) writeFilestat(out, 2, 0);
      else return EBADF;
      return ESUCCESS;
    },
    fd_seek: (fd, offset, whence, out) => {
      const f = open.get(fd);
      if (!f) return fd <= 2 ? 70 : EBADF;  // ESPIPE for the standard streams
      const base = whence === 0 ? 0 : whence === 1 ? f.pos : f.out ? f.out.size : f.data.length;
      const pos = base + Number(offset);
      if (pos < 0) return EINVAL;
      f.pos = pos;
      view().setBigUint64(out, BigInt(pos), true);
      return ESUCCESS;
    },
    fd_tell: (fd, out) => {
      const f = open.get(fd);
      if (!f) return EBADF;
      view().setBigUint64(out, BigInt(f.pos), true);
      return ESUCCESS;
    },
    fd_fdstat_get: (fd, out) => {
      if (fd > 2) {
        const isFile = open.has(fd);
        if (!isFile && !dirFd(fd)) return EBADF;
        const v = view();
        v.setUint8(out, isFile ? FILETYPE_FILE : FILETYPE_DIR);
        v.setUint16(out + 2, 0, true);
        v.setBigUint64(out + 8, ALL_RIGHTS, true);
        v.setBigUint64(out + 16, ALL_RIGHTS, true);
        return ESUCCESS;
      }
      // a character device without seek rights: wasi-libc line-buffers stdout, as on a terminal
      const v = view();
      v.setUint8(out, 2);
      v.setUint16(out + 2, 0, true);
      v.setBigUint64(out + 8, 0n, true);
      v.setBigUint64(out + 16, 0n, true);
      return ESUCCESS;
    },
    fd_fdstat_set_flags: () => ESUCCESS,
    fd_close: (fd) => (fd <= 2 || dirFd(fd) || open.delete(fd) ? ESUCCESS : EBADF),
    fd_prestat_get: (fd, out) => {
      const dir = dirFd(fd);
      if (!dir) return EBADF;
      view().setUint8(out, 0);
      view().setUint32(out + 4, enc.encode(dir).length, true);
      return ESUCCESS;
    },
    fd_prestat_dir_name: (fd, ptr, len) => {
      const dir = dirFd(fd);
      if (!dir) return EBADF;
      bytes().set(enc.encode(dir).subarray(0, len), ptr);
      return ESUCCESS;
    },
    proc_exit: (code) => { throw new ProcExit(code); },
    random_get: (ptr, len) => {
      for (let off = 0; off < len; off += 65536) {
        crypto.getRandomValues(bytes().subarray(ptr + off, ptr + Math.min(len, off + 65536)));
      }
      return ESUCCESS;
    },
    sched_yield: () => ESUCCESS,
    poll_oneoff: () => ENOSYS,
  };
  const wasi = new Proxy(imports, { get: (t, name) => t[name] ?? (() => ENOSYS) });
  return {
    imports: { wasi_snapshot_preview1: wasi },
    setMemory: (m) => { memory = m; },
    outputs,
    EINVAL,
  };
}
