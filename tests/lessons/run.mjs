#!/usr/bin/env node
// Every lesson, through the real in-browser toolchain (@yowasp/clang) under Node, with the page's own modules:
//   1. the reference engine file(s) pass every check (at least one check runs, none fails, none crashes);
//   2. the starter compiles and fails;
//   3. each solution region, stubbed alone, makes at least one check fail (so every region is actually checked);
//   4. each variant in tests/lessons/variants/<lesson>/*.json — a small edit of one reference file — fails the checks
//      (expect "fail": a wrong but plausible solution) or passes them (expect "pass": a correct but different one).
// A lesson with status "ready" whose files are missing fails; a "planned" one is reported as skipped until its
// files exist (then it is tested like any other).
//
// usage: node tests/lessons/run.mjs [lesson-id …] [--no-prebuild]
//   TT_STUDENT_DIR selects the prebuilt artifacts (default build/student; refreshed first unless --no-prebuild);
//   TT_LESSON_JOBS the number of student sessions, each with its compiler worker (default 2).
// Builds go through web/js/student/session.mjs as on the lesson page; the judging reads the session's result.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { findRegions, makeStarter } from '../../scripts/lib/starter.mjs';
import { createSession } from '../../web/js/student/session.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function readLessons(only = []) {
  const dir = path.join(ROOT, 'lessons');
  return fs.readdirSync(dir).filter((d) => /^\d\d_/.test(d)).sort()
    .filter((d) => fs.existsSync(path.join(dir, d, 'lesson.json')))
    .map((d) => JSON.parse(fs.readFileSync(path.join(dir, d, 'lesson.json'), 'utf8')))
    .filter((l) => only.length === 0 || only.includes(l.id));
}

const describe = (r) => `${r.summary.passed} passed, ${r.summary.failed} failed (${r.summary.crashed} crashed), ` +
  `${r.summary.skipped} skipped` + (r.problems.length ? ` [${r.problems.join('; ')}]` : '');

// One build + run → {compiled, result, text}; result is the session's (the page's) result.
async function check(session, lesson, files) {
  const result = await session.buildAndRun({ files, lesson: lesson.id, timeLimitMs: 20000 });
  if (result.stage !== 'run') {
    const errors = result.diagnostics.filter((d) => d.severity === 'error')
      .map((d) => `${d.file ?? 'link'}:${d.line}:${d.column}: ${d.message}`);
    return { compiled: false, result, text: (errors.length ? errors : [result.message]).slice(0, 8).join('\n') };
  }
  return { compiled: true, result, text: describe(result) };
}

// A lesson's variants: [{label, files, expect, why}] built from the reference files, plus errors for variants that
// no longer apply. A variant is {"file", "expect": "fail"|"pass", "why", "replace": [[old, new], …]}: each old text
// must occur exactly once in the reference file (so a variant never rots silently when the reference changes).
export function variantTasks(lesson, reference) {
  const dir = path.join(ROOT, 'tests/lessons/variants', lesson.id);
  if (!fs.existsSync(dir)) return { tasks: [], errors: [] };
  const tasks = [];
  const errors = [];
  for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
    const where = `variants/${lesson.id}/${name}`;
    let v;
    try { v = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')); } catch (e) { errors.push(`${where}: ${e.message}`); continue; }
    if (!(v.file in reference)) { errors.push(`${where}: ${v.file} is not one of the lesson's files`); continue; }
    if (!['pass', 'fail'].includes(v.expect)) { errors.push(`${where}: expect must be "pass" or "fail"`); continue; }
    if (!v.why || !Array.isArray(v.replace) || v.replace.length === 0) { errors.push(`${where}: needs "why" and "replace"`); continue; }
    let text = reference[v.file];
    const bad = v.replace.filter(([old]) => text.split(old).length !== 2);
    if (bad.length) {
      errors.push(`${where}: ${bad.map(([old]) => JSON.stringify(old)).join(', ')} must occur exactly once in ${v.file}`);
      continue;
    }
    for (const [old, now] of v.replace) text = text.replace(old, () => now);
    tasks.push({ label: `variant ${name.replace(/\.json$/, '')}`, variant: true, why: v.why, expect: v.expect,
      files: { ...reference, [v.file]: text } });
  }
  return { tasks, errors };
}

