#!/usr/bin/env node
// The sandboxed grader behind `tt grade` (engine/cli/grade.cpp execs it, under its own time and memory watch): a
// student's file(s) are built and run exactly as the lesson page does it — compiled by the same @yowasp/clang to
// wasm against the header pack, linked with the prebuilt reference engine and the lesson's prebuilt checks, run under
// the page's WASI shim (it sees only the fixtures, read-only, in memory) — through the one student-build API,
// web/js/student/session.mjs. Nothing of the student's runs natively.
//
//   node scripts/grade.mjs --lesson 01_setup --file engine/core/profile.cpp=alice/profile.cpp [--file …]
//        [--time-limit-ms 20000] [--compile-time-limit-ms 60000] [--max-output-bytes 65536]
//   (TT_STUDENT_DIR: the prebuilt artifacts, default build/student)
//
// Prints ONE JSON object on stdout (JSON.stringify; nothing else is ever written there) and exits 0 when the file
// passes, 1 when it fails, 2 when the request cannot be graded (unknown lesson or file, a lesson whose own reference
// fails). Progress lines "[grade] <stage>" go to stderr, for the supervisor's messages.
//
// What cannot fool it:
//   - results come from the listener's tt_results import (student_main.cpp), not from printed lines;
//   - a student object that references the harness (doctest, tt_testing, tt_results) does not build (toolchain.mjs);
//   - the checks that ran are matched against the lesson's list, taken from a run of the reference build: a check
//     that never ran, a case that is not the lesson's, or a run that ended before doctest's "done" fails the file;
//   - time limit per Run (the runner's worker is terminated), compile time limit per file (the compiler worker is
//     terminated), wasm memory capped at 1 GiB by the link (prebuild-student.mjs), output capped per stream: output
//     past the cap fails the file.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MAX_EVENTS_REPORTED = 2000;
const MAX_TEXT = 16 * 1024;  // compiler output and program output kept in the report (their tails)

class UsageError extends Error {}

