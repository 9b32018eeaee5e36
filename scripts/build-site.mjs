// Assembles the static site: web/ + the reference engine + vendor copies (Monaco, Chart.js, marked, KaTeX, the
// clang toolchain) + the prebuilt student-build artifacts + lessons. Copies only what changed, removes what no
// longer belongs, and writes .gz twins of compressible files for serve.py (and any static host that can use them).
//
// usage: node scripts/build-site.mjs --out build/site --engine build/wasm --student build/student
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { parseArgs } from 'node:util';
import { engineFiles } from './lib/engine-files.mjs';
import { describeSource } from './lib/engine-source.mjs';

const root = path.resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: {
    out: { type: 'string', default: path.join(root, 'build/site') },
    engine: { type: 'string', default: path.join(root, 'build/wasm') },
    student: { type: 'string', default: path.join(root, 'build/student') },
  },
});
const out = path.resolve(args.out);
const nm = (p) => path.join(root, 'node_modules', p);

// [source, destination inside the site]; a source folder is copied whole.
const sources = [
  [path.join(root, 'web'), '.'],
  [path.join(args.engine, 'tt_web.mjs'), 'wasm/tt_web.mjs'],
  [path.join(args.engine, 'tt_web.wasm'), 'wasm/tt_web.wasm'],
  // the threaded build, loaded by pages that are cross-origin isolated (web/js/engine.mjs)
  ...['tt_web_mt.mjs', 'tt_web_mt.wasm', 'tt_web_mt.worker.js'].map((f) => [path.join(args.engine, f), `wasm/${f}`]),
  // sgemm on relaxed SIMD, for pages that ask for speed where the browser has it (engineUrl's relaxed option)
  ...['tt_web_relaxed.mjs', 'tt_web_relaxed.wasm'].map((f) => [path.join(args.engine, f), `wasm/${f}`]),
  [nm('monaco-editor/min/vs'), 'vendor/monaco/vs'],
  [nm('chart.js/dist/chart.umd.min.js'), 'vendor/chart.umd.min.js'],
  [nm('marked/lib/marked.esm.js'), 'vendor/marked.esm.js'],
  [nm('katex/dist/katex.min.js'), 'vendor/katex/katex.min.js'],
  [nm('katex/dist/katex.min.css'), 'vendor/katex/katex.min.css'],
  [nm('katex/dist/fonts'), 'vendor/katex/fonts'],
  [nm('@yowasp/clang/gen'), 'vendor/clang'],
  [path.join(root, 'lessons'), 'lessons'],
  [args.student, 'student'],
  [path.join(root, 'assets'), 'assets'],            // pretrained weights + model cards (milestones)
  [path.join(root, 'build/datasets'), 'datasets'],  // packed data shards + .gz twins (datasets/CMakeLists.txt)
];

const COMPRESS = new Set(['.wasm', '.js', '.mjs', '.json', '.css', '.html', '.tar', '.svg', '.md', '.txt', '.h',
                          '.cpp', '.o', '.a', '.pch', '.ttf']);
const written = new Set();
let copied = 0, compressed = 0, bytes = 0;

// utimes round-trips times only to about a millisecond: compare with that slack, or files look changed every run.
const older = (a, b) => a.mtimeMs + 2 < b.mtimeMs;

function syncFile(src, dst) {
  written.add(dst);
  const s = fs.statSync(src);
  bytes += s.size;
  let d = null;
  try { d = fs.statSync(dst); } catch {}
  if (!d || d.size !== s.size || older(d, s)) {
    fs.mkdirSync(path.dirname(dst), { recursive: true });
    fs.copyFileSync(src, dst);
    fs.utimesSync(dst, s.atime, s.mtime);
    copied++;
  }
  if (COMPRESS.has(path.extname(dst)) && s.size > 1024) {
    const gz = dst + '.gz';
    written.add(gz);
    let g = null;
    try { g = fs.statSync(gz); } catch {}
    if (!g || older(g, s)) {
      if (s.size > 8 << 20) console.log(`  gzip ${path.relative(out, dst)} (${(s.size / 2 ** 20).toFixed(0)} MiB)`);
      fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(src), { level: 6 }));
      fs.utimesSync(gz, s.atime, s.mtime);
      compressed++;
    }
  }
}

function sync(src, dst) {
  const s = fs.statSync(src);
  if (s.isDirectory()) {
    // Dotfiles are build bookkeeping (e.g. the prebuild cache), not site content.
    for (const name of fs.readdirSync(src)) if (!name.startsWith(".")) sync(path.join(src, name), path.join(dst, name));
  } else {
    syncFile(src, dst);
  }
}

