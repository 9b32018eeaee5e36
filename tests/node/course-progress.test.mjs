// The course's model code (web/js/course/): progress store, export/import, unlock rules. No browser needed.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ProgressStore, MemoryStorage, STORAGE_KEY, validateProgress, emptyProgress, currentPath, lessonFiles, LIMITS } from '../../web/js/course/progress.mjs';
import { MOVED_FILES } from '../../web/js/course/moved-files.mjs';
import { courseState, nextModule } from '../../web/js/course/unlocks.mjs';
import { MODULES, PHASES, MILESTONES } from '../../web/js/course/catalog.mjs';

const lessons = ['01_setup', '02_tensor', '03_activations', '04_layers', '05_networks']
  .map((id, i) => ({ id, dir: id, files: [`engine/f${i}.cpp`], checks: [], prerequisites: i ? [['01_setup', '02_tensor', '03_activations', '04_layers'][i - 1]] : [] }));

// A fake clock and timer so the debounce is deterministic.
function fakeTimers() {
  const timers = new Map();
  let next = 1;
  return {
    setTimer: (fn) => { const id = next++; timers.set(id, fn); return id; },
    clearTimer: (id) => timers.delete(id),
    fire: () => { const fns = [...timers.values()]; timers.clear(); fns.forEach((f) => f()); },
    pending: () => timers.size,
  };
}

test('catalog: 17 modules in 4 phases (5/5/4/3), milestones after 05, 10, 14, 17', () => {
  assert.equal(MODULES.length, 17);
  assert.deepEqual(PHASES.map((p) => p.modules.length), [5, 5, 4, 3]);
  assert.deepEqual(PHASES.flatMap((p) => p.modules), MODULES.map((m) => m.id));
  assert.deepEqual(MILESTONES.map((m) => m.after), ['05', '10', '14', '17']);
});

test('edits are debounced into storage and survive a new store (reload)', () => {
  const storage = new MemoryStorage();
  const t = fakeTimers();
  const store = new ProgressStore(storage, t);
  store.setCode('01', 'engine/core/profile.cpp', 'a');
  store.setCode('01', 'engine/core/profile.cpp', 'ab');
  assert.equal(storage.getItem(STORAGE_KEY), null, 'nothing written before the debounce fires');
  assert.equal(t.pending(), 1, 'one pending write, not one per keystroke');
  t.fire();
  const reloaded = new ProgressStore(storage, t);
  assert.equal(reloaded.code('01', 'engine/core/profile.cpp'), 'ab');
  store.setCode('01', 'engine/core/profile.cpp', 'abc');
  store.flush();  // pagehide
  assert.equal(new ProgressStore(storage).code('01', 'engine/core/profile.cpp'), 'abc');
});

test('a passing run marks the module passed with its first date; a later failing run keeps the date', () => {
  let now = new Date('2026-11-24T10:00:00Z');
  const store = new ProgressStore(new MemoryStorage(), { now: () => now });
  store.recordRun('01', { ok: false, summary: { passed: 1, failed: 1 } });
  assert.equal(store.module('01').passedAt, null);
  store.recordRun('01', { ok: true });
  assert.equal(store.module('01').passedAt, '2026-11-24T10:00:00.000Z');
  now = new Date('2026-11-25T10:00:00Z');
  store.recordRun('01', { ok: false });
  assert.equal(store.module('01').passedAt, '2026-11-24T10:00:00.000Z');
  assert.equal(store.module('01').lastRun.at, '2026-11-25T10:00:00.000Z');
});

test('export → reset → import restores code, results, passes and settings', () => {
  const store = new ProgressStore(new MemoryStorage());
  store.setCode('02', 'engine/tensor/tensor.cpp', 'int x;');
  store.recordRun('01', { ok: true });
  store.updateSettings({ timeLimitSeconds: 25, buildOn: 'mine' });
  const file = store.exportJSON();
  store.resetAll();
  assert.deepEqual(store.state, emptyProgress());
  store.importJSON(file);
  assert.equal(store.code('02', 'engine/tensor/tensor.cpp'), 'int x;');
  assert.ok(store.module('01').passedAt);
  assert.deepEqual(store.settings(), { timeLimitSeconds: 25, buildOn: 'mine' });
});

