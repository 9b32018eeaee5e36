// The lesson page (lesson.html?m=NN): lesson text, where the code lives, live systems numbers, the editor with the
// student's file(s), Run → compile + checks → results and markers, progress saved on every edit.
import { loadEngine } from '../engine.mjs';
import { openStore, loadLessonIndex, h, formatDate, showEnvironment } from './shell.mjs';
import { courseState } from './unlocks.mjs';
import { installSettings } from './settings.mjs';
import { renderMarkdown } from './markdown.mjs';
import { createEditor, loadMonaco } from './editor.mjs';
import { createSession, progressText } from '../student/session.mjs';
import { renderResults } from './results-view.mjs';
import { renderWhere } from './where.mjs';
import { compileAhead } from './compile-ahead.mjs';
import { measureSystems, ownBuildMeasure, renderSystems } from './systems.mjs';

const $ = (id) => document.getElementById(id);
const store = openStore();
const moduleId = (new URLSearchParams(location.search).get('m') ?? '01').padStart(2, '0').slice(0, 2);
let course = null;
let lesson = null;
let known = false;  // the module id is one of the course's (renderHead needs it)
let editor = null;
let running = null;  // the Run under way: {controller, started, stage}
let compilerReady = false;
let ahead = null;  // compile-ahead.mjs: the student's files compiled a moment after each edit

function status(text) { const el = $('build-status'); el.textContent = text; el.title = text; }

// While a Run is under way the status line shows its stage and the seconds so far; Run turns into Stop.
function showRunStage() {
  if (!running) return;
  const seconds = ((performance.now() - running.started) / 1000).toFixed(1);
  status(`${running.stage} ${seconds} s`);
}

function setRunButton(mode) {
  const button = $('run');
  button.dataset.mode = mode;
  button.classList.toggle('danger', mode === 'stop');
  button.replaceChildren(mode === 'stop' ? 'Stop ■' : 'Run ▸ ', ...(mode === 'stop' ? [] : [h('kbd', {}, 'Ctrl'), '+', h('kbd', {}, 'Enter')]));
  button.title = mode === 'stop' ? 'Stop this Run' : 'Compile and run the checks (Ctrl/Cmd+Enter)';
}

async function fetchText(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.text();
}

function renderHead() {
  course = courseState(window.ttLessons ?? [], store.state);
  const m = course.modules.find((x) => x.id === moduleId);
  const idx = course.modules.indexOf(m);
  const prev = course.modules[idx - 1];
  const next = course.modules[idx + 1];
  const label = { passed: 'Passed', open: 'Open', locked: 'Locked', 'coming-soon': 'Coming soon' }[m.state];
  $('lesson-head').replaceChildren(...[
    h('span', {}, `Module ${m.id} of 17`),
    h('span', { class: `badge ${m.state}`, id: 'module-state', dataset: { state: m.state } }, label,
      m.passedAt ? ` ${formatDate(m.passedAt)}` : ''),
    h('span', { class: 'spacer' }),
    prev ? h('a', { href: `lesson.html?m=${prev.id}` }, `← ${prev.id} ${prev.title}`) : null,
    next && (next.state === 'open' || next.state === 'passed')
      ? h('a', { href: `lesson.html?m=${next.id}` }, `${next.id} ${next.title} →`) : null].filter(Boolean));
  return m;
}

const unlockedMilestones = () => courseState(window.ttLessons ?? [], store.state).milestones
  .filter((ms) => ms.state === 'unlocked').map((ms) => ms.id);

// After a fresh pass the course is read again (the pass may have opened the next module and unlocked a milestone):
// the banner links the milestone this pass unlocked — one that was not unlocked when the Run started (unlockedBefore)
// and is now.
function showResult(result, { fresh, builtOn = null, unlockedBefore = null }) {
  const passedNow = fresh && result.ok;
  const now = passedNow ? courseState(window.ttLessons ?? [], store.state) : course;
  renderResults($('results'), result, {
    builtOn,
    onDiagnostic: (d) => editor?.reveal(d.file, d.line, d.column),
    nextModule: passedNow ? now.modules.find((x) => x.id > moduleId && x.state === 'open') : null,
    milestone: passedNow && unlockedBefore
      ? now.milestones.find((ms) => ms.state === 'unlocked' && !unlockedBefore.includes(ms.id)) ?? null : null,
  });
}

