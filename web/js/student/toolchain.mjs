// The student build's compile + link steps, independent of where they run (compiler worker in a page, or Node).
// Given @yowasp/clang's runClang and the prebuilt artifacts (see scripts/prebuild-student.mjs), it compiles the
// student's file(s) and the module's check file against the header pack and PCH, then links them with doctest's main
// and every prebuilt engine object except the ones the student's files replace.
import { parseDiagnostics } from './diagnostics.mjs';

const decoder = new TextDecoder();

// Names a student's engine file has no business referencing: the checks' harness (doctest, tt_testing) and the
// results channel (the tt_results import of tests/engine/student_main.cpp). An object that holds one of them could
// report results of its own or reach into doctest's bookkeeping, so it is refused; engine code never needs them.
export const RESERVED_NAMES = ['tt_results', 'tt_testing', 'doctest'];

// What every object compiled with the PCH holds of doctest: doctest.h ends with DOCTEST_TEST_SUITE_END(), a static
// `DOCTEST_ANON_VAR_n = setTestSuite(TestSuite() * "")` in each translation unit. Harmless: it registers nothing.
const HEADER_DOCTEST_NAMES = ['_zn7doctest6detail9testsuitemlepkc', '_zn7doctest6detail12settestsuiteerkns0_9testsuitee',
  'doctest_anon_var_'];

// The reserved names a compiled object holds (its import and symbol tables name every function it defines or calls;
// a string literal holding one counts too, which no engine file needs either).
export function reservedNamesIn(object) {
  const bytes = object instanceof Uint8Array ? object : new Uint8Array(object);
  let text = decoder.decode(bytes).toLowerCase();  // object bytes as text: the names are ASCII
  for (const name of HEADER_DOCTEST_NAMES) text = text.split(name).join('');
  return RESERVED_NAMES.filter((name) => text.includes(name));
}

// "engine/a.cpp" → nested tree entry
function put(tree, path, content) {
  const parts = path.split('/');
  let node = tree;
  for (const dir of parts.slice(0, -1)) node = node[dir] = { ...(node[dir] ?? {}) };
  node[parts.at(-1)] = content;
}
function get(tree, path) {
  return path.split('/').reduce((node, part) => node?.[part], tree);
}

async function digest(text) {
  const bytes = new TextEncoder().encode(text);
  const hash = await crypto.subtle.digest('SHA-256', bytes);
  return Array.from(new Uint8Array(hash).slice(0, 12), (b) => b.toString(16).padStart(2, '0')).join('');
}

// Whether a warm-up compile of `ms` ran on the compiler's baseline code, given the fastest warm-up this browser has
// recorded for the same compiler (null: none yet, a first visit). From the browser's code cache a warm-up runs 2-3x
// faster than cold: Intel 0.56-0.61 s against 1.26-1.42, AMD 0.65-1.5 against 2.7-3.0 (bench/README.md). A fixed
// limit in seconds fits one machine only; a ratio to this browser's own best fits any.
export const COLD_WARMUP_RATIO = 1.6;
export const coldCompiler = (ms, best) => !(best > 0) || ms > COLD_WARMUP_RATIO * best;

export class Toolchain {
  // artifacts: {manifest, headers: {"include/x.h": text}, pch: Uint8Array, objects: {"objects/x.o": Uint8Array},
  //             load?: (relPath) → Promise<Uint8Array>, for the objects not loaded up front (see loadArtifacts)}
  // store: a persistent object cache ({get, put}, object-store.mjs) besides this visit's in-memory one, or null
  constructor(runClang, artifacts, { store = null, clangVersion = '' } = {}) {
    this.runClang = runClang;
    this.store = store;
    // what every object depends on besides its own source and flags: the compiler and the whole header pack
    this.packKey = digest(JSON.stringify([clangVersion, artifacts.manifest.clang ?? '', artifacts.headers]));
    this.manifest = artifacts.manifest;
    this.objects = artifacts.objects;
    this.loadFile = artifacts.load ?? null;
    this.loading = new Map();  // file → the one load under way of an object not loaded up front
    this.baseTree = {};
    for (const [p, text] of Object.entries(artifacts.headers)) put(this.baseTree, p, text);
    this.baseTree[this.manifest.pch.file] = artifacts.pch;
    this.objectCache = new Map();  // hash of (path, source, flags) → object bytes: unchanged files compile once
    this.onCompile = null;  // ({phase: 'start'|'end', path}) around each run of the compiler (not for cached objects)
  }

  // The PCH holds doctest.h, whose registration code needs doctest's main: programs with their own main() go
  // without it.
  compileFlags({ pch = true } = {}) {
    const m = this.manifest;
    return [...m.compileFlags, ...m.studentFlags, ...(pch ? m.pch.flag : [])];
  }

