// Every lesson text (lessons/NN_name/lesson.md) has the parts a lesson promises, renders without stray math
// delimiters, and pastes no code (the engine files are shown by path and from engine-map.json, never copied).
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const repo = path.resolve(import.meta.dirname, '../..');
const siteDir = process.env.TT_SITE_DIR ?? path.join(repo, 'build/site');
const { renderMarkdown } = await import(pathToFileURL(path.join(siteDir, 'js/course/markdown.mjs')).href);
// Every lesson marked ready has its text; a planned one may have none yet.
const readJson = (dir) => JSON.parse(fs.readFileSync(path.join(repo, 'lessons', dir, 'lesson.json'), 'utf8'));
const lessons = fs.readdirSync(path.join(repo, 'lessons')).filter((d) => /^\d\d_/.test(d)).sort()
  .filter((d) => readJson(d).status === 'ready');
const SECTIONS = [/^## Objectives/m, /^## What you build/m, /^## (Your )?[Ff]irst passing check/m, /^## Systems/m,
  /^## What the next module needs/m];

test('lessons 01-05 and every other ready lesson are written', () => {
  assert.deepEqual(lessons.map((d) => d.slice(0, 2)).slice(0, 5), ['01', '02', '03', '04', '05']);
  for (const dir of lessons) assert.ok(fs.existsSync(path.join(repo, 'lessons', dir, 'lesson.md')), `${dir} is ready but has no lesson.md`);
});

for (const dir of lessons) {
  test(`${dir}: sections, math, hints, no pasted code`, () => {
    const md = fs.readFileSync(path.join(repo, 'lessons', dir, 'lesson.md'), 'utf8');
    for (const s of SECTIONS) assert.match(md, s, `${dir} lacks ${s}`);
    assert.ok((md.match(/<details>/g) ?? []).length >= 2, `${dir} has hints`);
    assert.doesNotMatch(md, /^```/m, `${dir} must not paste code blocks`);
    const html = renderMarkdown(md);
    const text = html.replace(/<code class="math-tex">[\s\S]*?<\/code>/g, '').replace(/<[^>]+>/g, '');
    assert.doesNotMatch(text, /\$/, `${dir}: a $ was not turned into math`);
    // every file the lesson edits is named in its text
    const lesson = JSON.parse(fs.readFileSync(path.join(repo, 'lessons', dir, 'lesson.json'), 'utf8'));
    for (const f of lesson.files) assert.ok(md.includes(f), `${dir} does not mention ${f}`);
  });
}