async function run() {
  if (running || !editor || !lesson) return;
  const fromEditor = editor.editor.hasTextFocus();
  running = { controller: new AbortController(), started: performance.now(), stage: compilerReady ? 'Compiling…' : 'Run queued: it starts when the compiler is ready ·' };
  const ticker = setInterval(showRunStage, 200);
  setRunButton('stop');
  showRunStage();
  const settings = store.settings();
  const unlockedBefore = unlockedMilestones();
  const files = editor.values();
  ahead?.ran(files);
  // "My framework": the student's files from the modules before this one replace the reference ones too.
  const earlier = {};
  const mine = [];  // the earlier modules whose files are the student's in this Run (the results say which)
  if (settings.buildOn === 'mine') {
    for (const [id, m] of Object.entries(store.state.modules)) {
      if (id < moduleId && m.passedAt && Object.keys(m.code ?? {}).length) { Object.assign(earlier, m.code); mine.push(id); }
    }
  }
  try {
    const result = await window.ttSession.buildAndRun({
      lesson: lesson.id, files, framework: earlier, timeLimitMs: settings.timeLimitSeconds * 1000,
      onStage: (text) => { running.stage = text; showRunStage(); }, signal: running.controller.signal,
    });
    clearInterval(ticker);
    window.ttLastRun = result;  // for the end-to-end tests and the console
    editor.setDiagnostics(result.diagnostics);
    editor.setDiagnostics(trapMarkers(result), { owner: 'checks' });
    if (result.stage !== 'unavailable' && result.stage !== 'stopped') store.recordRun(moduleId, result);
    showResult(result, { fresh: true, builtOn: { setting: settings.buildOn, mine: mine.sort() }, unlockedBefore });
    renderHead();
    $('view-checks-mark').textContent = result.ok ? '✓' : '✗';
    if (narrow()) showView('checks');
    const seconds = `${((performance.now() - running.started) / 1000).toFixed(1)} s`;
    status({ compile: 'Did not compile', link: 'Did not link', unavailable: '', stopped: `Stopped after ${seconds}` }[result.stage]
      ?? (result.ok ? `All checks pass (${seconds})` : `Some checks fail (${seconds})`));
  } catch (error) {
    status(`Error: ${error.message}`);
    console.error(error);
  } finally {
    clearInterval(ticker);
    running = null;
    setRunButton('run');
    if (!fromEditor || narrow()) $('run').focus();
  }
}

// Narrow screens show one view at a time (lesson.html's view tabs; hidden on wide screens, where all three show).
function showView(view) {
  $('app').dataset.view = view;
  for (const b of $('view-tabs').children) b.setAttribute('aria-selected', String(b.dataset.view === view));
}
const narrow = () => getComputedStyle($('view-tabs')).display !== 'none';

// A check that stopped at a TT_TODO or a failed TT_CHECK in the student's file marks that line in the editor.
function trapMarkers(result) {
  return (result.checks ?? []).filter((c) => c.status === 'crashed' && c.trap?.errorLine).map((c) => ({
    file: c.trap.errorFile, line: c.trap.errorLine, column: 1, severity: c.trap.kind === 'todo' ? 'info' : 'warning',
    message: `${c.trap.message} (check "${c.name}")`,
  }));
}

function runOrStop() {
  if (running) running.controller.abort();
  else run();
}

