// compile-ahead.mjs: the lesson page's compile a moment after each edit. It must compile the latest text once the
// typing stops (not once per keystroke), never run two compiles at once, compile what was typed during a compile
// afterwards, hold off while a Run is under way, and hand each answer over with the files it was given.
import test from 'node:test';
import assert from 'node:assert/strict';
import { compileAhead } from '../../web/js/course/compile-ahead.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// a compiler that answers after `ms`, recording what it was given and how many compiles overlapped
function fakeCompiler(ms = 30) {
  const state = { calls: [], running: 0, overlap: 0 };
  state.compile = async (files) => {
    state.calls.push(files);
    state.running++;
    state.overlap = Math.max(state.overlap, state.running);
    await sleep(ms);
    state.running--;
    return { 'a.cpp': { ok: !files['a.cpp'].includes('= ;'), text: files['a.cpp'] } };
  };
  return state;
}

test('edits within the delay make one compile, of the latest text, reported with the files it was given', async () => {
  const c = fakeCompiler();
  let text = 'int a = 1;';
  const results = [];
  const ahead = compileAhead({ compile: c.compile, files: () => ({ 'a.cpp': text }), delayMs: 20,
    onResult: (r, sent) => results.push([r['a.cpp'].text, sent['a.cpp']]) });
  for (const t of ['int a = 2;', 'int a = 3;', 'int a = ;']) {
    text = t;
    ahead.edited();
    await sleep(5);
  }
  assert.equal(c.calls.length, 0, 'nothing while the student types');
  await ahead.settled();
  assert.deepEqual(c.calls, [{ 'a.cpp': 'int a = ;' }]);
  assert.deepEqual(results, [['int a = ;', 'int a = ;']]);
});

test('an edit during a compile is compiled after it, never beside it', async () => {
  const c = fakeCompiler(60);
  let text = 'int a = 1;';
  const ahead = compileAhead({ compile: c.compile, files: () => ({ 'a.cpp': text }), delayMs: 10 });
  ahead.edited();
  await sleep(25);  // the first compile is under way
  assert.equal(c.running, 1);
  text = 'int a = 2;';
  ahead.edited();
  await sleep(20);
  assert.equal(c.calls.length, 1, 'the second waits for the first');
  await ahead.settled();
  assert.deepEqual(c.calls.map((f) => f['a.cpp']), ['int a = 1;', 'int a = 2;']);
  assert.equal(c.overlap, 1);
});

test('nothing starts while a Run is under way; the edit is compiled once it has ended', async () => {
  const c = fakeCompiler(5);
  let busy = true;
  const ahead = compileAhead({ compile: c.compile, files: () => ({ 'a.cpp': 'int a = 1;' }), busy: () => busy, delayMs: 10 });
  ahead.edited();
  await sleep(50);
  assert.equal(c.calls.length, 0);
  busy = false;
  await ahead.settled();
  assert.equal(c.calls.length, 1);
});

test('a compile that fails or gives no answer (the time limit) is not reported and does not stop the next', async () => {
  const answers = [() => Promise.reject(new Error('worker gone')), () => null, () => ({ 'a.cpp': { ok: true } })];
  const reported = [];
  let i = 0;
  const ahead = compileAhead({ compile: async () => answers.shift()(), files: () => ({ 'a.cpp': `int a = ${i};` }), delayMs: 5,
    onResult: (r) => reported.push(r) });
  for (; i < 3; i++) {
    ahead.edited();
    await ahead.settled();
  }
  assert.deepEqual(reported, [{ 'a.cpp': { ok: true } }]);
  assert.equal(answers.length, 0);
});

test('files exactly as last compiled, ahead or by a Run, are not sent again', async () => {
  const c = fakeCompiler(5);
  let text = 'int a = 1;';
  const ahead = compileAhead({ compile: c.compile, files: () => ({ 'a.cpp': text }), delayMs: 5 });
  ahead.edited();
  await ahead.settled();
  ahead.edited();  // an edit undone: the same text
  await ahead.settled();
  assert.equal(c.calls.length, 1);
  // a Run took the new text (and may have run past the time limit with it): not compiled again behind its back
  text = 'int a = 2;';
  ahead.edited();
  ahead.ran({ 'a.cpp': text });
  await ahead.settled();
  assert.equal(c.calls.length, 1);
  text = 'int a = 3;';  // edited during or after the Run
  ahead.edited();
  await ahead.settled();
  assert.deepEqual(c.calls.map((f) => f['a.cpp']), ['int a = 1;', 'int a = 3;']);
});
