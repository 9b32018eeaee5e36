// ctest's entry to tests/lessons/run.mjs: one node:test case per lesson (reference passes, starter fails, every
// solution region checked, every variant in tests/lessons/variants judged as expected), through the real
// @yowasp/clang. A planned lesson whose files do not exist yet is skipped (shown as skipped, never as passed). Uses the
// artifacts in TT_STUDENT_DIR as built (no prebuild here).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';

import { readLessons, testLessons } from '../lessons/run.mjs';

const repo = path.resolve(import.meta.dirname, '../..');
const studentDir = path.resolve(process.env.TT_STUDENT_DIR ?? path.join(repo, 'build/student'));
const lessons = readLessons();
let results;
before(async () => {
  assert.ok(fs.existsSync(path.join(studentDir, 'manifest.json')),
    `no student-build artifacts in ${studentDir}: run node scripts/prebuild-student.mjs --out ${studentDir}`);
  process.env.TT_STUDENT_DIR = studentDir;
  results = await testLessons(lessons, { jobs: Number(process.env.TT_LESSON_JOBS ?? 2) });
});

for (const [i, lesson] of lessons.entries()) {
  test(`lesson ${lesson.id}`, (t) => {
    const r = results[i];
    for (const line of r.lines) t.diagnostic(line);
    if (r.status === 'skipped') { t.skip(r.lines.join('; ')); return; }
    assert.deepEqual(r.errors, [], r.errors.join('\n'));
  });
}
