// A Run's output → structured results for the lesson page, the lessons test and the grader.
//
// Source of truth: the "[tt] {json}" lines that the doctest listener compiled into the student build's doctest main
// (tests/engine/student_main.cpp) prints per test case; the runner turns them into `run.events`. parseEvents() also
// reads them from raw stderr text (e.g. the output of `tt grade` or a native run).
//
// This is the one result vocabulary of the student build: session.mjs hands these fields to the pages unchanged, and
// the progress store keeps them (web/js/course/progress.mjs recordRun).
//
// → {ok, summary: {passed, failed, crashed, skipped, total}, checks: [{name, file, line, status, failures, messages,
//    trap, reason}], problems: [text]}   with status 'passed'|'failed'|'crashed'|'skipped'|'timeout'
//    (a check that was running when the user pressed Stop is 'stopped', counted with the crashed ones)
//    and each failure {file, line, kind, expression, got, expected, decomposition, message}.
// summary.failed counts every check that ran and did not pass (so passed + failed is what ran); summary.crashed is the
// part of those that crashed or hit the time limit.
// ok is true only when at least one case ran, every case that ran passed, nothing crashed or timed out and the
// program exited with 0. Skipped cases (error-path checks that need exceptions) are listed, never counted as passed.
// parseResults(run, {program: true}): a program with its own main() (no checks): ok when it exited with 0 untrapped.

export function parseEvents(stderrText) {
  const events = [];
  for (const line of stderrText.split('\n')) {
    if (!line.startsWith('[tt] {')) continue;
    try { events.push(JSON.parse(line.slice(5))); } catch { /* ignore partial lines */ }
  }
  return events;
}

const OPERATORS = ['==', '!=', '<=', '>=', '<', '>'];

// "CHECK( tt::format_bytes(1023) == "1023 B" )" with decomposition "1023.00 B == 1023 B" → got/expected.
// Convention of the engine's checks: the value computed by the code under test on the left, the expected on the right.
export function splitComparison(kind, expr, decomp) {
  if (!decomp) return { got: null, expected: null };
  if (/_(EQ|NE|GT|LT|GE|LE)$/.test(kind)) {
    const i = decomp.indexOf(', ');
    if (i >= 0) return { got: decomp.slice(0, i), expected: decomp.slice(i + 2) };
  }
  for (const op of OPERATORS) {
    if (!expr.includes(op)) continue;
    const i = decomp.indexOf(` ${op} `);
    if (i >= 0) return { got: decomp.slice(0, i), expected: decomp.slice(i + op.length + 2), operator: op };
  }
  return { got: decomp, expected: null };
}

export function parseResults(run, { program = false } = {}) {
  const events = program ? [] : run.events ?? parseEvents(run.stderr ?? '');
  const cases = [];
  const byName = new Map();
  let current = null;
  for (const e of events) {
    if (e.event === 'start') {
      current = byName.get(e.name);
      if (!current) {
        current = { name: e.name, file: e.file, line: e.line, status: 'running', failures: [], messages: [], trap: null };
        byName.set(e.name, current);
        cases.push(current);
      }
    } else if (e.event === 'fail' && current) {
      // a case started again after a TT_CHECK_ERROR (runner-worker.mjs) reports its earlier failures again: once is enough
      if (current.failures.some((f) => f.line === e.line && f.file === e.file && f.decomposition === e.decomp && f.expression === `${e.kind}( ${e.expr} )`)) continue;
      const { got, expected } = 'got' in e ? e : splitComparison(e.kind, e.expr, e.decomp);
      current.failures.push({
        file: e.file, line: e.line, kind: e.kind, expression: `${e.kind}( ${e.expr} )`, decomposition: e.decomp,
        got, expected, message: e.exception ?? null,
      });
    } else if (e.event === 'message' && current) {
      current.messages.push(e.text);
    } else if (e.event === 'end' && current) {
      current.status = e.ok ? 'passed' : 'failed';
      current = null;
    } else if (e.event === 'skip' && !byName.has(e.name)) {
      const c = { name: e.name, file: e.file, line: e.line, status: 'skipped', reason: e.reason, failures: [], messages: [], trap: null };
      byName.set(e.name, c);
      cases.push(c);
    }
  }
  for (const t of run.traps ?? []) {
    const c = t.case && byName.get(t.case);
    if (c) { c.status = 'crashed'; c.trap = t; }
  }
  const problems = [];
  for (const c of cases) {
    if (c.status === 'running') c.status = { timeout: 'timeout', stopped: 'stopped' }[run.status] ?? 'crashed';
  }
  if (run.status === 'timeout' || run.status === 'stopped') problems.push(run.message);
  if (run.status === 'error') problems.push(run.message);
  // a trap inside a check is told on that check's row (results-view.mjs); only the others are problems of the Run
  for (const t of run.traps ?? []) {
    if (!t.case || !byName.has(t.case)) problems.push(t.case ? `${t.message} — while running "${t.case}"` : `${t.message} — outside any check`);
  }
  if (run.truncated?.stdout || run.truncated?.stderr) {
    problems.push(`output truncated: ${run.truncated.stdout + run.truncated.stderr} more characters were dropped`);
  }
  const count = (s) => cases.filter((c) => c.status === s).length;
  const crashed = count('crashed') + count('timeout') + count('stopped');
  const summary = {
    passed: count('passed'), failed: count('failed') + crashed, crashed, skipped: count('skipped'), total: cases.length,
  };
  const ran = summary.passed + summary.failed;
  const exitedClean = run.status === 'exited' && run.exitCode === 0 && !(run.traps ?? []).length;
  if (program) {
    if (run.status === 'exited' && run.exitCode !== 0 && !(run.traps ?? []).length) problems.push(`the program exited with code ${run.exitCode}`);
    return { ok: exitedClean, summary, checks: cases, problems };
  }
  const ok = ran > 0 && summary.failed === 0 && exitedClean;
  if (ran === 0 && run.status === 'exited') problems.push('no check ran');
  return { ok, summary, checks: cases, problems };
}
