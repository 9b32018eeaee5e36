// The course's model code (web/js/course/): progress store, export/import, unlock rules. No browser needed.
import test from 'node:test';
import assert from 'node:assert/strict';
import { ProgressStore, MemoryStorage, STORAGE_KEY, validateProgress, emptyProgress } from '../../web/js/course/progress.mjs';
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
