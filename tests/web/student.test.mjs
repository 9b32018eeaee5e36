// The student build in real Chromium, through the served site (web/student-test.html over web/js/student/session.mjs):
// the compiler worker loads @yowasp/clang from the site, the reference lessons pass, a starter and a wrong answer
// fail with the check's expected vs got, a syntax error lands on its line, and an infinite loop is stopped at the
// time limit while the page keeps responding. One browser for the whole file (the first compile costs seconds).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { launchBrowser, screenshot, siteDir, startServer } from './harness.mjs';

const repo = path.resolve(import.meta.dirname, '../..');
const read = (p) => fs.readFileSync(path.join(repo, p), 'utf8');
let server, browser, page, manifest;

before(async () => {
  const m = path.join(siteDir, 'student/manifest.json');
  assert.ok(fs.existsSync(m), `the site has no student build (${m}): build the site first (make site)`);
  manifest = JSON.parse(fs.readFileSync(m, 'utf8'));
  server = await startServer();
  browser = await launchBrowser();
  page = browser.page;
  await page.goto(`${server.url}/student-test.html`);
  await page.waitForFunction(() => document.body.dataset.student === 'ready', null, { timeout: 120_000 });
});
after(async () => {
  await browser?.close();
  server?.close();
});

const buildAndRun = (args) => page.evaluate((a) => window.studentTest.buildAndRun(a), args);

// Every lesson's reference passes through this same toolchain under Node (node.lessons, with its regions and
// variants); what the browser adds is its own plumbing: the compiler worker, fetched artifacts, the object store and
// fixture files served by the site. One lesson of each kind covers that: one file, six files, a safetensors fixture
// read at /fixtures, and the newest multi-file lesson. (Compiling all 17 here took ~6 of this suite's 8 minutes.)
const BROWSER_LESSONS = ['01_setup', '02_tensor', '05_networks', '17_competition'];

test('the reference files of one lesson of each kind pass all their checks in the browser', async (t) => {
  const lessons = manifest.lessons.filter((l) => BROWSER_LESSONS.includes(l.id));
  assert.deepEqual(lessons.map((l) => l.id), BROWSER_LESSONS);
  for (const l of lessons) {
    assert.deepEqual(l.missing, [], `${l.id} is not available in the site's student build`);
    const files = Object.fromEntries(l.files.map((f) => [f, read(f)]));
    const r = await buildAndRun({ lesson: l.id, files });
    t.diagnostic(`${l.id}: ${JSON.stringify(r.summary)} build ${r.timings.build} ms, total ${r.timings.total} ms`);
    assert.equal(r.stage, 'run', JSON.stringify(r.diagnostics).slice(0, 2000));
    assert.equal(r.ok, true, JSON.stringify(r.checks).slice(0, 2000));
    assert.ok(r.summary.passed >= 1);
    assert.equal(r.summary.failed, 0);
    assert.ok(r.checks.every((c) => c.status === 'passed'), JSON.stringify(r.checks.map((c) => c.status)));
  }
  await screenshot(page, 'student-reference');
});