async function setUpEditor() {
  const base = new URL('../../', import.meta.url);
  const starters = {};
  await Promise.all(lesson.files.map(async (file) => {
    try {
      starters[file] = await fetchText(new URL(`student/lessons/${lesson.dir}/starter/${file}`, base));
    } catch {
      starters[file] = `// The starter for ${file} is not in this build of the site (build/student missing).\n`;
    }
  }));
  const files = lesson.files.map((path) => ({ path, text: store.code(moduleId, path) ?? starters[path] }));
  editor = await createEditor($('editor'), {
    files,
    onChange: (path, text) => {
      store.setCode(moduleId, path, text);
      $('save-state').textContent = 'editing…';
      ahead?.edited();
    },
    onRun: run,
  });
  window.ttEditor = editor;  // for the end-to-end tests and the console
  const tabs = $('file-tabs');
  tabs.parentElement.classList.toggle('many-files', lesson.files.length > 2);
  tabs.replaceChildren(...lesson.files.map((path, i) => h('button', {
    type: 'button', role: 'tab', 'aria-selected': String(i === 0), title: path,
    onclick: (e) => {
      for (const b of tabs.children) b.setAttribute('aria-selected', String(b === e.currentTarget));
      editor.show(path);
    },
  }, path.split('/').pop())));

  let armed = null;
  $('reset-code').addEventListener('click', (e) => {
    const button = e.currentTarget;
    if (!armed) {
      button.textContent = 'Click again to reset';
      button.classList.add('danger');
      armed = setTimeout(() => { armed = null; button.textContent = 'Reset to starter'; button.classList.remove('danger'); }, 4000);
      return;
    }
    clearTimeout(armed);
    armed = null;
    button.textContent = 'Reset to starter';
    button.classList.remove('danger');
    const path = editor.current();
    editor.setValue(path, starters[path]);
    store.resetCode(moduleId, path);
    editor.setDiagnostics([]);
    editor.setDiagnostics([], { owner: 'checks' });
    status(`${path.split('/').pop()} reset to the starter`);
  });
  $('run').addEventListener('click', runOrStop);
  for (const b of $('view-tabs').children) b.addEventListener('click', () => showView(b.dataset.view));
}

