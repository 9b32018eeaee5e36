// A small WASI (preview 1) shim: enough for doctest and printf-style programs, nothing touching the outside world.
// stdout/stderr go to callbacks; stdin is empty; no files (no preopened directories); clocks and random are real.
// Every other import answers ENOSYS, so an unexpected call fails inside the program instead of at instantiation.
const ESUCCESS = 0, EBADF = 8, EINVAL = 28, ENOSYS = 52;

export class ProcExit extends Error {
  constructor(code) { super(`exit ${code}`); this.code = code; }
}

export function createWasi({ args = ['program'], env = {}, write }) {
  let memory = null;
  const enc = new TextEncoder();
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
      if (fd !== 0) return EBADF;
      view().setUint32(nread, 0, true);  // stdin is empty
      return ESUCCESS;
    },
    fd_fdstat_get: (fd, out) => {
      if (fd > 2) return EBADF;
      // a character device without seek rights: wasi-libc line-buffers stdout, as on a terminal
      const v = view();
      v.setUint8(out, 2);
      v.setUint16(out + 2, 0, true);
      v.setBigUint64(out + 8, 0n, true);
      v.setBigUint64(out + 16, 0n, true);
      return ESUCCESS;
    },
    fd_fdstat_set_flags: () => ESUCCESS,
    fd_close: (fd) => (fd <= 2 ? ESUCCESS : EBADF),
    fd_seek: () => ESPIPE(),
    fd_prestat_get: () => EBADF,  // no preopened directories: the program sees no file system
    fd_prestat_dir_name: () => EBADF,
    proc_exit: (code) => { throw new ProcExit(code); },
    random_get: (ptr, len) => {
      for (let off = 0; off < len; off += 65536) {
        crypto.getRandomValues(bytes().subarray(ptr + off, ptr + Math.min(len, off + 65536)));
      }
      return ESUCCESS;
    },
    sched_yield: () => ESUCCESS,
    poll_oneoff: () => ENOSYS,
    path_open: () => EBADF,
  };
  function ESPIPE() { return 70; }
  const wasi = new Proxy(imports, { get: (t, name) => t[name] ?? (() => ENOSYS) });
  return {
    imports: { wasi_snapshot_preview1: wasi },
    setMemory: (m) => { memory = m; },
    EINVAL,
  };
}