function prune(dir) {
  for (const name of fs.readdirSync(dir)) {
    const p = path.join(dir, name);
    if (fs.statSync(p).isDirectory()) {
      prune(p);
      if (fs.readdirSync(p).length === 0) fs.rmdirSync(p);
    } else if (!written.has(p)) {
      fs.unlinkSync(p);
    }
  }
}

const missing = [];
for (const [src, rel] of sources) {
  if (!fs.existsSync(src)) { missing.push(src); continue; }
  sync(src, path.join(out, rel));
}
// The lesson list the course map reads, in course order.
const lessonsDir = path.join(root, 'lessons');
const lessons = fs.existsSync(lessonsDir)
  ? fs.readdirSync(lessonsDir).filter((d) => /^\d\d_/.test(d)).sort()
      .filter((d) => fs.existsSync(path.join(lessonsDir, d, 'lesson.json')))
      .map((d) => ({ dir: d, ...JSON.parse(fs.readFileSync(path.join(lessonsDir, d, 'lesson.json'), 'utf8')) }))
      // files a (planned) lesson names that the engine does not have yet: the map shows it as coming soon
      .map((l) => ({ ...l, missing: [...(l.files ?? []), ...(l.checks ?? [])].filter((f) => !fs.existsSync(path.join(root, f))) }))
  : [];
// "Where this code lives" (lesson pages): each engine file's leading comment, includes, the regions students write
// (hint + enclosing function, never the body) and the full text of headers. Rendered from engine/ at every build.
function engineMap() {
  const files = engineFiles(['.h', '.cpp']).map((rel) => describeSource(rel, fs.readFileSync(path.join(root, rel), 'utf8')));
  const testDir = path.join(root, 'tests/engine');
  for (const name of fs.readdirSync(testDir).sort()) {
    const rel = `tests/engine/${name}`;
    if (/^test_\d\d_.*\.cpp$/.test(name)) files.push(describeSource(rel, fs.readFileSync(path.join(root, rel), 'utf8')));
  }
  return { files };
}
// The site's HTML pages, so the course map links a milestone's page only when that page is part of this build.
const pagesFile = path.join(out, 'site-pages.json');
const pagesText = JSON.stringify([...written].filter((f) => f.endsWith('.html')).map((f) => path.relative(out, f)).sort());
if (!fs.existsSync(pagesFile) || fs.readFileSync(pagesFile, 'utf8') !== pagesText) fs.writeFileSync(pagesFile, pagesText);
written.add(pagesFile);

// The text corpora this build has (the TinyGPT page trains on them): datasets/*.txt with their sizes, so the page
// knows without probing for a file that may not exist.
const textsFile = path.join(out, 'datasets/texts.json');
const textsDir = path.join(root, 'build/datasets');
const textsText = JSON.stringify(fs.existsSync(textsDir)
  ? fs.readdirSync(textsDir).filter((f) => f.endsWith('.txt')).sort()
      .map((name) => ({ name, bytes: fs.statSync(path.join(textsDir, name)).size }))
  : []);
fs.mkdirSync(path.dirname(textsFile), { recursive: true });
if (!fs.existsSync(textsFile) || fs.readFileSync(textsFile, 'utf8') !== textsText) fs.writeFileSync(textsFile, textsText);
written.add(textsFile);

const engineMapFile = path.join(out, 'engine-map.json');
const engineMapText = JSON.stringify(engineMap());
if (!fs.existsSync(engineMapFile) || fs.readFileSync(engineMapFile, 'utf8') !== engineMapText) fs.writeFileSync(engineMapFile, engineMapText);
written.add(engineMapFile);

const index = path.join(out, 'lessons/index.json');
fs.mkdirSync(path.dirname(index), { recursive: true });
const indexText = JSON.stringify(lessons, null, 1);
if (!fs.existsSync(index) || fs.readFileSync(index, 'utf8') !== indexText) fs.writeFileSync(index, indexText);
written.add(index);
prune(out);

const required = missing.filter((m) => !m.startsWith(args.student) && !m.startsWith(lessonsDir));
for (const m of missing) console.log(`  ${required.includes(m) ? 'MISSING' : 'not built yet'}: ${path.relative(root, m)}`);
console.log(`site: ${out} — ${written.size} files, ${(bytes / 2 ** 20).toFixed(1)} MiB; ` +
            `${copied} copied, ${compressed} compressed`);
if (required.length) process.exit(1);
