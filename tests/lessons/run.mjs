#!/usr/bin/env node
// Every lesson, through the real in-browser toolchain (@yowasp/clang) under Node, with the page's own modules:
//   1. the reference engine file(s) pass every check (at least one check runs, none fails, none crashes);
//   2. the starter compiles and fails;
//   3. each solution region, stubbed alone, makes at least one check fail (so every region is actually checked).
// A lesson with status "ready" whose files are missing fails; a "planned" one is reported as skipped until its
// files exist (then it is tested like any other).
//
// usage: node tests/lessons/run.mjs [lesson-id …] [--no-prebuild]
//   TT_STUDENT_DIR selects the prebuilt artifacts (default build/student; refreshed first unless --no-prebuild).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { findRegions, makeStarter } from '../../scripts/lib/starter.mjs';
import { createCompiler } from '../../web/js/student/compiler-client.mjs';
import { runProgram } from '../../web/js/student/runner.mjs';
import { parseResults } from '../../web/js/student/results.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function readLessons(only = []) {
  const dir = path.join(ROOT, 'lessons');
  return fs.readdirSync(dir).filter((d) => /^\d\d_/.test(d)).sort()
    .filter((d) => fs.existsSync(path.join(dir, d, 'lesson.json')))
    .map((d) => JSON.parse(fs.readFileSync(path.join(dir, d, 'lesson.json'), 'utf8')))
    .filter((l) => only.length === 0 || only.includes(l.id));
}

const describe = (res) => `${res.summary.passed} passed, ${res.summary.failed} failed, ${res.summary.crashed} crashed, ` +
  `${res.summary.skipped} skipped` + (res.problems.length ? ` [${res.problems.join('; ')}]` : '');

async function check(compiler, lesson, files) {
  const build = await compiler.build({ files, lesson: lesson.id });
  if (!build.ok) {
    const errors = build.diagnostics.filter((d) => d.severity === 'error')
      .map((d) => `${d.file ?? 'link'}:${d.line}:${d.column}: ${d.message}`);
    return { compiled: false, build, text: (errors.length ? errors : [build.output]).slice(0, 8).join('\n') };
  }
  const run = await runProgram(build.wasm, { timeLimitMs: 20000, files: build.files });
  const res = parseResults(run);
  return { compiled: true, build, run, res, text: describe(res) };
}

// → {id, status: 'passed'|'failed'|'skipped', lines: [text], errors: [text]}
export async function testLesson(compiler, lesson, log = () => {}) {
  const out = { id: lesson.id, status: 'passed', lines: [], errors: [] };
  const say = (t) => { out.lines.push(t); log(`${lesson.id}: ${t}`); };
  const fail = (t) => { out.errors.push(t); out.status = 'failed'; log(`${lesson.id}: FAIL ${t}`); };
  const missing = [...lesson.files, ...lesson.checks].filter((f) => !fs.existsSync(path.join(ROOT, f)));
  if (missing.length) {
    const msg = `lesson.json lists ${missing.join(', ')}, which ${missing.length > 1 ? 'do' : 'does'} not exist`;
    if (lesson.status === 'planned') { out.status = 'skipped'; say(`skipped (planned): ${msg}`); return out; }
    fail(msg);
    return out;
  }
  const reference = Object.fromEntries(lesson.files.map((f) => [f, fs.readFileSync(path.join(ROOT, f), 'utf8')]));

  const ref = await check(compiler, lesson, reference);
  if (!ref.compiled) fail(`reference does not compile:\n${ref.text}`);
  else if (!ref.res.ok) fail(`reference fails its checks: ${ref.text}`);
  else say(`reference passes (${ref.text}; build ${ref.build.timings.total} ms, run ${ref.run.timeMs} ms)`);

  const starter = Object.fromEntries(Object.entries(reference).map(([f, t]) => [f, makeStarter(t, { fileName: f })]));
  const st = await check(compiler, lesson, starter);
  if (!st.compiled) fail(`starter does not compile:\n${st.text}`);
  else if (st.res.ok) fail(`starter passes every check: ${st.text}`);
  else say(`starter fails as it should (${st.text})`);

  for (const [file, text] of Object.entries(reference)) {
    const regions = findRegions(text, file);
    if (regions.length === 0) fail(`${file} has no BEGIN SOLUTION regions`);
    for (let i = 0; i < regions.length; i++) {
      const where = `${file}:${regions[i].begin + 1}`;
      const variant = { ...reference, [file]: makeStarter(text, { which: [i], fileName: file }) };
      const v = await check(compiler, lesson, variant);
      if (!v.compiled) fail(`region ${where} stubbed alone does not compile:\n${v.text}`);
      else if (v.res.ok) fail(`region ${where} stubbed alone still passes every check: no check covers it`);
      else say(`region ${where} is checked (${v.text})`);
    }
  }
  return out;
}

export function prebuild(studentDir) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts/prebuild-student.mjs'), '--out', studentDir, '--quiet'],
    { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('prebuild-student failed');
}

async function main() {
  const argv = process.argv.slice(2);
  const only = argv.filter((a) => !a.startsWith('--'));
  const studentDir = path.resolve(process.env.TT_STUDENT_DIR ?? path.join(ROOT, 'build/student'));
  process.env.TT_STUDENT_DIR = studentDir;
  if (!argv.includes('--no-prebuild')) prebuild(studentDir);
  const t0 = performance.now();
  const compiler = createCompiler();
  await compiler.ready;
  let failed = 0;
  try {
    for (const lesson of readLessons(only)) {
      const r = await testLesson(compiler, lesson, console.log);
      if (r.status === 'failed') failed++;
    }
  } finally {
    compiler.terminate();
  }
  console.log(`lessons: ${failed ? `${failed} FAILED` : 'all good'} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  process.exit(failed ? 1 : 0);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