  // cache: false compiles even what is cached, and keeps nothing (the worker's warm-up, exercise() below).
  // → {ok, object, output, ms, cached}
  async compile(path, source, { pch = true, cache = true } = {}) {
    const flags = this.compileFlags({ pch });
    const t0 = performance.now();
    const key = await digest(JSON.stringify([await this.packKey, path, source, flags]));
    let hit = cache ? this.objectCache.get(key) : null;
    if (!hit && cache && this.store) {
      hit = await this.store.get(key);
      if (hit) this.objectCache.set(key, hit);
    }
    if (!hit && cache && pch) hit = await this.starterObject(path, source);
    if (hit) return { ok: !hit.failed, object: hit.object, output: hit.output, ms: performance.now() - t0, cached: true };
    const tree = { ...this.baseTree };
    put(tree, path, source);
    let output = '';
    const sink = (b) => { if (b) output += decoder.decode(b, { stream: true }); };
    this.onCompile?.({ phase: 'start', path });  // the page's compile time limit runs from here (compiler-client.mjs)
    try {
      const out = await this.runClang(['clang++', ...flags, '-c', path, '-o', 'out.o'], tree,
        { stdout: sink, stderr: sink });
      const object = get(out, 'out.o');
      const ms = performance.now() - t0;
      if (cache) {
        this.remember(key, { object, output });
        await this.store?.put(key, { object, output });
      }
      return { ok: true, object, output, ms, cached: false };
    } catch (e) {
      if (e?.code === undefined) throw e;  // not a compiler exit: a bug or a load failure
      // Kept for this visit only: a Run right after a compile ahead (ahead() below) shows its errors at once.
      if (cache) this.remember(key, { object: null, output, failed: true });
      return { ok: false, object: null, output, ms: performance.now() - t0, cached: false };
    } finally {
      this.onCompile?.({ phase: 'end', path });
    }
  }

  // This visit's objects (bounded: compiling as the student types makes one per pause)
  remember(key, entry) {
    if (this.objectCache.size > 64) this.objectCache.clear();
    this.objectCache.set(key, entry);
  }

  // A lesson file still exactly as its starter: the object prebuilt with the page's own flags (prebuild-student.mjs),
  // so a file the student has not touched yet never compiles. → {object, output} or null
  async starterObject(path, source) {
    const pre = this.manifest.starterObjects?.[path];
    if (!pre || pre.source !== await digest(source)) return null;
    const object = await this.object(pre.object).catch(() => null);  // none: the file is compiled instead
    return object ? { object, output: pre.output ?? '' } : null;
  }

  // A prebuilt object of the site (objects/…): the engine's are loaded up front, a lesson's checks and starters on
  // first use. Rejects when the file cannot be loaded.
  async object(file) {
    if (this.objects[file]) return this.objects[file];
    if (!this.loadFile) throw new Error(`no prebuilt object ${file}`);
    if (!this.loading.has(file)) {
      const loading = this.loadFile(file).then((bytes) => {
        this.objects[file] = bytes;
        return bytes;
      });
      loading.catch(() => this.loading.delete(file));  // a failed load is tried again next time
      this.loading.set(file, loading);
    }
    return this.loading.get(file);
  }

  // Compiles files whose objects the next build() will reuse (a lesson's check files, right after page load), so the
  // first Run compiles only the student's file. → {path: ms}
  async prepare(sources) {
    const ahead = await this.ahead(sources);
    return Object.fromEntries(Object.entries(ahead).map(([p, r]) => [p, r.ms]));
  }

  // The student's files compiled as they are edited (the lesson page, a moment after the typing stops), so that the
  // Run finds their objects in the cache and only links. → {path: {ok, cached, ms, diagnostics}}
  async ahead(sources) {
    const out = {};
    for (const [p, text] of Object.entries(sources)) {
      const r = await this.compile(p, text);
      out[p] = { ok: r.ok, cached: r.cached, ms: Math.round(r.ms), diagnostics: parseDiagnostics(r.output, { userFiles: [p] }) };
    }
    return out;
  }

  // A compiler whose machine code did not come from the browser's cache runs its first compiles on V8's baseline
  // code while the optimizing tier catches up: a new visitor's first Run compiled lesson 01's file in 6.1 s, the
  // next in 2.0 s (bench/lesson-page-timing.mjs). While the student reads, one real compile of their file (a variant
  // no Run will ask for, so nothing is cached) and a real link do that catching up. → {file, compileMs, linkMs}
  async exercise(path, source) {
    const c = await this.compile(path, `${source}\n// warm-up\n`, { cache: false });
    const objects = c.ok ? [{ name: 'exercise.o', bytes: c.object }] : [];
    const l = await this.link(this.linkInputs(objects, new Set(c.ok ? [path] : []), false));
    return { file: path, compileMs: Math.round(c.ms), linkMs: Math.round(l.ms) };
  }

  // What a build links: doctest's main (not for a program), the compiled objects, and every reference object whose
  // source is not among `replaced`.
  linkInputs(compiled, replaced, program) {
    const reference = Object.entries(this.manifest.objects)
      .filter(([src]) => !replaced.has(src))
      .map(([src, obj]) => ({ name: obj.split('/').pop(), bytes: this.objects[obj] }));
    const main = program ? [] : [{ name: 'doctest_main.o', bytes: this.objects[this.manifest.doctestMain] }];
    return [...main, ...compiled, ...reference];
  }

