// Loads the web-reference engine (build/wasm/tt_web.mjs, an ES6 Emscripten module) in Node, guarded exactly as the
// site loads it. EXPORT_ES6 output expects `require` and `__dirname` under node, and node's fetch cannot read
// plain paths, so both are supplied here (toolchain recipe, pitfalls 1 and 2).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { guardModule } from '../../web/js/engine.mjs';

// The `require` an Emscripten ES6 module uses under node. Emscripten 3.1.6 keeps its pthread workers referenced,
// so a node process that loaded a threaded build would never exit. releaseWorkers() unrefs the workers made so
// far through this require; call it once the module is ready (unref'd while the module still loads, node would
// exit mid-load). An unref'd worker still runs; it just does not hold the process open. Adding a 'message'
// listener refs a worker's port again, hence `on`.
const workers = new Set();
export function releaseWorkers() {
  for (const w of workers) {
    w.released = true;
    w.unref();
  }
}
export function emscriptenRequire() {
  const base = createRequire(import.meta.url);
  return (id) => {
    const mod = base(id);
    if (id !== 'worker_threads') return mod;
    class Worker extends mod.Worker {
      constructor(...args) {
        super(...args);
        workers.add(this);
      }

      on(event, listener) {
        super.on(event, listener);
        if (this.released) this.unref();
        return this;
      }
    }
    return { ...mod, Worker };
  };
}

export const engineDir = process.env.TT_ENGINE_DIR ?? path.resolve(import.meta.dirname, '../../build/wasm');

// threaded: the tt_web_mt build (pthreads; node has SharedArrayBuffer without any headers). relaxed: tt_web_relaxed
// (node 20 compiles it only after v8.setFlagsFromString('--experimental-wasm-relaxed-simd')).
export async function loadEngine({ threaded = false, relaxed = false } = {}) {
  const name = threaded ? 'tt_web_mt' : (relaxed ? 'tt_web_relaxed' : 'tt_web');
  const js = path.join(engineDir, `${name}.mjs`);
  if (!fs.existsSync(js)) throw new Error(`${js} is missing: build it with 'make wasm' (or cmake --build build/wasm)`);
  globalThis.require ??= emscriptenRequire();
  globalThis.__dirname ??= engineDir;
  const { default: createEngine } = await import(pathToFileURL(js).href);
  const M = await createEngine({ wasmBinary: fs.readFileSync(path.join(engineDir, `${name}.wasm`)) });
  releaseWorkers();
  return guardModule(M);
}