function parseArgs(argv) {
  const args = { lesson: null, files: [], timeLimitMs: 20000, compileTimeLimitMs: 60000, maxOutputBytes: 65536 };
  const number = (name, text) => {
    const v = Number(text);
    if (!Number.isInteger(v) || v <= 0) throw new UsageError(`${name}: ${text} is not a positive whole number`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new UsageError(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--lesson') args.lesson = value();
    else if (a === '--file') {
      const v = value();
      const eq = v.indexOf('=');
      if (eq <= 0) throw new UsageError(`--file ${v}: expected TARGET=PATH (engine/core/profile.cpp=alice/profile.cpp)`);
      args.files.push({ target: v.slice(0, eq), path: v.slice(eq + 1) });
    } else if (a === '--time-limit-ms') args.timeLimitMs = number(a, value());
    else if (a === '--compile-time-limit-ms') args.compileTimeLimitMs = number(a, value());
    else if (a === '--max-output-bytes') args.maxOutputBytes = number(a, value());
    else throw new UsageError(`unknown argument ${a}`);
  }
  if (!args.lesson) throw new UsageError('--lesson is required');
  if (!args.files.length) throw new UsageError('at least one --file TARGET=PATH is required');
  return args;
}

const tail = (text, n = MAX_TEXT) => (text.length > n ? `…${text.slice(-n)}` : text);
const stage = (what) => process.stderr.write(`[grade] ${what}\n`);
const seconds = (ms) => `${Number((ms / 1000).toFixed(1))} s`;

// The checks of a Run as the grader compares them: name → status.
function statuses(result) {
  return new Map(result.checks.map((c) => [c.name, c.status]));
}

// Why a Run that built does not pass, in the order a student would fix them. → [text]
export function runReasons(result, expected, { timeLimitMs, maxOutputBytes }) {
  const reasons = [];
  const run = result.raw.run;
  // a check that crashed says most (out of memory, a TT_CHECK): before the time limit that may have followed
  for (const c of result.checks.filter((x) => x.trap && expected.has(x.name)).slice(0, 3)) {
    reasons.push(`check "${c.name}" crashed: ${c.trap.message}`);
  }
  if (run.status === 'timeout') reasons.push(`ran past the time limit of ${seconds(timeLimitMs)} and was stopped (an endless loop, or far too much work)`);
  else if (run.status === 'error') reasons.push(`the run failed: ${run.message}`);
  const got = statuses(result);
  const failed = result.checks.filter((c) => c.status !== 'passed' && c.status !== 'skipped' && expected.has(c.name));
  for (const c of failed.filter((x) => !x.trap).slice(0, 5)) {
    const why = c.trap ? `${c.status}: ${c.trap.message}` : c.status === 'failed' && c.failures[0]
      ? `failed: ${c.failures[0].expression}${c.failures[0].got !== null ? ` (got ${c.failures[0].got})` : ''}` : c.status;
    reasons.push(`check "${c.name}" ${why}`);
  }
  if (failed.length > 5) reasons.push(`…and ${failed.length - 5} more checks did not pass`);
  const unexpected = [...got.keys()].filter((n) => !expected.has(n));
  if (unexpected.length) reasons.push(`results for checks that are not the lesson's: ${unexpected.slice(0, 5).map((n) => `"${n}"`).join(', ')}`);
  const missing = [...expected.keys()].filter((n) => !got.has(n));
  if (missing.length && run.status === 'exited') {
    reasons.push(`${missing.length} of the lesson's ${expected.size} checks never ran (the program ended early, exit code ${run.exitCode}): ${missing.slice(0, 3).map((n) => `"${n}"`).join(', ')}`);
  }
  for (const [name, status] of expected) {
    if (status === 'skipped' && got.has(name) && got.get(name) !== 'skipped') reasons.push(`check "${name}" should be skipped here but reported ${got.get(name)}`);
  }
  const done = run.events.some((e) => e.event === 'done');
  if (run.status === 'exited' && !done && !missing.length) reasons.push(`the program ended (exit code ${run.exitCode}) before the checks finished`);
  if (run.status === 'exited' && run.exitCode !== 0 && done && !failed.length) reasons.push(`the program exited with code ${run.exitCode}`);
  for (const t of run.traps.filter((x) => !x.case)) reasons.push(`${t.message} — outside any check`);
  const dropped = (run.truncated?.stdout ?? 0) + (run.truncated?.stderr ?? 0);
  if (dropped) reasons.push(`printed more than the ${maxOutputBytes} characters of output allowed per stream (${dropped} more were dropped)`);
  if (run.rejected) reasons.push(`${run.rejected} malformed result events`);
  return reasons;
}

async function grade(args) {
  const studentDir = path.resolve(process.env.TT_STUDENT_DIR ?? path.join(ROOT, 'build/student'));
  if (!fs.existsSync(path.join(studentDir, 'manifest.json'))) {
    throw new UsageError(`no student build in ${studentDir} (manifest.json is missing): build it with \`make wasm\` or `
      + '`node scripts/prebuild-student.mjs --out build/student --xsimd build/third_party/xsimd/include`');
  }
  process.env.TT_STUDENT_DIR = studentDir;
  const files = {};
  for (const f of args.files) files[f.target] = fs.readFileSync(f.path, 'utf8');

  const { createSession } = await import('../web/js/student/session.mjs');
  const session = createSession({ compileTimeLimitMs: args.compileTimeLimitMs });
  try {
    stage('loading the compiler');
    const lessons = await session.lessons();
    const lesson = lessons.find((l) => l.id === args.lesson);
    if (!lesson) throw new UsageError(`no lesson ${args.lesson} in ${studentDir} (known: ${lessons.map((l) => l.id).join(', ')})`);
    for (const target of Object.keys(files)) {
      if (!lesson.files.includes(target)) throw new UsageError(`${target} is not one of lesson ${lesson.id}'s files (${lesson.files.join(', ')})`);
    }
    const limits = { timeLimitMs: args.timeLimitMs, maxOutputBytes: args.maxOutputBytes };

    // The lesson's list of checks: what the reference build runs (and it must pass, or the lesson is broken).
    stage('running the reference');
    // (trusted code: its Run gets at least a minute, so a short --timeout for the student cannot break it)
    const reference = await session.buildAndRun({
      lesson: lesson.id, files: {}, raw: true, ...limits, timeLimitMs: Math.max(args.timeLimitMs, 60000),
    });
    if (!reference.ok) {
      throw new UsageError(`lesson ${lesson.id}'s reference build does not pass its own checks (${reference.message ?? reference.problems.join('; ')}): the lesson, not the student, needs fixing`);
    }
    const expected = statuses(reference);

    stage('compiling the student\'s files');
    const result = await session.buildAndRun({
      lesson: lesson.id, files, raw: true, ...limits,
      onStage: (text) => { if (/^Running/.test(text)) stage('running the checks'); },
    });
    const built = result.stage === 'run' || result.stage === 'stopped';
    const run = result.raw?.run ?? null;
    let reasons;
    if (!built) {
      const errors = result.diagnostics.filter((d) => d.severity === 'error');
      const first = errors[0];
      const verb = result.stage === 'link' ? 'does not link' : 'does not compile';
      if (result.message && /took longer than/.test(result.message)) reasons = [`compile time limit: ${result.message}`];
      else if (first) reasons = [`${verb}: ${first.file ?? 'link'}:${first.line ?? '?'}: ${first.message}`];
      else reasons = [`${verb}: ${(result.message ?? 'see compiler_output').split('\n')[0]}`];
    } else {
      reasons = runReasons(result, expected, limits);
    }
    const s = result.summary;
    const ok = built && result.ok && reasons.length === 0;
    return {
      module: lesson.id,
      files: Object.fromEntries(args.files.map((f) => [f.target, f.path])),
      sandbox: 'wasm',
      compiled: built,
      compiler_output: tail(result.raw?.build?.output ?? result.message ?? ''),
      exit_code: run?.exitCode ?? null,
      timed_out: run?.status === 'timeout',
      passed: s.passed, failed: s.failed, crashed: s.crashed, skipped: s.skipped,
      expected_checks: expected.size,
      ok,
      reason: ok ? null : reasons[0] ?? 'did not pass',
      reasons,
      checks: result.checks.map((c) => ({ name: c.name, status: c.status, ...(c.trap ? { trap: c.trap.message } : {}),
        ...(c.failures.length ? { failures: c.failures.slice(0, 5).map((f) => ({ expression: f.expression, got: f.got, expected: f.expected })) } : {}) })),
      problems: result.problems,
      stdout: tail(run?.stdout ?? ''),
      stderr: tail(run?.stderr ?? ''),
      memory_bytes: run?.memoryBytes ?? null,
      timings: result.timings,
      events: (run?.events ?? []).slice(0, MAX_EVENTS_REPORTED),
    };
  } finally {
    session.terminate();
  }
}

async function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
    const report = await grade(args);
    process.stdout.write(`${JSON.stringify(report)}\n`, () => process.exit(report.ok ? 0 : 1));
  } catch (error) {
    if (!(error instanceof UsageError) && error?.code !== 'ENOENT') throw error;
    process.stderr.write(`grade: ${error.message}\n`);
    process.exit(2);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