  // objects: [{name, bytes}] in link order → {ok, wasm, output, ms}
  async link(objects) {
    const tree = { obj: {} };
    const names = objects.map((o, i) => {
      const name = `obj/${String(i).padStart(3, '0')}_${o.name.replace(/[^A-Za-z0-9_.]/g, '_')}`;
      put(tree, name, o.bytes);
      return name;
    });
    let output = '';
    const sink = (b) => { if (b) output += decoder.decode(b, { stream: true }); };
    const t0 = performance.now();
    try {
      const out = await this.runClang(['clang++', ...this.manifest.linkFlags, ...names, '-o', 'checks.wasm'], tree,
        { stdout: sink, stderr: sink });
      return { ok: true, wasm: get(out, 'checks.wasm'), output, ms: performance.now() - t0 };
    } catch (e) {
      if (e?.code === undefined) throw e;
      return { ok: false, wasm: null, output, ms: performance.now() - t0 };
    }
  }

  // request: {files: {"engine/core/profile.cpp": text}, checks: {"tests/engine/test_01_setup.cpp": text},
  //           framework: {"engine/tensor/tensor.cpp": text} (earlier modules built from the student's own files),
  //           prebuiltChecks: ["tests/engine/test_01_setup.cpp"] (linked from the manifest's checkObjects),
  //           program: false (true: `checks` hold a program with its own main(); doctest's main is not linked)}
  // onProgress({phase: 'compile', done, total, file} | {phase: 'link'}): before each step, for "file k of n".
  // → {ok, stage: 'compile'|'link'|'done', diagnostics, output, wasm, timings}
  async build({ files = {}, checks = {}, prebuiltChecks = [], framework = {}, program = false }, onProgress = () => {}) {
    const t0 = performance.now();
    const timings = { compile: {}, cached: [], link: 0, total: 0 };
    for (const p of [...Object.keys(files), ...Object.keys(framework)]) {
      if (!(p in this.manifest.objects)) {
        throw new Error(`build: ${p} is not an engine source file of this build (known: ${Object.keys(this.manifest.objects).join(', ')})`);
      }
    }
    const sources = { ...framework, ...files, ...checks };
    const userFiles = Object.keys(sources);
    const studentFiles = new Set([...Object.keys(files), ...Object.keys(framework)]);
    let output = '';
    const compiled = [];
    let ok = true;
    const entries = Object.entries(sources);
    for (const [i, [p, text]] of entries.entries()) {
      onProgress({ phase: 'compile', done: i, total: entries.length, file: p });
      const r = await this.compile(p, text, { pch: !program });
      timings.compile[p] = Math.round(r.ms);
      if (r.cached) timings.cached.push(p);
      output += r.output;
      const reserved = r.ok && studentFiles.has(p) ? reservedNamesIn(r.object) : [];
      if (reserved.length) {
        // in clang's diagnostic form, so the page shows it on the file like a compile error
        output += `${p}:1:1: error: this file refers to ${reserved.map((n) => `'${n}'`).join(', ')}, which belong to `
          + 'the checks (their test harness and result channel); a lesson file must not use them\n';
        ok = false;
      } else if (!r.ok) ok = false;
      else compiled.push({ name: p.split('/').pop().replace(/\.cpp$/, '.o'), bytes: r.object });
    }
    for (const p of prebuiltChecks) {
      const obj = this.manifest.checkObjects?.[p];
      if (!obj) throw new Error(`build: no prebuilt object for the check file ${p}`);
      compiled.push({ name: p.split('/').pop().replace(/\.cpp$/, '.o'), bytes: await this.object(obj) });
      timings.cached.push(p);
    }
    const diagnostics = parseDiagnostics(output, { userFiles });
    if (!ok) {
      timings.total = Math.round(performance.now() - t0);
      return { ok: false, stage: 'compile', diagnostics, output, wasm: null, timings };
    }
    onProgress({ phase: 'link', done: 0, total: 1 });
    const l = await this.link(this.linkInputs(compiled, new Set(Object.keys(sources)), program));
    timings.link = Math.round(l.ms);
    timings.total = Math.round(performance.now() - t0);
    output += l.output;
    return {
      ok: l.ok, stage: l.ok ? 'done' : 'link', diagnostics: parseDiagnostics(output, { userFiles }), output,
      wasm: l.wasm, timings,
    };
  }
}

// Reads what every build needs, through `load(relPath) → Promise<Uint8Array>`: the manifest, the header pack, the PCH,
// doctest's main and the engine's objects. The lessons' prebuilt check and starter objects (more than half of the
// objects' bytes, and 90 requests) are left to Toolchain.object(), which loads each on first use.
export async function loadArtifacts(load) {
  const text = async (p) => decoder.decode(await load(p));
  const manifest = JSON.parse(await text('manifest.json'));
  const objectFiles = [manifest.doctestMain, ...Object.values(manifest.objects)];
  const [headers, pch, ...objectBytes] = await Promise.all([
    text(manifest.headers).then(JSON.parse), load(manifest.pch.file), ...objectFiles.map(load)]);
  const objects = Object.fromEntries(objectFiles.map((f, i) => [f, objectBytes[i]]));
  return { manifest, headers, pch, objects, load };
}