test('a bad import says what is wrong and changes nothing', () => {
  const store = new ProgressStore(new MemoryStorage());
  store.recordRun('01', { ok: true });
  const before = JSON.stringify(store.state);
  assert.throws(() => store.importJSON('{not json'), /not valid JSON/);
  assert.throws(() => store.importJSON('{"schema":"other"}'), /"schema" must be "tinytorch-progress"/);
  assert.throws(() => store.importJSON(JSON.stringify({ ...emptyProgress(), modules: { 1: {} } })), /module id "1" is not two digits/);
  assert.throws(() => store.importJSON(JSON.stringify({ ...emptyProgress(), settings: { timeLimitSeconds: 0 } })), /timeLimitSeconds must be 1-600, got 0/);
  assert.throws(() => validateProgress({ ...emptyProgress(), modules: { '01': { code: { f: 3 } } } }), /module 01, file f: code must be a string/);
  assert.equal(JSON.stringify(store.state), before);
});

// Two modules of the course, as lessons/index.json describes them.
const LESSONS = lessonFiles([
  { number: 1, files: ['engine/core/profile.cpp'] },
  { number: 2, files: ['engine/tensor/tensor.cpp', 'engine/tensor/views.cpp'] },
]);

// A store holding some progress, and the text its storage holds.
function storeWithProgress(storage = new MemoryStorage()) {
  const store = new ProgressStore(storage);
  store.setCode('01', 'engine/core/profile.cpp', 'mine');
  store.recordRun('01', { ok: true, stage: 'run', summary: { passed: 1, failed: 0, crashed: 0, skipped: 0, total: 1 }, checks: [] });
  store.flush();
  return store;
}

test('an import is checked field by field: every problem is listed, and nothing is imported', () => {
  const store = storeWithProgress();
  const before = JSON.stringify(store.state);
  const stored = store.storage.getItem(STORAGE_KEY);
  const doc = {
    ...emptyProgress(),
    settings: { timeLimitSeconds: '25', buildOn: 'reference' },
    modules: {
      '01': { code: { 'engine/core/profile.cpp': 'ok', 'engine/core/other.cpp': 'x' }, passedAt: 12,
              lastRun: { at: 'yesterday', ok: 'yes', stage: 'run', checks: [{ name: 'a', status: 'won', messages: 'm' }, null] } },
      '02': { code: { 'engine/tensor/tensor.cpp': 'x'.repeat(LIMITS.codeChars + 1) }, lastRun: { checks: 'all', diagnostics: [{ line: -1 }] } },
      '99': { code: {} },
      '03': 'text',
    },
  };
  let error;
  assert.throws(() => { try { store.importJSON(JSON.stringify(doc), { lessons: LESSONS }); } catch (e) { error = e; throw e; } });
  assert.deepEqual(error.problems, [
    'module 01, file engine/core/other.cpp: not a file of module 01 (its files: engine/core/profile.cpp)',
    'module 01: passedAt 12 is not a date',
    'module 01: lastRun.at: "yesterday" is not a date',
    'module 01: lastRun.ok: expected true or false, got "yes"',
    'module 01: lastRun.checks[0].status: "won" is not one of passed, failed, crashed, timeout, stopped, skipped',
    'module 01: lastRun.checks[0].messages: expected a list, got "m"',
    'module 01: lastRun.checks[1]: expected an object, got null',
    `module 02, file engine/tensor/tensor.cpp: ${LIMITS.codeChars + 1} characters, more than ${LIMITS.codeChars}`,
    'module 02: lastRun.diagnostics[0].line: expected a whole number ≥ 0, got -1',
    'module 02: lastRun.checks: expected a list, got "all"',
    'module 03: the course has no module 03',
    'module 99: the course has no module 99',
    'timeLimitSeconds must be 1-600, got "25"',
  ]);
  // the message names the first eight, counts the rest, and says nothing changed
  assert.match(error.message, /^progress file: 13 problems:\n- module 01, file engine\/core\/other\.cpp: not a file of module 01/);
  assert.match(error.message, /\n- and 5 more\nNothing was imported; your progress is unchanged\.$/);
  assert.equal(JSON.stringify(store.state), before);
  assert.equal(store.storage.getItem(STORAGE_KEY), stored);
});

test('an import: old engine paths count as files of their module; without the lesson index only the form is checked', () => {
  const doc = { ...emptyProgress(), modules: { '02': { code: { 'engine/tensor.cpp': 't' } }, '42': { code: { 'a.cpp': 'x' } } } };
  const checked = new ProgressStore(new MemoryStorage());
  assert.throws(() => checked.importJSON(JSON.stringify(doc), { lessons: LESSONS }), /^Error: progress file: module 42: the course has no module 42\nNothing was imported/);
  delete doc.modules['42'];
  checked.importJSON(JSON.stringify(doc), { lessons: LESSONS });
  assert.deepEqual(checked.module('02').code, { 'engine/tensor/tensor.cpp': 't' });
  const unchecked = new ProgressStore(new MemoryStorage());
  unchecked.importJSON(JSON.stringify({ ...doc, modules: { '42': { code: { 'a.cpp': 'x' } } } }));
  assert.deepEqual(unchecked.module('42').code, { 'a.cpp': 'x' });
});

