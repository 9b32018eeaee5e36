#!/usr/bin/env node
// Prebuilds what the in-browser student build links against, with the SAME @yowasp/clang the page runs:
//   objects/<name>.o        one per engine/*.cpp (the reference), compiled for wasm32-wasip1 without exceptions
//   objects/doctest_main.o  doctest's implementation + the "[tt]" result listener (tests/engine/student_main.cpp)
//   objects/checks/*.o      the lessons' check files (tests/engine/test_NN_*.cpp), prebuilt like the engine
//   tt_pch.pch              precompiled header of the common std headers + doctest.h
//   headers.json            the header pack: every header a student compile may include, as {"include/x.h": text}
//   lessons/NN_name/        lesson.json, starter/<engine file> (solution regions → TT_TODO), checks/<check file>
//   objects/starters/*.o    each lesson file's starter, compiled exactly as the page compiles a student's file
//                           (same flags, PCH and tree): a file the student has not touched yet never compiles
//   fixtures/*              the checks' PyTorch fixtures (tests/fixtures), opened by the checks at /fixtures
//   manifest.json           all of the above plus the exact flags (the browser reads only this to find the rest)
// Every output is cached by a hash of its inputs, headers included (.cache.json): a rerun with nothing changed
// takes well under a second, and a changed engine header rebuilds only the objects that include it.
//
// usage: node scripts/prebuild-student.mjs --out build/student [--xsimd <dir holding xsimd/>] [--quiet]
//   without --xsimd the student build is scalar (engine/core/simd.h's fallback); with it, xsimd on wasm simd128.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { clangPool } from './lib/clang-pool.mjs';
import { engineFiles } from './lib/engine-files.mjs';
import { findRegions, makeStarter } from './lib/starter.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DOCTEST_H = '/usr/include/doctest/doctest.h';

// The flags every student-build compile uses (prebuilt objects, PCH, and the page's compiles must agree).
// With --xsimd, SIMD_FLAGS are added: the student build then uses the same xsimd kernels as the web reference.
export const SIMD_FLAGS = ['-msimd128', '-DTT_USE_XSIMD=1'];
export const COMPILE_FLAGS = [
  '--target=wasm32-wasip1', '-std=c++17', '-O2', '-fno-exceptions',
  '-DTT_STUDENT_BUILD=1', '-D_WASI_EMULATED_SIGNAL', '-DDOCTEST_CONFIG_NO_EXCEPTIONS_BUT_WITH_ALL_ASSERTS',
  '-Iinclude', '-DTT_FIXTURES_DIR="/fixtures"',
];
// Extra flags only for the page's compiles of student and check files (warnings help students; PCH-neutral).
// Unused-variable warnings are off: a starter keeps the declarations before a cut region, and would show them.
// A value-returning function that falls off its end is an error, not a warning: at -O2 clang turns that path into
// `unreachable`, and the student would otherwise meet it as a bare trap far from its cause.
export const STUDENT_FLAGS = ['-Wall', '-Werror=return-type', '-Wno-unused-variable', '-Wno-unused-const-variable',
  '-Wno-unused-but-set-variable', '-fno-color-diagnostics'];
// 1 MiB stack placed first (an overflow traps instead of corrupting data); memory capped at 1 GiB so a runaway
// allocation fails with a clear message instead of eating the tab's RAM.
export const LINK_FLAGS = [
  '--target=wasm32-wasip1', '-O2', '-fno-exceptions', '-lwasi-emulated-signal',
  '-Wl,-z,stack-size=1048576', '-Wl,--stack-first', '-Wl,--max-memory=1073741824',
];
const PCH_STD_HEADERS = ['algorithm', 'array', 'cassert', 'chrono', 'cmath', 'cstddef', 'cstdint', 'cstdio', 'cstdlib',
  'cstring', 'functional', 'initializer_list', 'iomanip', 'limits', 'map', 'memory', 'numeric', 'ostream', 'random',
  'sstream', 'string', 'unordered_map', 'utility', 'vector'];

function parseArgs(argv) {
  const args = { out: path.join(ROOT, 'build/student'), xsimd: null, quiet: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out') args.out = path.resolve(argv[++i]);
    else if (argv[i] === '--xsimd') args.xsimd = path.resolve(argv[++i]);
    else if (argv[i] === '--quiet') args.quiet = true;
    else throw new Error(`prebuild-student: unknown argument ${argv[i]}`);
  }
  return args;
}

