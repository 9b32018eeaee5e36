// The long-lived compiler worker: loads @yowasp/clang and the prebuilt student artifacts once, warms the compiler up,
// then serves build requests (see toolchain.mjs). Messages:
//   in:  {type:'init', studentBase, clangUrl}       out: {type:'progress', phase, done, total} …, {type:'ready', timings}
//   in:  {type:'build', id, request}                out: {type:'build-progress', id, phase, done, total, file} …,
//                                                        {type:'result', id, result} | {type:'error', id, message}
//   in:  {type:'prepare', id, sources, exercise, objects}
//                                                   out: {type:'result', id, result: {path: ms}} (compile + cache;
//                                                        objects: prebuilt objects to load now; exercise: also
//                                                        toolchain.exercise() when the compiler is cold)
//   in:  {type:'ahead', id, sources}              out: {type:'result', id, result: {path: {ok, cached, ms, diagnostics}}}
//                                                        (the student's files compiled as they are edited)
//   after init, around each run of the compiler:    out: {type:'compiling', phase: 'start'|'end', file}
import { Toolchain, coldCompiler, loadArtifacts } from './toolchain.mjs';
import { loadClang } from './clang-loader.mjs';
import { openObjectStore } from './object-store.mjs';
import { makeLoader, workerPort } from './worker-port.mjs';

let toolchain = null;
let initPromise = null;
// Whether the compiler's machine code is still V8's baseline code: the warm-up compile says so by its time against
// this browser's fastest warm-up of the same compiler (toolchain.mjs coldCompiler; kept in the object store).
let cold = false;
// One compile at a time: a Run queued while the page's warm-up still prepares the checks waits its turn (and then
// finds the checks' objects cached) instead of running the compiler twice over at once.
let queue = Promise.resolve();
const serial = (job) => {
  const next = queue.then(job, job);
  queue = next.catch(() => {});
  return next;
};

async function init({ studentBase, clangUrl }, post) {
  const t0 = performance.now();
  const load = makeLoader(studentBase);
  post({ type: 'progress', phase: 'artifacts', done: 0, total: 1 });
  // The compiler's first call downloads ~105 MB (28 MB gzipped); report it as it comes. The engine objects and the
  // compiler load side by side: on a second visit both come from the browser's caches, and neither waits for the other.
  let last = 0;
  const fetchProgress = ({ doneLength, totalLength }) => {
    const now = performance.now();
    if (now - last > 100 || doneLength === totalLength) {
      last = now;
      post({ type: 'progress', phase: 'compiler', done: doneLength, total: totalLength });
    }
  };
  let tArtifacts = 0;
  const [artifacts, clang] = await Promise.all([
    loadArtifacts(load).then((a) => {
      tArtifacts = performance.now();
      post({ type: 'progress', phase: 'artifacts', done: 1, total: 1 });
      return a;
    }),
    loadClang(clangUrl, fetchProgress),
  ]);
  const tClang = performance.now();
  const runClang = (argv, tree, opts = {}) => clang.runClang(argv, tree, opts);
  const store = await openObjectStore();
  toolchain = new Toolchain(runClang, artifacts, { store, clangVersion: clang.version });
  // Warm-up: a tiny compile with the PCH, so the student's first Run does not pay for instantiating the compiler.
  // Never from the object cache (it would be, from the second visit on): it must run the compiler, and its time
  // tells whether the compiler's code is cold.
  post({ type: 'progress', phase: 'warmup', done: 0, total: 1 });
  const warm = await toolchain.compile('warmup/warmup.cpp', '#include "error.h"\nint tt_warmup() { return 1; }\n',
    { cache: false });
  if (!warm.ok) throw new Error(`compiler warm-up failed:\n${warm.output}`);
  const bestKey = `warmup-best-ms:${clang.version}`, best = (await store?.getValue(bestKey)) ?? null;
  cold = coldCompiler(warm.ms, best);
  if (best == null || warm.ms < best) await store?.putValue(bestKey, Math.round(warm.ms));
  post({ type: 'progress', phase: 'warmup', done: 1, total: 1 });
  // From now on every compile is announced, so the page can end one that runs past its time limit: a compile runs
  // synchronously in this worker, which cannot interrupt itself.
  toolchain.onCompile = ({ phase, path }) => post({ type: 'compiling', phase, file: path });
  return {
    artifactsMs: Math.round(tArtifacts - t0), clangMs: Math.round(tClang - t0), warmupMs: Math.round(performance.now() - tClang),
    totalMs: Math.round(performance.now() - t0), clang: clang.version, lessons: artifacts.manifest.lessons,
    fixtures: artifacts.manifest.fixtures, checkObjects: artifacts.manifest.checkObjects ?? {},
  };
}

const port = await workerPort(async (msg) => {
  if (msg.type === 'init') {
    initPromise ??= init(msg, port.post);
    try {
      port.post({ type: 'ready', info: await initPromise });
    } catch (e) {
      port.post({ type: 'init-error', message: String(e?.message ?? e) });
    }
  } else if (msg.type === 'prepare') {
    try {
      await initPromise;
      const loaded = Promise.all((msg.objects ?? []).map((o) => toolchain.object(o))).catch(() => {});  // else: at Run
      const result = await serial(() => toolchain.prepare(msg.sources));
      await loaded;
      // the student's file (an engine source), not a check file
      const file = Object.keys(msg.sources).findLast((p) => p in toolchain.manifest.objects);
      if (msg.exercise && cold && file) {
        cold = false;
        result.exercise = await serial(() => toolchain.exercise(file, msg.sources[file]));
      }
      port.post({ type: 'result', id: msg.id, result });
    } catch (e) {
      port.post({ type: 'error', id: msg.id, message: String(e?.message ?? e) });
    }
  } else if (msg.type === 'ahead') {
    try {
      await initPromise;
      port.post({ type: 'result', id: msg.id, result: await serial(() => toolchain.ahead(msg.sources)) });
    } catch (e) {
      port.post({ type: 'error', id: msg.id, message: String(e?.message ?? e) });
    }
  } else if (msg.type === 'build') {
    try {
      if (!initPromise) throw new Error('compiler worker: build before init');
      await initPromise;
      const result = await serial(() => toolchain.build(msg.request, (p) => port.post({ type: 'build-progress', id: msg.id, ...p })));
      const transfer = [];
      if (result.wasm) {
        result.wasm = result.wasm.slice();  // own buffer, transferable
        transfer.push(result.wasm.buffer);
      }
      port.post({ type: 'result', id: msg.id, result }, transfer);
    } catch (e) {
      port.post({ type: 'error', id: msg.id, message: String(e?.message ?? e) });
    }
  }
});
