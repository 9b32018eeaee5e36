// engine/README.md is generated from the sources (scripts/engine-readme.mjs): it must be exactly what the script
// writes now, list every file under engine/, and take modules and regions from lesson.json and the sources.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, allEngineFiles } from '../../scripts/lib/engine-files.mjs';
import { regionsOf } from '../../scripts/lib/engine-source.mjs';
import { render, COMMAND } from '../../scripts/engine-readme.mjs';

const readme = fs.readFileSync(path.join(ROOT, 'engine/README.md'), 'utf8');
const row = (text, rel) => text.split('\n').find((l) => l.startsWith(`| [${rel.slice('engine/'.length)}](`));

test('engine/README.md is what the script generates from the tree', () => {
  const expected = render();
  if (readme !== expected) {
    const a = readme.split('\n'), b = expected.split('\n');
    const i = a.findIndex((line, k) => line !== b[k]);
    assert.fail(`engine/README.md is stale (first difference at line ${i + 1}:\n  file:      ${a[i]}\n  generated: ${b[i]})\n` +
                `regenerate it with: ${COMMAND}`);
  }
});

test('every engine file (library, bindings/, cli/) has one row', () => {
  const files = allEngineFiles(['.h', '.cpp']);
  assert.ok(files.some((f) => f.startsWith('engine/bindings/')) && files.some((f) => f.startsWith('engine/cli/')));
  for (const f of files) assert.ok(row(readme, f), `${f} is not listed`);
  const rows = readme.split('\n').filter((l) => /^\| \[/.test(l));
  assert.equal(rows.length, files.length);
});

test('a lesson file names its lesson and counts its regions from the source', () => {
  const lesson = JSON.parse(fs.readFileSync(path.join(ROOT, 'lessons/02_tensor/lesson.json'), 'utf8'));
  for (const f of lesson.files) {
    const cells = row(readme, f).split(' | ');
    assert.match(cells[1], /^\[02_tensor\]\(\.\.\/lessons\/02_tensor\/lesson\.json\)$/, f);
    const n = regionsOf(fs.readFileSync(path.join(ROOT, f), 'utf8')).length;
    assert.ok(n > 0, `${f} has regions`);
    assert.match(cells[2], new RegExp(`^${n}: `), f);
  }
});

test('the script notices a change: a new region or file changes the output', () => {
  const tmp = fs.mkdtempSync(path.join(fs.realpathSync(process.env.TMPDIR ?? '/tmp'), 'tt-readme-'));
  try {
    fs.cpSync(path.join(ROOT, 'engine'), path.join(tmp, 'engine'), { recursive: true });
    fs.cpSync(path.join(ROOT, 'lessons'), path.join(tmp, 'lessons'), { recursive: true });
    assert.equal(render(tmp), readme, 'a copy of the tree renders the same README');
    fs.writeFileSync(path.join(tmp, 'engine/nn/extra.cpp'), '// Module 12 — an extra file.\nint f() {\n    // BEGIN SOLUTION x\n    return 1;\n    // END SOLUTION\n}\n');
    const changed = render(tmp);
    assert.match(row(changed, 'engine/nn/extra.cpp'), /^\| \[nn\/extra\.cpp\]\(nn\/extra\.cpp\) \| 12 \| 1: `f` \| an extra file\. \|$/);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