test('the starter fails: every case that reaches a TODO is reported as not implemented', async () => {
  const files = await page.evaluate(() => window.studentTest.starter('01_setup'));
  assert.match(files['engine/core/profile.cpp'], /TT_TODO\(/);
  const r = await buildAndRun({ lesson: '01_setup', files });
  assert.equal(r.ok, false);
  const crashed = r.checks.filter((c) => c.status === 'crashed');
  assert.ok(crashed.length >= 2, JSON.stringify(r.checks));
  // each crashed check carries the TT_TODO's own hint and where it is in the student's file (a link in the page)
  const hints = [...files['engine/core/profile.cpp'].matchAll(/TT_TODO\("(.*)"\);/g)].map((m) => m[1].replace(/\\(.)/g, '$1'));
  const todoLines = files['engine/core/profile.cpp'].split('\n').flatMap((l, i) => (l.includes('TT_TODO(') ? [i + 1] : []));
  for (const c of crashed) {
    assert.equal(c.trap.kind, 'todo');
    assert.ok(hints.includes(c.trap.message.replace(/^not written yet: /, '')), c.trap.message);
    assert.match(c.trap.errorFile, /profile\.cpp$/);
    assert.ok(todoLines.includes(c.trap.errorLine), `line ${c.trap.errorLine} is not a TT_TODO line (${todoLines})`);
  }
  assert.deepEqual(r.problems, [], 'no wall of repeated trap messages above the checks: each is on its own row');
  assert.equal(r.summary.crashed, crashed.length);
  assert.ok(r.summary.failed >= r.summary.crashed, 'crashed checks count as failed');
  assert.equal(r.summary.skipped, 0, 'error-path checks run too (TT_CHECK_ERROR): none is skipped');
});

test('a wrong answer fails with the check\'s line, what it got and what it expected', async () => {
  const wrong = read('engine/core/profile.cpp').replace('"%.2f %s"', '"%.1f %s"');
  const r = await buildAndRun({ lesson: '01_setup', files: { 'engine/core/profile.cpp': wrong } });
  assert.equal(r.ok, false);
  const c = r.checks.find((x) => x.status === 'failed');
  assert.ok(c, JSON.stringify(r.checks));
  const f = c.failures.find((x) => x.expected === '1.50 KiB');
  assert.ok(f, JSON.stringify(c.failures));
  assert.equal(f.got, '1.5 KiB');
  assert.equal(f.file, 'tests/engine/test_01_setup.cpp');
  assert.ok(f.line > 0);
});

test('a syntax error is a diagnostic at its line in the student\'s file', async () => {
  const src = read('engine/core/profile.cpp');
  const lines = src.split('\n');
  const at = lines.findIndex((l) => l.includes('int u = 0;'));
  lines[at] = lines[at].replace('int u = 0;', 'int u = 0');
  const r = await buildAndRun({ lesson: '01_setup', files: { 'engine/core/profile.cpp': lines.join('\n') } });
  assert.equal(r.ok, false);
  assert.equal(r.stage, 'compile');
  const d = r.diagnostics.find((x) => x.severity === 'error');
  assert.deepEqual([d.file, d.line], ['engine/core/profile.cpp', at + 1], JSON.stringify(r.diagnostics));
  assert.match(d.message, /expected ';'/);
});

test('an infinite loop is stopped within the limit + 2 s and the page keeps responding', async () => {
  const looping = read('engine/core/profile.cpp').replace('int u = 0;', 'int u = 0;\n    for (volatile int spin = 0;;) spin = spin + 1;');
  const limit = 2000;
  const ticksBefore = await page.evaluate(() => window.studentTest.ticks());
  const t0 = Date.now();
  const r = await buildAndRun({ lesson: '01_setup', files: { 'engine/core/profile.cpp': looping }, timeLimitMs: limit });
  const elapsed = Date.now() - t0;
  assert.equal(r.status, 'timeout');
  assert.match(r.problems.join('\n'), /time limit/);
  assert.equal(r.checks.find((c) => c.name.includes('binary prefixes'))?.status, 'timeout');
  assert.ok(r.timings.run >= limit && r.timings.run <= limit + 2000, `the run took ${r.timings.run} ms`);
  assert.ok(elapsed <= r.timings.build + limit + 2000 + 1000, `build + run took ${elapsed} ms`);
  assert.ok((await page.evaluate(() => window.studentTest.ticks())) > ticksBefore, 'the page timer kept running');
  // and the compiler worker still works
  const again = await buildAndRun({ lesson: '01_setup', files: { 'engine/core/profile.cpp': read('engine/core/profile.cpp') } });
  assert.equal(again.ok, true);
  assert.deepEqual(browser.offsite, []);
  assert.deepEqual(browser.consoleErrors, []);
});