// A lesson's builds: [{label, files, expect: 'pass'|'fail'}], or {skip|error: text} when files are missing.
export function lessonTasks(lesson) {
  const missing = [...lesson.files, ...lesson.checks].filter((f) => !fs.existsSync(path.join(ROOT, f)));
  if (missing.length) {
    const msg = `lesson.json lists ${missing.join(', ')}, which ${missing.length > 1 ? 'do' : 'does'} not exist`;
    return lesson.status === 'planned' ? { skip: `skipped (planned): ${msg}` } : { error: msg };
  }
  const reference = Object.fromEntries(lesson.files.map((f) => [f, fs.readFileSync(path.join(ROOT, f), 'utf8')]));
  const tasks = [{ label: 'reference', files: reference, expect: 'pass' }];
  tasks.push({
    label: 'starter', expect: 'fail',
    files: Object.fromEntries(Object.entries(reference).map(([f, t]) => [f, makeStarter(t, { fileName: f })])),
  });
  const errors = [];
  for (const [file, text] of Object.entries(reference)) {
    const regions = findRegions(text, file);
    if (regions.length === 0) errors.push(`${file} has no BEGIN SOLUTION regions`);
    regions.forEach((r, i) => tasks.push({
      label: `region ${file}:${r.begin + 1}`, expect: 'fail',
      files: { ...reference, [file]: makeStarter(text, { which: [i], fileName: file }) },
    }));
  }
  const variants = variantTasks(lesson, reference);
  return { tasks: [...tasks, ...variants.tasks], errors: [...errors, ...variants.errors] };
}

function judge(task, v) {
  if (!v.compiled) return { error: `${task.label} does not compile:\n${v.text}` };
  if (task.variant) {
    if (v.result.ok === (task.expect === 'pass')) {
      return { line: `${task.label} ${task.expect === 'pass' ? 'passes' : 'fails'} as it should (${v.text})` };
    }
    return { error: task.expect === 'pass' ? `${task.label} (correct: ${task.why}) fails the checks: ${v.text}`
      : `${task.label} (wrong: ${task.why}) passes every check: no check catches it` };
  }
  if (task.expect === 'pass') {
    return v.result.ok ? { line: `reference passes (${v.text}; build ${v.result.timings.build} ms, run ${v.result.timings.run} ms)` }
      : { error: `reference fails its checks: ${v.text}` };
  }
  if (v.result.ok) {
    return { error: task.label === 'starter' ? `starter passes every check: ${v.text}`
      : `${task.label} stubbed alone still passes every check: no check covers it` };
  }
  return { line: task.label === 'starter' ? `starter fails as it should (${v.text})` : `${task.label} is checked (${v.text})` };
}

// Runs every lesson's builds on `jobs` student sessions (each caches a lesson's check object after its first use).
// → [{id, status: 'passed'|'failed'|'skipped', lines: [text], errors: [text]}] in lesson order
export async function testLessons(lessons, { jobs = 1, log = () => {}, sessions = null } = {}) {
  const results = lessons.map((l) => ({ id: l.id, status: 'passed', lines: [], errors: [] }));
  const queue = [];
  lessons.forEach((lesson, i) => {
    const t = lessonTasks(lesson);
    const r = results[i];
    if (t.skip) { r.status = 'skipped'; r.lines.push(t.skip); log(`${lesson.id}: ${t.skip}`); return; }
    if (t.error) { r.status = 'failed'; r.errors.push(t.error); log(`${lesson.id}: FAIL ${t.error}`); return; }
    for (const e of t.errors) { r.status = 'failed'; r.errors.push(e); }
    const variants = t.tasks.filter((task) => task.variant);
    if (variants.length) {
      const wrong = variants.filter((task) => task.expect === 'fail').length;
      r.lines.push(`variants: ${wrong} wrong (each must fail), ${variants.length - wrong} correct (each must pass)`);
    }
    for (const task of t.tasks) queue.push({ lesson, task, r });
  });
  const own = !sessions;
  sessions ??= Array.from({ length: Math.max(1, Math.min(jobs, queue.length)) }, () => createSession({
    // The page's 60 s per-file limit is for one student's tab; here ~150 builds share two loaded cores with the rest
    // of `make test`, and a limit hit would be a false failure. 10 minutes still ends a real runaway compile.
    compileTimeLimitMs: 600_000,
  }));
  try {
    await Promise.all(sessions.map(async (session) => {
      await session.warmUp();
      for (let item = queue.shift(); item; item = queue.shift()) {
        const verdict = judge(item.task, await check(session, item.lesson, item.task.files));
        if (verdict.error) {
          item.r.status = 'failed';
          item.r.errors.push(verdict.error);
          log(`${item.lesson.id}: FAIL ${verdict.error}`);
        } else {
          item.r.lines.push(verdict.line);
          log(`${item.lesson.id}: ${verdict.line}`);
        }
      }
    }));
  } finally {
    if (own) for (const s of sessions) s.terminate();
  }
  return results;
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
  const jobs = Number(process.env.TT_LESSON_JOBS ?? 2);
  const results = await testLessons(readLessons(only), { jobs, log: console.log });
  const failed = results.filter((r) => r.status === 'failed').length;
  console.log(`lessons: ${failed ? `${failed} FAILED` : 'all good'} in ${((performance.now() - t0) / 1000).toFixed(1)} s ` +
    `(${jobs} student sessions)`);
  process.exit(failed ? 1 : 0);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
