// Benchmark (not a test): how long a student waits in the real lesson page (lesson.html?m=01 and ?m=02), in Chromium,
// each lesson in a fresh profile, against issue 18's goals:
//   page open → Run enabled          a new visitor (nothing cached); Run works from then on (a Run queues until the
//                                    compiler is ready), so "compiler ready" is shown beside it
//   first Run                        the reference solution typed into the editor (through Monaco's models, as the
//                                    tests do), Run pressed once the compiler is ready; timed from the click
//   warm Run after a one-line edit   median of 3, Run pressed at once; and again with Run pressed PAUSE_MS after the
//                                    edit (the page compiles an edit a moment after the typing stops: compile-ahead.mjs)
//   first Run, typed file by file    a fresh profile: the reference typed one file at a time, PAUSE_MS after each,
//                                    Run PAUSE_MS after the last (a student types for minutes; this is the least)
//   reload → first Run               the persistent object cache: nothing unchanged recompiles
//   second visit → Run enabled       the browser closed and opened again on the same profile (its HTTP cache and
//                                    compiled-code caches on, as a student's browser has them)
// A Run is timed in the page, from the click event to the frame showing the results (pressRun). Each Run's own
// timings (window.ttLastRun.timings) say where the seconds went: compile (files compiled, files from the cache), link,
// run; and Playwright's click-to-seen time is printed beside them.
// usage: node bench/lesson-page-timing.mjs [01 02]     (needs the built site: make site; TT_SITE_DIR to use another)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { launchBrowser, startServer } from '../tests/web/harness.mjs';

