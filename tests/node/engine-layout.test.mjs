// The engine's layout rules (docs/architecture.md): one folder per layer, every layer folder on the include path, so
// header basenames must be unique across the engine (and the checks' headers); every engine source file stays within
// the line budget.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

import { ROOT, engineFiles, engineLayers } from '../../scripts/lib/engine-files.mjs';

const LINE_BUDGET = 400;

test('the engine is in layer folders, none nested and no file left at the top', () => {
  const top = fs.readdirSync(path.join(ROOT, 'engine'), { withFileTypes: true });
  assert.deepEqual(top.filter((d) => d.isFile() && /\.(h|cpp)$/.test(d.name)).map((d) => d.name), []);
  for (const layer of [...engineLayers(), 'bindings', 'cli']) {
    const nested = fs.readdirSync(path.join(ROOT, 'engine', layer), { withFileTypes: true }).filter((d) => d.isDirectory());
    assert.deepEqual(nested.map((d) => d.name), [], `engine/${layer} has sub-folders`);
  }
  assert.ok(engineLayers().includes('tensor') && engineLayers().includes('core'), engineLayers().join(', '));
});

test('header basenames are unique (includes name a header by basename)', () => {
  const headers = [...engineFiles('.h'), ...fs.readdirSync(path.join(ROOT, 'tests/engine'))
    .filter((f) => f.endsWith('.h')).map((f) => `tests/engine/${f}`)];
  const seen = new Map();
  for (const h of headers) {
    const base = path.basename(h);
    assert.ok(!seen.has(base), `${h} and ${seen.get(base)} share the basename ${base}`);
    seen.set(base, h);
  }
  assert.ok(seen.size > 20, `${seen.size} headers found`);
});

// Two different classes of one name in one namespace are one name in the linked program: their inline members and
// template instances (std::vector<tt::Batch>'s) share symbols, and the linker keeps one — the one-definition rule
// broken without a diagnostic. (models/batcher.h had a tt::Batch beside data/dataloader.h's; now tt::RequestBatch.)
test('no two engine headers define a class of the same name in the same namespace', () => {
  const defined = new Map();  // "tt::Batch" → header
  let count = 0;
  for (const h of engineFiles('.h')) {
    const namespaces = [];
    for (const line of fs.readFileSync(path.join(ROOT, h), 'utf8').split('\n')) {
      const open = /^namespace ([\w:]+) \{/.exec(line);
      if (open) namespaces.push(open[1]);
      else if (/^\}\s*\/\/ namespace/.test(line)) namespaces.pop();
      const type = /^(?:struct|class) (\w+)\b(?!\s*;)/.exec(line);  // at the namespace's level; not a declaration
      if (!type) continue;
      const name = `${namespaces.join('::')}::${type[1]}`;
      assert.ok(!defined.has(name), `${name} is defined in ${defined.get(name)} and in ${h}`);
      defined.set(name, h);
      count++;
    }
  }
  assert.ok(defined.has('tt::Batch') && defined.has('tt::RequestBatch') && count > 50, `${count} classes found`);
});

test(`every engine source file is at most ${LINE_BUDGET} lines`, () => {
  const all = [...engineFiles(['.h', '.cpp']), ...['bindings', 'cli'].flatMap((d) => fs.readdirSync(path.join(ROOT, 'engine', d))
    .filter((f) => /\.(h|cpp)$/.test(f)).map((f) => `engine/${d}/${f}`))];
  const over = all.map((f) => [f, fs.readFileSync(path.join(ROOT, f), 'utf8').split('\n').length - 1])
    .filter(([, n]) => n > LINE_BUDGET);
  assert.deepEqual(over, [], `over the budget: ${over.map(([f, n]) => `${f} (${n})`).join(', ')}`);
});

test('the C++ sources follow .clang-format (run clang-format -i on the files named)', () => {
  const dirs = ['engine/*', 'tests/engine', 'bench', 'web/apps'];
  const files = dirs.flatMap((d) => {
    const parts = d.split('/');
    const bases = parts.at(-1) === '*' ? fs.readdirSync(path.join(ROOT, parts[0]), { withFileTypes: true })
      .filter((e) => e.isDirectory()).map((e) => `${parts[0]}/${e.name}`) : [d];
    return bases.flatMap((b) => fs.readdirSync(path.join(ROOT, b)).filter((f) => /\.(h|cpp)$/.test(f)).map((f) => `${b}/${f}`));
  });
  assert.ok(files.length > 60, `${files.length} files`);
  const r = spawnSync('clang-format', ['--dry-run', '-Werror', ...files], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.error, undefined, `clang-format did not run (scripts/setup.sh installs it): ${r.error?.message}`);
  const named = [...new Set([...r.stderr.matchAll(/^([^\s:]+\.(?:h|cpp)):\d+:\d+: error/gm)].map((m) => m[1]))];
  assert.equal(r.status, 0, `not formatted: ${named.join(', ')}`);
});

// The layers in order (docs/architecture.md): a file includes headers of its own layer and of the layers before it.
const LAYER_ORDER = ['core', 'tensor', 'kernels', 'autograd', 'nn', 'optim', 'data', 'io', 'models'];
const ALLOWED_UPWARD = new Set(['engine/tensor/matmul.cpp -> gemm.h']);  // matmul is SGEMM's first caller

test('each layer includes only its own layer and the layers before it', () => {
  assert.deepEqual([...engineLayers()].sort(), [...LAYER_ORDER].sort(), 'a new layer folder needs a place in LAYER_ORDER');
  const layerOf = new Map(engineFiles('.h').map((f) => [path.basename(f), f.split('/')[1]]));
  const wrong = [];
  for (const f of engineFiles(['.h', '.cpp'])) {
    const own = LAYER_ORDER.indexOf(f.split('/')[1]);
    for (const [, inc] of fs.readFileSync(path.join(ROOT, f), 'utf8').matchAll(/^#include "([^"]+)"/gm)) {
      const layer = layerOf.get(inc);
      if (layer && LAYER_ORDER.indexOf(layer) > own && !ALLOWED_UPWARD.has(`${f} -> ${inc}`)) wrong.push(`${f} -> ${inc} (${layer})`);
    }
  }
  assert.deepEqual(wrong, []);
});
