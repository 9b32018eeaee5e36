// Loads the web-reference engine (build/wasm/tt_web.mjs, an ES6 Emscripten module) in Node, guarded exactly as the
// site loads it. EXPORT_ES6 output expects `require` and `__dirname` under node, and node's fetch cannot read
// plain paths, so both are supplied here (toolchain recipe, pitfalls 1 and 2).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { guardModule } from '../../web/js/engine.mjs';

export const engineDir = process.env.TT_ENGINE_DIR ?? path.resolve(import.meta.dirname, '../../build/wasm');

export async function loadEngine() {
  const js = path.join(engineDir, 'tt_web.mjs');
  if (!fs.existsSync(js)) throw new Error(`${js} is missing: build it with 'make wasm' (or cmake --build build/wasm)`);
  globalThis.require ??= createRequire(import.meta.url);
  globalThis.__dirname ??= engineDir;
  const { default: createEngine } = await import(pathToFileURL(js).href);
  const M = await createEngine({ wasmBinary: fs.readFileSync(path.join(engineDir, 'tt_web.wasm')) });
  return guardModule(M);
}
