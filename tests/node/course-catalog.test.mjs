// Course metadata is written once: every module 01-17 has a lessons/NN_name/lesson.json (title, blurb, engine files,
// checks, unlocks), the map's titles and blurbs come from it through the lesson index, and web/js/course/catalog.mjs
// only orders modules into phases and milestones — it must agree with the lesson.json files and copy nothing.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { MODULES, PHASES, MILESTONES } from '../../web/js/course/catalog.mjs';
import { courseState } from '../../web/js/course/unlocks.mjs';
import { emptyProgress } from '../../web/js/course/progress.mjs';
import { NOT_LIBRARY } from '../../scripts/lib/engine-files.mjs';

const repo = path.resolve(import.meta.dirname, '../..');
const siteDir = process.env.TT_SITE_DIR ?? path.join(repo, 'build/site');
const dirs = fs.readdirSync(path.join(repo, 'lessons')).filter((d) => /^\d\d_/.test(d)).sort();
const lessons = dirs.map((dir) => ({ dir, ...JSON.parse(fs.readFileSync(path.join(repo, 'lessons', dir, 'lesson.json'), 'utf8')) }));
const FIELDS = ['id', 'number', 'title', 'blurb', 'status', 'files', 'checks', 'prerequisites', 'unlocks'];

test('one lesson.json per module 01-17, in the catalog\'s order', () => {
  assert.deepEqual(lessons.map((l) => l.dir.slice(0, 2)), MODULES.map((m) => m.id));
  assert.deepEqual(PHASES.flatMap((p) => p.modules), MODULES.map((m) => m.id));
  assert.equal(lessons.length, 17);
});

for (const [i, l] of lessons.entries()) {
  test(`${l.dir}: schema (lessons/README.md)`, () => {
    assert.deepEqual(Object.keys(l).filter((k) => k !== 'dir').sort(), [...FIELDS].sort(), 'fields');
    assert.equal(l.id, l.dir);
    assert.equal(l.number, i + 1);
    for (const k of ['title', 'blurb']) assert.ok(typeof l[k] === 'string' && l[k].trim().length > 2, `${k}: ${l[k]}`);
    assert.ok(!l.title.includes(':'), `title is the short name, the rest belongs in the blurb: "${l.title}"`);
    assert.ok(['ready', 'planned'].includes(l.status), l.status);
    assert.ok(l.files.length > 0, 'at least one engine file');
    for (const f of l.files) {
      const m = /^engine\/([a-z]+)\/[a-z0-9_]+\.cpp$/.exec(f);
      assert.ok(m, `${f}: an engine/<layer>/<name>.cpp path`);
      assert.ok(!NOT_LIBRARY.has(m[1]), `${f}: bindings/ and cli/ are not library layers`);
    }
    // named test_NN_<topic>.cpp: test_16_quant.cpp and test_16_prune.cpp are module 16's two halves
    assert.ok(l.checks.length > 0, 'at least one check file');
    for (const c of l.checks) assert.match(c, new RegExp(`^tests/engine/test_${l.id.slice(0, 2)}_[a-z0-9_]+\\.cpp$`));
    assert.deepEqual(l.prerequisites, i ? [lessons[i - 1].id] : []);
    if (l.status === 'ready') {
      for (const f of [...l.files, ...l.checks]) assert.ok(fs.existsSync(path.join(repo, f)), `${f} exists`);
      assert.ok(fs.existsSync(path.join(repo, 'lessons', l.dir, 'lesson.md')), 'a ready lesson has its text');
    }
  });
}

test('lesson.json "unlocks" and the catalog\'s milestones agree', () => {
  const listed = lessons.flatMap((l) => l.unlocks.map((u) => [u, l.id.slice(0, 2)]));
  assert.deepEqual(listed, MILESTONES.map((ms) => [`milestone-${ms.id}`, ms.after]));
});

test('catalog.mjs holds no module titles or blurbs: the map gets them from lesson.json', () => {
  const catalog = fs.readFileSync(path.join(repo, 'web/js/course/catalog.mjs'), 'utf8');
  for (const l of lessons) assert.ok(!catalog.includes(l.blurb), `${l.id}'s blurb is copied into catalog.mjs`);
  for (const m of MODULES) assert.deepEqual(Object.keys(m), ['id'], `catalog module ${m.id}`);
  const course = courseState(lessons, emptyProgress());
  assert.deepEqual(course.modules.map((m) => [m.id, m.title, m.blurb]), lessons.map((l) => [l.dir.slice(0, 2), l.title, l.blurb]));
});

test('the lesson index build-site writes: every lesson with its title and blurb; planned ones missing files are coming soon', () => {
  const index = JSON.parse(fs.readFileSync(path.join(siteDir, 'lessons/index.json'), 'utf8'));
  assert.deepEqual(index.map((l) => [l.dir, l.title, l.blurb]), lessons.map((l) => [l.dir, l.title, l.blurb]));
  for (const entry of index) {
    const missing = [...entry.files, ...entry.checks].filter((f) => !fs.existsSync(path.join(repo, f)));
    assert.deepEqual(entry.missing, missing, entry.dir);
    if (entry.status === 'ready') assert.deepEqual(entry.missing, [], `${entry.dir} is ready`);
  }
  const states = Object.fromEntries(courseState(index, emptyProgress()).modules.map((m) => [m.id, m.state]));
  for (const entry of index.filter((e) => e.missing.length)) assert.equal(states[entry.dir.slice(0, 2)], 'coming-soon', entry.dir);
});
