// Writes engine/README.md: every file under engine/ with its folder (layer), its module and its student regions,
// read from the sources and lessons/*/lesson.json so the list cannot drift (tests/node/engine-readme.test.mjs
// compares the file with render()). The intro and the one-line layer descriptions below are the hand-written part.
//
// usage: node scripts/engine-readme.mjs           rewrite engine/README.md
//        node scripts/engine-readme.mjs --check   exit 1 (and say so) when engine/README.md is stale
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, allEngineFiles } from './lib/engine-files.mjs';
import { declaredModule, regionsOf } from './lib/engine-source.mjs';

export const COMMAND = 'node scripts/engine-readme.mjs';

const INTRO = `# engine/

The reference TinyTorch: one C++17 library, built three ways — natively (g++: the doctest suite and the \`tt\` CLI),
with Emscripten as the fast engine behind every page, and by the student's compiler in the browser, which replaces
the files of a lesson with the student's own. One folder per layer, named as in PyTorch; every folder is on the
include path, so \`#include "tensor.h"\` works from anywhere and header basenames are unique. The layers, the data
paths and the shape letters (B, T, C, H, W, N, K, M) are described in [docs/architecture.md](../docs/architecture.md);
solution regions and starters in [lessons/README.md](../lessons/README.md).

**Generated** from the sources and \`lessons/*/lesson.json\` by
\`${COMMAND}\` — do not edit by hand (the intro is in the script).
\`tests/node/engine-readme.test.mjs\` fails when this file and the tree disagree.

Columns: **module** — the lesson whose \`lesson.json\` lists the file for students to edit (planned lessons
included); otherwise the module the file's first line names (\`// Module NN — …\`; a \`.cpp\` without such a line
takes its header's); otherwise —. **student regions** — how many \`// BEGIN SOLUTION\` regions the file has and the
functions they sit in. **what it is** — the first sentence of the file's leading comment.
`;

// Dependency order: each layer uses only the ones above it. Folders not named here follow, alphabetically.
const LAYERS = [
  ['core', 'errors, SIMD selection, threads, timing and units, JSON'],
  ['tensor', 'the Tensor: storage, strides and views, elementwise ops, reductions, matmul, random, printing'],
  ['kernels', 'raw-pointer compute kernels (activations, SGEMM, convolution); no Tensor graph, no Modules'],
  ['autograd', 'the recorded graph and backward (module 07)'],
  ['nn', 'Modules: the base class, layers, containers, initialisation'],
  ['optim', 'optimizers and schedules (module 08)'],
  ['data', 'data sets and loaders'],
  ['io', 'checkpoint formats (safetensors)'],
  ['models', 'whole models built from nn (the milestone classifiers)'],
  ['bindings', 'Embind: the engine as a JS module (web builds only); not part of the library'],
  ['cli', 'the native `tt` tool; not part of the library'],
];

// Markdown table text: pipes escaped; "<" escaped outside code spans (inside them an entity would show literally).
const esc = (s) => s.replace(/\|/g, '\\|').split('`').map((part, i) => (i % 2 ? part : part.replace(/</g, '&lt;'))).join('`');

// The first sentence of the leading comment's first paragraph (it ends at an empty or indented comment line: code
// samples), without the "Module NN — " it may start with; at most about 160 characters.
function firstSentence(text) {
  const lines = [];
  for (const line of text.split('\n')) {
    const m = /^\/\/ ?(.*)$/.exec(line);
    if (!m || !m[1].trim() || /^\s{2,}/.test(m[1])) break;
    lines.push(m[1].trim());
  }
  const para = lines.join(' ').replace(/^(Module|Milestone) \d+\s*(\([^)]*\))?\s*—\s*/, '');
  const m = /^(.*?(?<!\be\.g|\bi\.e|\bvs)[.!?])(?=\s|$)/.exec(para);  // not at e.g. / i.e. / vs.
  const sentence = (m ? m[1] : para).trim();
  if (sentence.length <= 160) return sentence;
  return `${sentence.slice(0, 160).replace(/\s+\S*$/, '')} …`;
}