test('an oversize import is refused before it is parsed', () => {
  const store = storeWithProgress();
  const before = JSON.stringify(store.state);
  const huge = JSON.stringify({ ...emptyProgress(), padding: 'x'.repeat(LIMITS.fileChars) });
  assert.throws(() => store.importJSON(huge), new RegExp(`^Error: progress file: ${huge.length} characters, more than the ${LIMITS.fileChars}`));
  assert.equal(JSON.stringify(store.state), before);
});

test('an import the storage refuses (over its quota) leaves the previous progress, in memory and in storage', () => {
  // localStorage's behaviour at its quota: setItem throws QuotaExceededError and keeps the old value
  class QuotaStorage extends MemoryStorage {
    constructor(quota) { super(); this.quota = quota; this.refused = 0; }
    setItem(k, v) {
      if (String(v).length > this.quota) {
        this.refused++;
        throw Object.assign(new Error('The quota has been exceeded.'), { name: 'QuotaExceededError' });
      }
      super.setItem(k, v);
    }
  }
  const storage = new QuotaStorage(20_000);
  const store = storeWithProgress(storage);
  const before = JSON.stringify(store.state);
  const stored = storage.getItem(STORAGE_KEY);
  const seen = [];
  store.subscribe((state) => seen.push(state));
  const big = { ...emptyProgress(), modules: { '01': { code: { 'engine/core/profile.cpp': 'y'.repeat(30_000) } } } };
  assert.throws(() => store.importJSON(JSON.stringify(big), { lessons: LESSONS }),
    /^Error: progress file: the browser's storage refused it \(QuotaExceededError: The quota has been exceeded\.\)\. Nothing was imported; your progress is unchanged\.$/);
  assert.equal(storage.refused, 1);
  assert.equal(JSON.stringify(store.state), before);
  assert.equal(storage.getItem(STORAGE_KEY), stored);
  assert.deepEqual(seen, [], 'no listener saw the refused state');
  // the store still works: a small import goes through, and so do later edits
  store.importJSON(JSON.stringify({ ...big, modules: { '01': { code: { 'engine/core/profile.cpp': 'small' } } } }), { lessons: LESSONS });
  assert.equal(new ProgressStore(storage).code('01', 'engine/core/profile.cpp'), 'small');
  assert.equal(seen.length, 1);
});

test('a stored document with a damaged last run keeps its code: only the run is dropped', () => {
  const storage = new MemoryStorage();
  const doc = { ...emptyProgress(), modules: { '02': { code: { 'engine/tensor/tensor.cpp': 't' }, passedAt: null,
    lastRun: { ok: true, checks: [{ name: 'a', status: 'passed', failures: 7 }] } } } };
  storage.setItem(STORAGE_KEY, JSON.stringify(doc));
  const store = new ProgressStore(storage);
  assert.equal(store.code('02', 'engine/tensor/tensor.cpp'), 't');
  assert.equal(store.module('02').lastRun, null);
  assert.throws(() => new ProgressStore(new MemoryStorage()).importJSON(JSON.stringify(doc)),
    /^Error: progress file: module 02: lastRun\.checks\[0\]\.failures: expected a list, got 7\n/);
});

test('recordRun keeps the session result in its own names, output and diagnostics trimmed', () => {
  const store = new ProgressStore(new MemoryStorage(), { now: () => new Date('2026-11-24T10:00:00Z') });
  const check = { name: 'a', file: 't.cpp', line: 3, status: 'crashed', failures: [], messages: [], trap: { kind: 'todo', message: 'm' } };
  store.recordRun('01', {
    stage: 'run', ok: false, summary: { passed: 0, failed: 1, crashed: 1, skipped: 0, total: 1 }, checks: [check],
    problems: ['p'], diagnostics: Array.from({ length: 60 }, (_, i) => ({ file: 'f', line: i })), message: null,
    status: 'exited', exitCode: 0, stdout: 'x'.repeat(5000), stderr: 'e', traps: [{}], timings: { build: 5 },
  });
  const last = store.module('01').lastRun;
  assert.deepEqual(Object.keys(last).sort(),
    ['at', 'checks', 'diagnostics', 'message', 'ok', 'problems', 'stage', 'status', 'stderr', 'stdout', 'summary']);
  assert.deepEqual(last.checks, [check]);
  assert.equal(last.diagnostics.length, 50);
  assert.equal(last.stdout.length, 4000);
  assert.deepEqual(JSON.parse(JSON.stringify(validateProgress(JSON.parse(JSON.stringify(store.state))).modules['01'].lastRun)), last,
    'a current run reads back unchanged');
});

test('moved engine files: the map is complete (every old path is gone, every new path exists) and has no chains', () => {
  const repo = path.resolve(import.meta.dirname, '../..');
  assert.ok(Object.keys(MOVED_FILES).length >= 40);
  for (const [from, to] of Object.entries(MOVED_FILES)) {
    assert.ok(!fs.existsSync(path.join(repo, from)), `${from} still exists`);
    assert.ok(fs.existsSync(path.join(repo, to)), `${to} (new path of ${from}) does not exist`);
    assert.equal(MOVED_FILES[to], undefined, `${to} moves again: map ${from} to the final path`);
    assert.equal(path.basename(from), path.basename(to), `${from} → ${to} changes the file name`);
  }
  assert.equal(currentPath('engine/tensor.cpp'), 'engine/tensor/tensor.cpp');
  assert.equal(currentPath('engine/tensor/tensor.cpp'), 'engine/tensor/tensor.cpp');
  assert.equal(currentPath('student/other.cpp'), 'student/other.cpp');
});

test('progress saved with the old engine paths is read under the new ones, from storage and from an import', () => {
  const old = {
    schema: 'tinytorch-progress', version: 1, settings: { timeLimitSeconds: 10, buildOn: 'reference' },
    modules: {
      '01': { code: { 'engine/profile.cpp': 'p1' }, passedAt: '2026-11-20T12:00:00.000Z', lastRun: null },
      '02': {
        code: { 'engine/tensor.cpp': 't', 'engine/views.cpp': 'v' }, passedAt: null,
        lastRun: {
          at: '2026-11-21T12:00:00.000Z', ok: false, stage: 'run', summary: { passed: 1, failed: 1, skipped: 1, total: 3 },
          checks: [
            { name: 'a', status: 'pass', reason: null, message: null, failures: [] },
            { name: 'b', status: 'fail', reason: null, message: 'crashed: boom', failures: [{ expr: 'CHECK( x == 1 )', expected: '1', got: '2', file: 't.cpp', line: 4 }] },
            { name: 'c', status: 'skip', reason: 'needs-exceptions', message: null, failures: [] },
          ],
          diagnostics: [{ file: 'engine/views.cpp', line: 3, column: 1, severity: 'warning', message: 'w' }],
        },
      },
    },
  };
  const expectCode = { '01': { 'engine/core/profile.cpp': 'p1' }, '02': { 'engine/tensor/tensor.cpp': 't', 'engine/tensor/views.cpp': 'v' } };
  const storage = new MemoryStorage();
  storage.setItem(STORAGE_KEY, JSON.stringify(old));
  const loaded = new ProgressStore(storage);
  const imported = new ProgressStore(new MemoryStorage());
  imported.importJSON(JSON.stringify(old));
  for (const store of [loaded, imported]) {
    for (const [id, code] of Object.entries(expectCode)) assert.deepEqual(store.module(id).code, code);
    assert.equal(store.code('02', 'engine/tensor/views.cpp'), 'v');
    assert.equal(store.module('01').passedAt, '2026-11-20T12:00:00.000Z');
    const last = store.module('02').lastRun;
    assert.deepEqual(last.checks.map((c) => c.status), ['passed', 'failed', 'skipped']);
    assert.deepEqual(last.checks[1].messages, ['crashed: boom']);
    assert.equal(last.checks[1].failures[0].expression, 'CHECK( x == 1 )');
    assert.deepEqual(last.summary, { passed: 1, failed: 1, crashed: 0, skipped: 1, total: 3 });
    assert.equal(last.diagnostics[0].file, 'engine/tensor/views.cpp');
  }
  // written back under the new paths on the next save
  loaded.setCode('02', 'engine/tensor/reduce.cpp', 'r');
  loaded.flush();
  assert.deepEqual(Object.keys(JSON.parse(storage.getItem(STORAGE_KEY)).modules['02'].code).sort(),
    ['engine/tensor/reduce.cpp', 'engine/tensor/tensor.cpp', 'engine/tensor/views.cpp']);
  // saved under both paths (edited before and after the move): the new path's text wins
  const both = validateProgress({ ...old, modules: { '02': { code: { 'engine/tensor.cpp': 'old', 'engine/tensor/tensor.cpp': 'new' } } } });
  assert.deepEqual(both.modules['02'].code, { 'engine/tensor/tensor.cpp': 'new' });
});

test('a damaged stored document is set aside, not thrown away, and the course still opens', () => {
  const storage = new MemoryStorage();
  storage.setItem(STORAGE_KEY, '{"schema":"tinytorch-progress","version":99}');
  const warn = console.warn;
  console.warn = () => {};
  try {
    const store = new ProgressStore(storage);
    assert.deepEqual(store.state, emptyProgress());
  } finally {
    console.warn = warn;
  }
  assert.equal(storage.getItem(`${STORAGE_KEY}.damaged`), '{"schema":"tinytorch-progress","version":99}');
});

test('unlocks: 01 open, the rest locked or coming soon; passing 01-05 unlocks inference only', () => {
  const store = new ProgressStore(new MemoryStorage());
  let course = courseState(lessons, store.state);
  const states = () => Object.fromEntries(course.modules.map((m) => [m.id, m.state]));
  assert.equal(states()['01'], 'open');
  assert.equal(states()['02'], 'locked');
  assert.deepEqual(course.modules.find((m) => m.id === '02').waitingFor, ['01']);
  assert.equal(states()['06'], 'coming-soon');
  assert.equal(nextModule(course).id, '01');
  assert.deepEqual(course.milestones.map((m) => m.state), ['locked', 'coming-soon', 'coming-soon', 'coming-soon']);

  store.recordRun('01', { ok: true });
  course = courseState(lessons, store.state);
  assert.equal(states()['01'], 'passed');
  assert.equal(states()['02'], 'open');
  assert.equal(states()['03'], 'locked');
  assert.deepEqual(course.milestones[0].remaining, ['02', '03', '04', '05']);

  for (const id of ['02', '03', '04', '05']) store.recordRun(id, { ok: true });
  course = courseState(lessons, store.state);
  assert.equal(course.milestones[0].state, 'unlocked');
  assert.equal(course.milestones[1].state, 'coming-soon');
  assert.equal(nextModule(course), null);
});

test('unlocks: a lesson whose engine files are missing is coming soon, and so is its milestone', () => {
  const partial = lessons.map((l) => (l.id === '05_networks' ? { ...l, status: 'planned', missing: ['engine/nn/linear.cpp'] } : l));
  const store = new ProgressStore(new MemoryStorage());
  for (const id of ['01', '02', '03', '04']) store.recordRun(id, { ok: true });
  const course = courseState(partial, store.state);
  assert.equal(course.modules.find((m) => m.id === '05').state, 'coming-soon');
  assert.equal(course.milestones[0].state, 'coming-soon');
  assert.deepEqual(course.milestones[0].remaining, ['05']);
});

test('unlocks: prerequisites default to the module before when lesson.json has none', () => {
  const noPrereq = lessons.map(({ prerequisites, ...l }) => l);
  const store = new ProgressStore(new MemoryStorage());
  store.recordRun('01', { ok: true });
  const course = courseState(noPrereq, store.state);
  assert.deepEqual(course.modules.slice(0, 3).map((m) => m.state), ['passed', 'open', 'locked']);
});

test('unlocks: a prerequisite that is coming soon stands aside for its own: 07 waits for 05 while 06 is unwritten', () => {
  // 06 planned (its files missing), 07 and 08 ready, each naming the module before as its prerequisite
  const more = [...lessons,
    { id: '06_dataloader', dir: '06_dataloader', files: ['engine/data/dataloader.cpp'], checks: [], status: 'planned',
      missing: ['engine/data/dataloader.cpp'], prerequisites: ['05_networks'] },
    { id: '07_autograd', dir: '07_autograd', files: ['engine/f7.cpp'], checks: [], prerequisites: ['06_dataloader'] },
    { id: '08_optimizers', dir: '08_optimizers', files: ['engine/f8.cpp'], checks: [], prerequisites: ['07_autograd'] }];
  const store = new ProgressStore(new MemoryStorage());
  for (const id of ['01', '02', '03', '04']) store.recordRun(id, { ok: true });
  const states = () => Object.fromEntries(courseState(more, store.state).modules.map((m) => [m.id, m.state]));
  assert.deepEqual([states()['05'], states()['06'], states()['07'], states()['08']], ['open', 'coming-soon', 'locked', 'locked']);
  assert.deepEqual(courseState(more, store.state).modules.find((m) => m.id === '07').waitingFor, ['05']);
  store.recordRun('05', { ok: true });
  assert.deepEqual([states()['07'], states()['08']], ['open', 'locked']);
  store.recordRun('07', { ok: true });
  assert.deepEqual([states()['07'], states()['08']], ['passed', 'open']);
  assert.deepEqual(courseState(more, store.state).modules.find((m) => m.id === '08').waitingFor, []);
});