const sha = (...parts) => {
  const h = crypto.createHash('sha256');
  for (const p of parts) h.update(typeof p === 'string' ? p : Buffer.from(p)).update('\0');
  return h.digest('hex').slice(0, 24);
};

// The page's key for a source text (toolchain.mjs digest): the first 12 bytes of its SHA-256, in hex.
export const sourceDigest = (text) => crypto.createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 24);

function listFiles(dir, test) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter(test).sort().map((f) => path.join(dir, f));
}

// xsimd for wasm32-wasip1: xsimd 13 enables its wasm arch only under __EMSCRIPTEN__, so the pack also accepts
// __wasm_simd128__ (set by -msimd128); and the in-browser file system ignores `..`, so every quoted relative
// include becomes an include from the pack's root (<xsimd/…>).
function xsimdPack(dir) {
  const pack = {};
  const root = path.join(dir, 'xsimd');
  if (!fs.existsSync(path.join(root, 'xsimd.hpp'))) throw new Error(`prebuild-student: no xsimd/xsimd.hpp in ${dir}`);
  let wasmSwitch = 0;
  const walk = (d) => {
    for (const name of fs.readdirSync(d).sort()) {
      const file = path.join(d, name);
      if (fs.statSync(file).isDirectory()) { walk(file); continue; }
      const rel = path.relative(dir, file).split(path.sep).join('/');
      // a quoted include is looked up next to the including file first, then on the include path (as the
      // preprocessor does); either way it becomes a path from the pack's root
      let text = fs.readFileSync(file, 'utf8').replace(/#include\s+"([^"]+)"/g, (m, inc) => {
        const local = path.posix.normalize(path.posix.join(path.posix.dirname(rel), inc));
        return `#include <${fs.existsSync(path.join(dir, local)) ? local : inc}>`;
      });
      text = text.replace(/#ifdef __EMSCRIPTEN__\n#define XSIMD_WITH_WASM 1/, () => {
        wasmSwitch++;
        return '#if defined(__EMSCRIPTEN__) || defined(__wasm_simd128__)\n#define XSIMD_WITH_WASM 1';
      });
      pack[`include/${rel}`] = text;
    }
  };
  walk(root);
  if (wasmSwitch !== 1) throw new Error('prebuild-student: xsimd\'s XSIMD_WITH_WASM switch not found (new xsimd version?)');
  return pack;
}

