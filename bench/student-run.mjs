// Benchmark (not a test): how long a student waits for Run in real Chromium on this machine.
//   first Run   a fresh browser profile opens web/student-test.html?prepare=01_setup, the compiler downloads and warms
//               up, the lesson's checks are precompiled, and Run is pressed as soon as the compiler is ready
//   warm Run    Run again after an edit (the student's file is recompiled; checks and engine objects are reused):
//               compile + link + run the checks, median of 7
// usage: node bench/student-run.mjs        (needs the built site: make site; TT_SITE_DIR to use another)
import fs from 'node:fs';
import path from 'node:path';

import { launchBrowser, startServer } from '../tests/web/harness.mjs';

const repo = path.resolve(import.meta.dirname, '..');
const reference = fs.readFileSync(path.join(repo, 'engine/core/profile.cpp'), 'utf8');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`;

const server = await startServer();
const rows = [];
try {
  for (const prepare of [true, false]) {
    const browser = await launchBrowser();
    try {
      const { page } = browser;
      const t0 = Date.now();
      await page.goto(`${server.url}/student-test.html${prepare ? '?prepare=01_setup' : ''}`);
      const ready = await page.evaluate(() => window.studentTest.ready);
      const first = await page.evaluate((src) => window.studentTest.buildAndRun({ lesson: '01_setup', files: { 'engine/core/profile.cpp': src } }), reference);
      const firstDone = Date.now() - t0;
      if (!first.ok) throw new Error(`first Run failed: ${JSON.stringify(first).slice(0, 500)}`);
      const warm = [];
      for (let i = 0; i < 7; i++) {
        const src = `${reference}\n// edit ${i} ${prepare}\n`;
        const r = await page.evaluate((s) => window.studentTest.buildAndRun({ lesson: '01_setup', files: { 'engine/core/profile.cpp': s } }), src);
        if (!r.ok) throw new Error('warm Run failed');
        warm.push(r);
      }
      // lesson 02 (six files, 72 checks): its first Run compiles all six, then an edit recompiles one
      let l2 = null;
      if (prepare) {
        const lesson02 = JSON.parse(fs.readFileSync(path.join(repo, 'lessons/02_tensor/lesson.json'), 'utf8'));
        const files02 = Object.fromEntries(lesson02.files.map((f) => [f, fs.readFileSync(path.join(repo, f), 'utf8')]));
        const first02 = await page.evaluate((f) => window.studentTest.buildAndRun({ lesson: '02_tensor', files: f }), files02);
        if (!first02.ok) throw new Error('lesson 02 reference failed');
        const warm02 = [];
        for (let i = 0; i < 5; i++) {
          const f = { ...files02, 'engine/tensor/views.cpp': `${files02['engine/tensor/views.cpp']}\n// edit ${i}\n` };
          warm02.push(await page.evaluate((x) => window.studentTest.buildAndRun({ lesson: '02_tensor', files: x }), f));
        }
        l2 = { first: first02.timings.total, warm: median(warm02.map((r) => r.timings.total)), run: median(warm02.map((r) => r.timings.run)) };
      }
      rows.push({ l2,
        scenario: prepare ? 'prepare(lesson) at page open' : 'no prepare',
        ready: ready.readyMs, firstRun: first.timings.total, pageToFirstResult: firstDone,
        warm: median(warm.map((r) => r.timings.total)),
        warmCompile: median(warm.map((r) => r.timings.compile['engine/core/profile.cpp'])),
        warmLink: median(warm.map((r) => r.timings.link)),
        warmRun: median(warm.map((r) => r.timings.run)),
      });
    } finally {
      await browser.close();
    }
  }
} finally {
  server.close();
}
console.log('student build in Chromium (fresh profile per scenario; lesson 01_setup reference file)');
console.log('scenario                          | compiler ready | first Run | page open → first result | warm Run (compile / link / run)');
for (const r of rows) {
  console.log(`${r.scenario.padEnd(33)} | ${fmt(r.ready).padStart(14)} | ${fmt(r.firstRun).padStart(9)} | ${fmt(r.pageToFirstResult).padStart(24)} | ` +
    `${fmt(r.warm)} (${fmt(r.warmCompile)} / ${fmt(r.warmLink)} / ${fmt(r.warmRun)})`);
}
const l2 = rows.find((r) => r.l2)?.l2;
if (l2) console.log(`lesson 02_tensor (6 files, 72 checks): first Run ${fmt(l2.first)} (compiles all six), warm Run after editing one file ${fmt(l2.warm)} (run ${fmt(l2.run)})`);
console.log('goals: warm Run <= 1.0 s, first Run <= 6 s');
