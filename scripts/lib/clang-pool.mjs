// A pool of @yowasp/clang instances in worker threads, so the prebuild compiles on every core: the compiler runs
// synchronously inside its wasm instance, so one Node thread compiles one file at a time however many are queued.
// Each worker loads the compiler once (~105 MB) and keeps the header pack it was given; a request sends only the
// files of one compile.
//
//   const pool = clangPool({ size, pack });          pack: {"include/x.h": text} (every compile sees it)
//   const { outputs, stderr } = await pool.run(argv, files, ['out.o', 'out.d']);  // rejects with {code, stderr}
//   await pool.close();
import os from 'node:os';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

// {"include/a.h": text} → nested tree for runClang
export function toTree(flat, tree = {}) {
  for (const [p, content] of Object.entries(flat)) {
    const parts = p.split('/');
    let node = tree;
    for (const dir of parts.slice(0, -1)) node = node[dir] ??= {};
    node[parts.at(-1)] = content;
  }
  return tree;
}

const getPath = (tree, p) => p.split('/').reduce((node, part) => node?.[part], tree);

export function clangPool({ size = Math.max(1, Math.min(os.availableParallelism?.() ?? os.cpus().length, 4)), pack = {} } = {}) {
  const idle = [];
  const waiting = [];
  const pending = new Map();
  let nextId = 0;
  const workers = Array.from({ length: size }, () => {
    const w = new Worker(new URL(import.meta.url), { workerData: { pack } });
    w.on('message', ({ id, ok, outputs, stderr, code, message }) => {
      const job = pending.get(id);
      pending.delete(id);
      if (ok) job.resolve({ outputs, stderr });
      else job.reject(Object.assign(new Error(message ?? `clang exited with ${code}`), { code, stderr }));
      const next = waiting.shift();
      if (next) next(w); else idle.push(w);
    });
    w.on('error', (e) => { for (const job of pending.values()) job.reject(e); pending.clear(); });
    idle.push(w);
    return w;
  });
  const acquire = () => (idle.length ? Promise.resolve(idle.pop()) : new Promise((resolve) => waiting.push(resolve)));
  return {
    size,
    async run(argv, files, outputs) {
      const w = await acquire();
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        w.postMessage({ id, argv, files, outputs });
      });
    },
    close: () => Promise.all(workers.map((w) => w.terminate())),
  };
}

if (!isMainThread && workerData?.pack) {
  const clang = await import('@yowasp/clang');
  let loaded = false;
  parentPort.on('message', async ({ id, argv, files, outputs }) => {
    let stderr = '';
    const decoder = new TextDecoder();
    try {
      if (!loaded) {
        await clang.runLLVM(null, {}, { fetchProgress: () => {} });  // load the compiler once, quietly
        loaded = true;
      }
      const result = await clang.runClang(argv, toTree({ ...workerData.pack, ...files }),
        { stderr: (b) => { if (b) stderr += decoder.decode(b, { stream: true }); } });
      parentPort.postMessage({ id, ok: true, stderr, outputs: Object.fromEntries(outputs.map((o) => [o, getPath(result, o)])) });
    } catch (e) {
      parentPort.postMessage({ id, ok: false, code: e?.code, stderr, message: e?.code === undefined ? String(e?.message ?? e) : undefined });
    }
  });
}