const repo = path.resolve(import.meta.dirname, '..');
const lessons = JSON.parse(fs.readFileSync(path.join(repo, 'build/site/lessons/index.json'), 'utf8'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => (ms == null ? '—' : `${(ms / 1000).toFixed(2)} s`);
const LONG = { timeout: 900_000 };
const PAUSE_MS = 2000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// A Run's timings as "compile 1.23 s (2 compiled, 5 cached) · link 0.61 s · run 0.20 s · the session's whole Run
// 2.10 s" (buildAndRun from its call to its result; the table's figure adds the page around it: click to results).
function breakdown(t) {
  const cached = new Set(t.cached ?? []);  // cache hits, and the check objects prebuilt into the site
  const compiled = Object.keys(t.compile ?? {}).filter((p) => !cached.has(p));
  const sum = Object.values(t.compile ?? {}).reduce((a, b) => a + b, 0);
  return `compile ${fmt(sum)} (${compiled.length} compiled, ${cached.size} cached) · link ${fmt(t.link)} · run ${fmt(t.run)}` +
    ` · the session's whole Run ${fmt(t.total)}`;
}

// go: () => page.goto(url) or page.reload(); → ms from then until Run is enabled and until the compiler is ready
async function openLesson(page, go) {
  const t0 = Date.now();
  await go();
  await page.waitForSelector('#run:not([disabled])', LONG);
  const runEnabled = Date.now() - t0;
  await page.waitForFunction(() => /Compiler ready|unavailable/.test(document.getElementById('build-status').textContent), null, LONG);
  const status = await page.textContent('#build-status');
  if (!/Compiler ready/.test(status)) throw new Error(`the compiler did not load: ${status}`);
  const compilerReady = Date.now() - t0;
  // the compiler worker's own timings, and the warm-up's exercise (a new visitor's cold compiler only)
  const info = await page.evaluate(() => ({ ...window.ttSession.info, exercise: window.ttSession.prepared?.exercise }));
  return { runEnabled, compilerReady, info };
}

// Presses Run and waits for the results; → {ms, wall, timings, ok}. ms: in the page, from the click event to the
// frame that shows the results (what the student sees); wall: Playwright's click → its seeing them, which adds its
// own actionability checks and polling (up to 0.5 s on lesson 02's page).
async function pressRun(page) {
  await page.evaluate(() => {
    const results = document.getElementById('results');
    results.removeAttribute('data-outcome');
    window.ttBench = {};
    document.getElementById('run').addEventListener('click', () => { window.ttBench.click = performance.now(); },
      { capture: true, once: true });
    const seen = new MutationObserver(() => {
      if (!results.dataset.outcome) return;
      seen.disconnect();
      requestAnimationFrame(() => setTimeout(() => { window.ttBench.shown = performance.now(); }));  // after that frame
    });
    seen.observe(results, { attributes: true, attributeFilter: ['data-outcome'] });
  });
  const t0 = Date.now();
  await page.click('#run');
  await page.waitForFunction(() => window.ttBench.shown != null, null, LONG);
  const wall = Date.now() - t0;
  const r = await page.evaluate(() => ({ ms: window.ttBench.shown - window.ttBench.click, ok: window.ttLastRun.ok,
    stage: window.ttLastRun.stage, timings: window.ttLastRun.timings }));
  if (!r.ok) throw new Error(`the Run did not pass (stage ${r.stage}): ${(await page.textContent('#results')).slice(0, 400)}`);
  return { ms: Math.round(r.ms), wall, timings: r.timings };
}

const setFiles = (page, files) => page.evaluate((fs) => {
  for (const [p, text] of Object.entries(fs)) window.monaco.editor.getModel(window.monaco.Uri.parse(`file:///${p}`)).setValue(text);
}, files);

// Edits, then presses Run PAUSE_MS later; → pressRun's record and `ahead`: ms from the edit until the page's compile
// ahead was done (how long a pause the Run needs to find the file compiled)
async function editPauseRun(page, files) {
  const t0 = Date.now();
  await setFiles(page, files);
  await page.evaluate(() => window.ttAhead?.settled());  // none in a site from before compile-ahead.mjs
  const ahead = Date.now() - t0;
  await sleep(Math.max(0, PAUSE_MS - ahead));
  return { ...(await pressRun(page)), ahead };
}

async function measure(server, id) {
  const lesson = lessons.find((l) => String(l.id).startsWith(id));
  const reference = Object.fromEntries(lesson.files.map((f) => [f, fs.readFileSync(path.join(repo, f), 'utf8')]));
  const edited = lesson.files.at(-1);
  const url = `${server.url}/lesson.html?m=${id}`;
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'tt-bench-profile-'));
  const row = { id, files: lesson.files.length };
  try {
    let browser = await launchBrowser({ profile, httpCache: true });
    try {
      const { page } = browser;
      row.open = await openLesson(page, () => page.goto(url));
      await setFiles(page, reference);
      row.first = await pressRun(page);
      row.openToFirstResult = row.open.compilerReady + row.first.ms;  // a student who presses Run at once waits about this
      const warm = [];
      for (let i = 0; i < 3; i++) {
        await setFiles(page, { [edited]: `${reference[edited]}\n// edit ${i}\n` });
        warm.push(await pressRun(page));
      }
      row.warm = warm.sort((a, b) => a.ms - b.ms)[1];
      const paused = [];
      for (let i = 0; i < 3; i++) paused.push(await editPauseRun(page, { [edited]: `${reference[edited]}\n// edit ${i} paused\n` }));
      row.warmPaused = paused.sort((a, b) => a.ms - b.ms)[1];
      row.reloadOpen = await openLesson(page, () => page.reload());
      row.afterReload = await pressRun(page);
    } finally {
      await browser.close();
    }
    browser = await launchBrowser({ profile, httpCache: true });
    try {
      row.second = await openLesson(browser.page, () => browser.page.goto(url));
      row.secondRun = await pressRun(browser.page);
    } finally {
      await browser.close();
    }
    // a new visitor again, typing file by file
    fs.rmSync(profile, { recursive: true, force: true });
    fs.mkdirSync(profile);
    browser = await launchBrowser({ profile, httpCache: true });
    try {
      const { page } = browser;
      await openLesson(page, () => page.goto(url));
      const files = Object.entries(reference);
      for (const [p, text] of files.slice(0, -1)) {
        await setFiles(page, { [p]: text });
        await sleep(PAUSE_MS);
      }
      row.typed = await editPauseRun(page, Object.fromEntries(files.slice(-1)));
    } finally {
      await browser.close();
    }
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
  return row;
}

const ids = process.argv.slice(2).length ? process.argv.slice(2) : ['01', '02'];
const load = [os.loadavg()];
const server = await startServer();
const rows = [];
try {
  for (const id of ids) {
    rows.push(await measure(server, id));
    console.error(`lesson ${id} measured`);
  }
} finally {
  server.close();
}
load.push(os.loadavg());

const lines = [
  ['page open → Run enabled (new visitor)', (r) => r.open.runEnabled, '≤ 5 s'],
  ['page open → compiler ready (new visitor)', (r) => r.open.compilerReady, ''],
  ['first Run (reference typed in)', (r) => r.first.ms, '≤ 3 s'],
  ['page open → first result', (r) => r.openToFirstResult, ''],
  ['warm Run after a one-line edit (median of 3)', (r) => r.warm.ms, '≤ 1 s'],
  [`  the same, Run pressed ${PAUSE_MS / 1000} s after the edit`, (r) => r.warmPaused.ms, '≤ 1 s'],
  ['  edit → its compile ahead done', (r) => r.warmPaused.ahead, ''],
  [`first Run, typed file by file (${PAUSE_MS / 1000} s pauses)`, (r) => r.typed.ms, '≤ 3 s'],
  ['reload → compiler ready', (r) => r.reloadOpen.compilerReady, ''],
  ['first Run after reload', (r) => r.afterReload.ms, '≤ 1.5 s'],
  ['second visit → Run enabled', (r) => r.second.runEnabled, '≤ 2 s'],
  ['second visit → compiler ready', (r) => r.second.compilerReady, ''],
  ['first Run of the second visit', (r) => r.secondRun.ms, ''],
];
const head = ['lesson page, Chromium', ...rows.map((r) => `lesson ${r.id} (${r.files} file${r.files === 1 ? '' : 's'})`), 'goal'];
const table = [head, ...lines.map(([name, get, goal]) => [name, ...rows.map((r) => fmt(get(r))), goal])];
const widths = head.map((_, i) => Math.max(...table.map((row) => row[i].length)));
const print = (row) => console.log(`| ${row.map((c, i) => (i ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' | ')} |`);
print(table[0]);
console.log(`|${widths.map((w, i) => (i ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`);
table.slice(1).forEach(print);
console.log('\nwhere the seconds go (the compiler worker\'s load, from its start; then the page\'s own timings of each Run):');
const loadTimes = (i) => `engine objects ${fmt(i.artifactsMs)} · compiler ${fmt(i.clangMs)} (side by side) · warm-up compile ${fmt(i.warmupMs)}`
  + (i.exercise ? ` · exercise: compile ${fmt(i.exercise.compileMs)}, link ${fmt(i.exercise.linkMs)}` : ' · no exercise');
for (const r of rows) {
  for (const [name, open] of [['new visitor', r.open], ['reload', r.reloadOpen], ['second visit', r.second]]) {
    console.log(`  lesson ${r.id} ${name.padEnd(13)} ${loadTimes(open.info)}`);
  }
}
for (const r of rows) {
  for (const [name, run] of [['first Run', r.first], ['warm Run', r.warm], ['warm, paused', r.warmPaused],
    ['typed, paused', r.typed], ['after reload', r.afterReload], ['second visit', r.secondRun]]) {
    console.log(`  lesson ${r.id} ${name.padEnd(13)} ${breakdown(run.timings)} · Playwright's click → seen ${fmt(run.wall)}`);
  }
}
console.log(`\nload average (1/5/15 min) at the start ${load[0].map((x) => x.toFixed(2)).join(' ')}, at the end ` +
  `${load[1].map((x) => x.toFixed(2)).join(' ')}; ${os.cpus().length} cores`);