function lessonFiles(root) {
  const owner = new Map();  // engine file → lesson.json
  const dir = path.join(root, 'lessons');
  for (const name of fs.readdirSync(dir).filter((d) => /^\d\d_/.test(d)).sort()) {
    const file = path.join(dir, name, 'lesson.json');
    if (!fs.existsSync(file)) continue;
    const lesson = JSON.parse(fs.readFileSync(file, 'utf8'));
    for (const f of lesson.files ?? []) owner.set(f, { id: lesson.id ?? name, dir: name, status: lesson.status });
  }
  return owner;
}

function moduleCell(rel, text, texts, owners) {
  const lesson = owners.get(rel);
  if (lesson) return `[${lesson.id}](../lessons/${lesson.dir}/lesson.json)${lesson.status === 'planned' ? ' (planned)' : ''}`;
  let declared = declaredModule(text);
  if (!declared && rel.endsWith('.cpp')) {
    const header = texts.get(rel.replace(/\.cpp$/, '.h'));
    if (header !== undefined) declared = declaredModule(header);
  }
  if (!declared) return '—';
  return declared.kind === 'module' ? declared.number : `milestone ${declared.number}`;
}

function regionsCell(rel, text) {
  if (!rel.endsWith('.cpp')) return '—';
  const regions = regionsOf(text);
  if (!regions.length) return '—';
  const names = [];
  for (const r of regions) {
    const name = r.function ?? '(outside a function)';
    const last = names.at(-1);
    if (last?.name === name) last.n++;
    else names.push({ name, n: 1 });
  }
  return `${regions.length}: ${names.map(({ name, n }) => `\`${name}\`${n > 1 ? ` ×${n}` : ''}`).join(', ')}`;
}

function whatCell(rel, text) {
  const own = firstSentence(text);
  if (own) return esc(own);
  const header = rel.replace(/\.cpp$/, '.h');
  return rel.endsWith('.cpp') ? `implements \`${path.basename(header)}\`` : '';
}

export function render(root = ROOT) {
  const files = allEngineFiles(['.h', '.cpp'], root);
  const texts = new Map(files.map((f) => [f, fs.readFileSync(path.join(root, f), 'utf8')]));
  const owners = lessonFiles(root);
  const folders = [...new Set(files.map((f) => f.split('/')[1]))];
  const known = LAYERS.map(([name]) => name);
  const order = [...known.filter((l) => folders.includes(l)), ...folders.filter((f) => !known.includes(f)).sort()];
  const regionCount = files.reduce((n, f) => n + (f.endsWith('.cpp') ? regionsOf(texts.get(f)).length : 0), 0);
  const studentFiles = files.filter((f) => owners.has(f)).length;

  const out = [INTRO];
  out.push(`${files.length} files in ${order.length} folders; ${studentFiles} of them are lesson files, with ` +
           `${regionCount} student regions in all.\n`);
  for (const folder of order) {
    const description = LAYERS.find(([name]) => name === folder)?.[1];
    out.push(`## ${folder}/${description ? ` — ${description}` : ''}\n`);
    out.push('| file | module | student regions | what it is |');
    out.push('|---|---|---|---|');
    for (const rel of files.filter((f) => f.split('/')[1] === folder)) {
      const text = texts.get(rel);
      const name = rel.slice('engine/'.length);
      out.push(`| [${name}](${name}) | ${moduleCell(rel, text, texts, owners)} | ${regionsCell(rel, text)} | ${whatCell(rel, text)} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const target = path.join(ROOT, 'engine/README.md');
  const text = render();
  const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : null;
  if (process.argv.includes('--check')) {
    if (current !== text) {
      console.error(`engine/README.md is stale: run \`${COMMAND}\``);
      process.exit(1);
    }
  } else if (current !== text) {
    fs.writeFileSync(target, text);
    console.log('wrote engine/README.md');
  }
}