async function main() {
  loadMonaco().catch(() => {});  // the editor is what enables Run: fetch it while the lesson index loads (errors: below)
  installSettings(store, { button: $('open-settings'), onChanged: () => { if (known) renderHead(); } });
  const lessons = await loadLessonIndex();
  window.ttLessons = lessons;
  if (!courseState(lessons, store.state).modules.some((x) => x.id === moduleId)) {
    $('lesson-body').replaceChildren(h('p', { class: 'error' }, `There is no module ${moduleId}.`));
    return;
  }
  known = true;
  const m = renderHead();
  document.title = `${m.id} ${m.title} — TinyTorch`;
  $('crumb').textContent = `Module ${m.id} · ${m.title}`;
  lesson = m.lesson;
  if (!lesson) {
    $('lesson-body').replaceChildren(h('h1', {}, `${m.id} ${m.title}`), h('p', {}, m.blurb),
      h('p', {}, 'This module’s lesson is coming soon.'));
    $('app').dataset.state = 'coming-soon';
    return;
  }
  if (m.state === 'locked') {
    $('lesson-head').append(h('p', { class: 'error', role: 'note' },
      `This module is locked until ${m.waitingFor.join(', ')} pass${m.waitingFor.length === 1 ? 'es' : ''}. You can read it, and your code is saved, but do those first.`));
  }
  store.subscribe(() => {
    renderHead();
    $('save-state').textContent = store.persistent ? 'saved in this browser' : 'not saved: storage is blocked';
  });

  // Run works as soon as the editor is there: a Run started before the compiler is ready waits for it (the status
  // line says so). The compiler starts loading once the editor is up, not before: on two cores its wasm compile and
  // Monaco's scripts slowed each other, and Run came 2 s later (5.1 s instead of 2.9 on a new visit) while the
  // compiler was ready no sooner (bench/lesson-page-timing.mjs).
  window.ttSession = createSession({ onProgress: (p) => { if (!running) status(progressText(p)); } });
  // A compile error shows on its line a moment after the typing stops, and Run then only links.
  ahead = compileAhead({
    compile: (files) => window.ttSession.compileAhead(files),
    files: () => editor.values(),
    busy: () => Boolean(running),
    onResult: (result, sent) => {
      // markers only on files unchanged since: on newer text they would point at the wrong lines
      const now = editor.values();
      const current = Object.keys(result).filter((p) => now[p] === sent[p]);
      editor.setDiagnostics(current.flatMap((p) => result[p].diagnostics), { paths: current });
      // the last Run's status is out of date once the code has changed: say whether the code as it stands compiles
      if (running || !compilerReady || current.length < Object.keys(result).length) return;
      const errors = Object.values(result).flatMap((r) => r.diagnostics).filter((d) => d.severity === 'error').length;
      const failed = Object.values(result).some((r) => !r.ok);
      status(!failed ? 'Your code compiles: Run checks it'
        : `Does not compile: ${errors || 'an'} error${errors === 1 || !errors ? '' : 's'}, marked in the editor`);
    },
  });
  window.ttAhead = ahead;  // for the end-to-end tests and the benchmark
  const edit = setUpEditor();
  // The warm-up compiles the checks and the student's saved files ahead (and keeps them across visits: the object
  // cache), so that the first Run only links.
  edit.then(() => {
    $('run').disabled = false;
    return window.ttSession.warmUp(lesson.id, editor.values(), { exercise: true });
  }).then(() => {
    compilerReady = true;
    if (running?.stage.startsWith('Run queued')) running.stage = 'Compiling…';
    if (!running) status('Compiler ready');
  }).catch((error) => { compilerReady = true; if (!running) status(`Compiler unavailable: ${error.message}`); });
  // Ctrl/Cmd+Enter runs from anywhere on the page (inside the editor Monaco's own binding handles it first).
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && !e.defaultPrevented && editor) {
      e.preventDefault();
      run();
    }
  });

  const base = new URL('../../', import.meta.url);
  const text = fetchText(new URL(`lessons/${lesson.dir}/lesson.md`, base))
    .then((md) => { $('lesson-body').innerHTML = renderMarkdown(md); })
    .catch(() => { $('lesson-body').replaceChildren(h('h1', {}, `${m.id} ${m.title}`), h('p', { class: 'muted' }, 'The lesson text is not written yet.')); });
  const where = renderWhere($('where-body'), lesson, base);
  const last = store.module(moduleId).lastRun;
  await Promise.all([text, where, edit]);
  if (last) showResult({ ...last, restored: true }, { fresh: false });
  $('app').dataset.state = 'ready';

  loadEngine().then(async (M) => {
    showEnvironment(M);
    document.body.dataset.engine = 'ready';
    const measure = async () => {
      $('systems-body').textContent = 'Measuring…';
      await new Promise((resolve) => setTimeout(resolve, 50));  // let the page paint first: timing blocks the thread
      renderSystems($('systems-body'), await measureSystems(M, moduleId));
      if ($('systems-body').dataset.measured === 'true') {
        $('systems-body').append(h('button', { type: 'button', id: 'measure-again', onclick: measure }, 'Measure again'));
      }
    };
    await measure();
    // "Time my code": the panel's measurement again, on the student's own file compiled in this page.
    const own = await ownBuildMeasure(moduleId);
    if (own) {
      const body = h('div', { id: 'systems-own', class: 'muted' });
      const button = h('button', { type: 'button', id: 'measure-own' }, `Time my ${own.file.split('/').pop()}`);
      button.onclick = async () => {
        button.disabled = true;
        body.textContent = 'Building your code…';
        try {
          const source = await fetchText(new URL(own.program, base));
          renderSystems(body, await own.measureOwn(window.ttSession, editor.values(), source,
            { onStage: (text) => { body.textContent = text; } }));
        } catch (error) {
          body.textContent = `Timing your code failed: ${error.message}`;
        } finally {
          button.disabled = false;
        }
      };
      $('systems').append(h('p', {}, button), body);
    }
  }).catch((error) => {
    $('env-build').textContent = `failed to load: ${error.message}`;
    $('systems-body').textContent = `The reference engine did not load (${error.message}).`;
    document.body.dataset.engine = 'failed';
  });
}

main().catch((error) => {
  console.error(error);
  $('lesson-body').replaceChildren(h('p', { class: 'error' }, `This page failed to load: ${error.message}`));
});