// The header pack: engine headers, the checks' shared headers, doctest. Keys are paths in the compile tree.
function headerPack(xsimdDir) {
  const pack = {};
  // flat: every layer folder is on the include path, and header basenames are unique (engine-layout test)
  for (const f of engineFiles('.h')) pack[`include/${path.basename(f)}`] = fs.readFileSync(path.join(ROOT, f), 'utf8');
  for (const f of listFiles(path.join(ROOT, 'tests/engine'), (f) => f.endsWith('.h')))
    pack[`include/${path.basename(f)}`] = fs.readFileSync(f, 'utf8');
  pack['include/doctest/doctest.h'] = fs.readFileSync(DOCTEST_H, 'utf8');
  if (xsimdDir) Object.assign(pack, xsimdPack(xsimdDir));
  pack['include/tt_pch.h'] = '// Precompiled for every student-build compile (see scripts/prebuild-student.mjs).\n' +
    PCH_STD_HEADERS.map((h) => `#include <${h}>`).join('\n') + '\n#include <doctest/doctest.h>\n' +
    (xsimdDir ? '#include <xsimd/xsimd.hpp>\n' : '');
  return pack;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const log = (...m) => { if (!args.quiet) console.log('[student]', ...m); };
  const started = performance.now();
  const { version } = await import('@yowasp/clang');
  // Compiles run on a pool of compiler threads (one per core), started only if something is out of date.
  let pool = null;
  fs.mkdirSync(path.join(args.out, 'objects'), { recursive: true });
  const cacheFile = path.join(args.out, '.cache.json');
  const cache = fs.existsSync(cacheFile) ? JSON.parse(fs.readFileSync(cacheFile, 'utf8')) : {};
  const newCache = {};

  const pack = headerPack(args.xsimd);
  const compileFlags = [...COMPILE_FLAGS, ...(args.xsimd ? SIMD_FLAGS : [])];
  const writeIfChanged = (rel, data) => {
    const file = path.join(args.out, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (!fs.existsSync(file) || !fs.readFileSync(file).equals(Buffer.from(data))) fs.writeFileSync(file, data);
  };
  writeIfChanged('headers.json', JSON.stringify(pack));

  // Compiles to `rel` under out/ unless it is up to date. The cache keeps, per output, the header-pack files the
  // compile read (clang -MD) and a hash over the compiler, flags, sources and those headers' contents: changing one
  // engine header rebuilds only the objects that include it.
  const inputsHash = (key, argv, files, deps) =>
    sha(version, key, JSON.stringify(argv), ...Object.entries(files).flat(), ...deps.flatMap((d) => [d, pack[d] ?? '<missing>']));
  async function build(rel, key, argv, files, what) {
    const old = cache[rel];
    if (old?.deps && old.hash === inputsHash(key, argv, files, old.deps) && fs.existsSync(path.join(args.out, rel))) {
      newCache[rel] = old;
      log(`up to date  ${what}`);
      return old.output ?? '';
    }
    const t0 = performance.now();
    if (!pool) {
      pool = clangPool({ pack });
      log(`compiling on ${pool.size} threads`);
    }
    const outName = 'out.bin';
    let result, errText;
    try {
      ({ outputs: result, stderr: errText } = await pool.run(['clang++', ...argv, '-MD', '-MF', 'out.d', '-o', outName],
        files, [outName, 'out.d']));
    } catch (e) {
      throw new Error(`prebuild-student: compiling ${what} failed (exit ${e.code}):\n${e.stderr ?? e.message}`);
    }
    if (errText.trim() && key !== 'starter') process.stderr.write(errText);  // a starter's warnings are the page's to show
    const depFile = result['out.d'];  // yowasp hands ASCII files back as strings
    const depText = typeof depFile === 'string' ? depFile : new TextDecoder().decode(depFile);
    const deps = [...new Set(depText.replace(/\\\n/g, ' ').split(/\s+/).filter((d) => d in pack))].sort();
    newCache[rel] = { hash: inputsHash(key, argv, files, deps), deps, ...(key === 'starter' ? { output: errText } : {}) };
    fs.writeFileSync(path.join(args.out, rel), result[outName]);
    log(`built       ${what} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    return errText;
  }

  // 1. the precompiled header
  await build('tt_pch.pch', 'pch', [...compileFlags, '-Xclang', '-fno-pch-timestamp', '-x', 'c++-header',
    'include/tt_pch.h'], {}, 'precompiled header (std + doctest.h)');

  // Everything after the PCH is independent: queued at once, compiled by the pool as threads come free.
  const jobs = [];
  // 2. doctest's main + listener
  const mainSrc = fs.readFileSync(path.join(ROOT, 'tests/engine/student_main.cpp'), 'utf8');
  jobs.push(build('objects/doctest_main.o', 'main', [...compileFlags, '-c',
    'tests/engine/student_main.cpp'], { 'tests/engine/student_main.cpp': mainSrc }, 'doctest main + [tt] listener'));

  // 3. one object per engine source file
  const objects = {};
  for (const rel of engineFiles('.cpp')) {
    const obj = `objects/${rel.replace(/^engine\//, '').replace(/\.cpp$/, '.o')}`;
    fs.mkdirSync(path.dirname(path.join(args.out, obj)), { recursive: true });
    jobs.push(build(obj, 'engine', [...compileFlags, '-c', rel], { [rel]: fs.readFileSync(path.join(ROOT, rel), 'utf8') }, rel));
    objects[rel] = obj;
  }

  // 4. the lessons' check files: fixed sources, so the page links these objects instead of compiling the checks.
  // Not for a planned lesson whose files are not all there yet: nothing can run its checks.
  const checkObjects = {};
  for (const dir of listFiles(path.join(ROOT, 'lessons'), (f) => /^\d\d_/.test(f))) {
    const jsonFile = path.join(dir, 'lesson.json');
    if (!fs.existsSync(jsonFile)) continue;
    const lesson = JSON.parse(fs.readFileSync(jsonFile, 'utf8'));
    if ([...lesson.files ?? [], ...lesson.checks ?? []].some((f) => !fs.existsSync(path.join(ROOT, f)))) continue;
    for (const rel of lesson.checks ?? []) {
      const src = path.join(ROOT, rel);
      if (checkObjects[rel]) continue;
      const obj = `objects/checks/${path.basename(rel, '.cpp')}.o`;
      fs.mkdirSync(path.join(args.out, 'objects/checks'), { recursive: true });
      jobs.push(build(obj, 'check', [...compileFlags, '-c', rel], { [rel]: fs.readFileSync(src, 'utf8') }, rel));
      checkObjects[rel] = obj;
    }
  }

  // 5. the checks' PyTorch fixtures (read through the runner's in-memory file system at /fixtures)
  const fixtures = { dir: '/fixtures', files: {} };
  for (const f of listFiles(path.join(ROOT, 'tests/fixtures'), (f) => !f.endsWith('.py') && !f.startsWith('.'))) {
    writeIfChanged(`fixtures/${path.basename(f)}`, fs.readFileSync(f));
    fixtures.files[path.basename(f)] = `fixtures/${path.basename(f)}`;
  }

  // 6. lessons: starters (and their objects) and checks
  const lessons = [];
  const starterObjects = {};
  const pchBytes = fs.readFileSync(path.join(args.out, 'tt_pch.pch'));
  for (const dir of listFiles(path.join(ROOT, 'lessons'), (f) => /^\d\d_/.test(f))) {
    const jsonFile = path.join(dir, 'lesson.json');
    if (!fs.existsSync(jsonFile)) continue;
    const lesson = JSON.parse(fs.readFileSync(jsonFile, 'utf8'));
    const name = path.basename(dir);
    const entry = { ...lesson, dir: `lessons/${name}`, starters: {}, checkSources: {}, missing: [] };
    for (const f of lesson.files) {
      const src = path.join(ROOT, f);
      if (!fs.existsSync(src)) { entry.missing.push(f); continue; }
      const text = fs.readFileSync(src, 'utf8');
      entry.regions = (entry.regions ?? 0) + findRegions(text, f).length;
      const starter = makeStarter(text, { fileName: f });
      writeIfChanged(`lessons/${name}/starter/${f}`, starter);
      entry.starters[f] = `lessons/${name}/starter/${f}`;
      // The page's compile of a student file (toolchain.mjs compile): these flags, the PCH at the tree's root, the
      // file at its engine path. The toolchain takes this object when the source is byte for byte the starter.
      const obj = `objects/starters/${f.replace(/^engine\//, '').replace(/\.cpp$/, '.o')}`;
      fs.mkdirSync(path.dirname(path.join(args.out, obj)), { recursive: true });
      const starterEntry = starterObjects[f] = { object: obj, source: sourceDigest(starter), output: '' };
      jobs.push(build(obj, 'starter', [...compileFlags, ...STUDENT_FLAGS, '-include-pch', 'tt_pch.pch', '-c', f],
        { 'tt_pch.pch': pchBytes, [f]: starter }, `${f} (starter)`).then((output) => { starterEntry.output = output; }));
    }
    for (const f of lesson.checks) {
      const src = path.join(ROOT, f);
      if (!fs.existsSync(src)) { entry.missing.push(f); continue; }
      writeIfChanged(`lessons/${name}/checks/${f}`, fs.readFileSync(src));
      entry.checkSources[f] = `lessons/${name}/checks/${f}`;
    }
    writeIfChanged(`lessons/${name}/lesson.json`, JSON.stringify(lesson, null, 2) + '\n');
    if (entry.missing.length) log(`lesson ${name}: not available yet, missing ${entry.missing.join(', ')}`);
    lessons.push(entry);
  }

  await Promise.all(jobs).finally(() => pool?.close());
  const sorted = (o) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const manifest = {
    schema: 1,
    clang: version,
    simd: args.xsimd ? 'wasm' : 'scalar',
    compileFlags,
    studentFlags: STUDENT_FLAGS,
    linkFlags: LINK_FLAGS,
    pch: { file: 'tt_pch.pch', flag: ['-include-pch', 'tt_pch.pch'] },
    headers: 'headers.json',
    doctestMain: 'objects/doctest_main.o',
    objects,  // engine source path → prebuilt object (relative to this folder)
    checkObjects,  // check file → prebuilt object (the page compiles a check only when given its source)
    starterObjects,  // lesson file → {object, source: sourceDigest of the starter text, output: the compiler's messages}
    fixtures,
    hashes: Object.fromEntries(Object.entries(sorted(newCache)).map(([k, v]) => [k, v.hash])),
    lessons,
  };
  writeIfChanged('manifest.json', JSON.stringify(manifest, null, 2) + '\n');
  fs.writeFileSync(cacheFile, JSON.stringify(sorted(newCache), null, 2));
  log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s → ${path.relative(process.cwd(), args.out) || '.'}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => { console.error(e.message ?? e); process.exit(1); });
}
