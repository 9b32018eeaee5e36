// Runs one linked student program (a fresh worker per Run; the page terminates it at the time limit).
//   in:  {type:'run', wasm: Uint8Array, args: [], files: {path: Uint8Array}, maxOutputBytes, doctest: bool,
//         outputDir?: '/out'}
//   out: {type:'out', fd, text} (capped), {type:'event', event} (the listener's events, from the tt_results import),
//        {type:'trap', trap}, {type:'done', exitCode, rounds, memoryBytes, dropped, rejected, outFiles: {path: bytes}}
// With doctest:true a trap does not end the run: the program is started again after the case that trapped
// (doctest --first=N), so one crashing check does not hide the results of the others.
import { createWasi, ProcExit } from './wasi.mjs';
import { workerPort } from './worker-port.mjs';

const MAX_ROUNDS = 1000;  // one per crashing case; the time limit still bounds the Run

function classify(error, stderrTail, memoryBytes, maxMemory) {
  const msg = String(error?.message ?? error);
  if (/bad_alloc|Cannot allocate memory|out of memory/i.test(stderrTail) || (memoryBytes >= maxMemory * 0.9 && /unreachable|out of bounds/.test(msg)))
    return { kind: 'out-of-memory', message: `out of memory: the program asked for more than the ${maxMemory >> 20} MiB a Run may use (e.g. a huge allocation)` };
  if (/unreachable/.test(msg)) {
    // tt::fail (engine/core/error.h) printed "tt::Error: <message>\n    at <file>:<line>" just before the trap
    const last = [...stderrTail.matchAll(/tt::Error: (.*)\n {4}at (.*):(\d+)/g)].at(-1);
    const where = last ? { error: last[1], errorFile: last[2], errorLine: Number(last[3]) } : {};
    if (/^not implemented: /.test(where.error ?? '')) {
      return { kind: 'todo', message: `not written yet: ${where.error.slice('not implemented: '.length)}`, ...where };
    }
    if (/tt::Error: not implemented/.test(stderrTail)) return { kind: 'todo', message: 'reached a TT_TODO: this part is not written yet' };
    if (where.error) return { kind: 'check-failed', message: `tt::Error: ${where.error}`, ...where };
    if (/tt::Error:/.test(stderrTail)) return { kind: 'check-failed', message: 'a TT_CHECK failed (message above) and stopped the program' };
    return { kind: 'abort', message: 'the program aborted (abort(), assert, __builtin_trap, or a library error such as vector::at out of range)' };
  }
  if (/out of bounds/.test(msg)) return { kind: 'out-of-bounds', message: 'memory access out of bounds (a bad index or pointer, or a stack overflow from deep recursion)' };
  if (/call stack/i.test(msg)) return { kind: 'stack-overflow', message: 'stack overflow (recursion too deep)' };
  if (/divide by zero|remainder by zero/.test(msg)) return { kind: 'divide-by-zero', message: 'integer division by zero' };
  if (/integer overflow/.test(msg)) return { kind: 'integer-overflow', message: 'integer overflow in a conversion or division' };
  if (/indirect call|null function|signature mismatch/.test(msg)) return { kind: 'bad-call', message: 'call through a bad function pointer' };
  return { kind: 'error', message: `the program stopped: ${msg}` };
}

async function run({ wasm, args = [], files = {}, maxOutputBytes = 256 * 1024, doctest = true, maxMemoryBytes = 1 << 30, outputDir = null }, post) {
  const outputs = {};  // the files written under outputDir, across the rounds
  const module = await WebAssembly.compile(wasm);
  const budget = { 1: maxOutputBytes, 2: maxOutputBytes };
  const dropped = { 1: 0, 2: 0 };
  const dec = { 1: new TextDecoder(), 2: new TextDecoder() };
  let stderrTail = '';
  const emitText = (fd, text) => {
    if (!text) return;
    if (fd === 2) stderrTail = (stderrTail + text).slice(-4096);
    const room = budget[fd];
    if (room <= 0) { dropped[fd] += text.length; return; }
    const part = text.length > room ? text.slice(0, room) : text;
    budget[fd] -= part.length;
    dropped[fd] += text.length - part.length;
    post({ type: 'out', fd, text: part });
  };
  let events = 0;
  let startedThisRound = 0;
  let expecting = null;  // the TT_CHECK_ERROR announced last in the running case (testing.h), until the case ends
  const write = (fd, bytes) => {
    emitText(fd, dec[fd].decode(bytes, { stream: true }));  // emitText keeps stderr's tail for the trap's message
  };
  // The results channel: the listener's events (tests/engine/student_main.cpp) arrive through the import
  // tt_results.event(pointer, size), never through stdout/stderr, so what the student's code prints (a fake result
  // line from a static initializer) stays output. At most 20000 events; a malformed one is dropped and counted.
  let memory = null;
  let rejected = 0;
  const resultsImport = {
    event: (ptr, size) => {
      if (events >= 20000) return;
      let event;
      try {
        event = JSON.parse(new TextDecoder().decode(new Uint8Array(memory.buffer, ptr >>> 0, Math.min(size >>> 0, 1 << 20))));
      } catch { rejected++; return; }
      if (!event || typeof event !== 'object' || typeof event.event !== 'string') { rejected++; return; }
      events++;
      if (event.event === 'start') startedThisRound++;
      if (event.event === 'start' || event.event === 'end') expecting = null;
      if (event.event === 'expect-error') expecting = event;
      post({ type: 'event', event });
    },
  };

  let first = 1;
  let expectDone = 0;  // TT_EXPECT_DONE for the round's first case: its expectations already seen to fail as expected
  let exitCode = null;
  let rounds = 0;
  let memoryBytes = 0;
  while (rounds < MAX_ROUNDS) {
    rounds++;
    startedThisRound = 0;
    expecting = null;
    const argv = ['checks', ...(doctest ? ['--no-colors', `--first=${first}`] : []), ...args];
    const env = expectDone ? { TT_EXPECT_DONE: String(expectDone) } : {};
    expectDone = 0;
    const wasi = createWasi({ args: argv, env, write, files, outputDir, outputs });
    const instance = await WebAssembly.instantiate(module, { ...wasi.imports, tt_results: resultsImport });
    wasi.setMemory(instance.exports.memory);
    memory = instance.exports.memory;
    try {
      instance.exports._start();
      exitCode = 0;
    } catch (e) {
      memoryBytes = instance.exports.memory.buffer.byteLength;
      if (e instanceof ProcExit) {
        exitCode = e.code;
      } else {
        const trap = classify(e, stderrTail, memoryBytes, maxMemoryBytes);
        if (doctest && expecting && startedThisRound > 0 && trap.error !== undefined) {
          // A TT_CHECK_ERROR's expression stopped with a tt::Error: that is the check. Expected message → passed,
          // and the same case runs again past it; another message → the check fails and the case ends there.
          const want = expecting.message;
          const matched = expecting.contains ? trap.error.includes(want) : trap.error === want;
          stderrTail = '';
          if (matched) {
            post({ type: 'event', event: { event: 'expect-ok', index: expecting.index, file: expecting.file, line: expecting.line } });
            first += startedThisRound - 1;
            expectDone = expecting.index + 1;
          } else {
            post({ type: 'event', event: {
              event: 'fail', kind: 'TT_CHECK_ERROR', file: expecting.file, line: expecting.line, expr: expecting.expr,
              got: `error "${trap.error}"`, expected: `error ${expecting.contains ? 'containing ' : ''}"${want}"`,
            } });
            post({ type: 'event', event: { event: 'end', ok: false, asserts: 1, failed: 1 } });
            first += startedThisRound;
          }
          continue;
        }
        post({ type: 'trap', trap: { ...trap, raw: String(e?.message ?? e) } });
        stderrTail = '';
        // Resume after the case that trapped, if it was inside a test case.
        if (doctest && startedThisRound > 0) { first += startedThisRound; continue; }
        exitCode = null;
      }
    }
    break;
  }
  memoryBytes = Math.max(memoryBytes, 0);
  const outFiles = Object.fromEntries(Object.entries(outputs).map(([p, f]) => [p, f.data.slice(0, f.size)]));
  post({ type: 'done', exitCode, rounds, memoryBytes, dropped, rejected, outFiles });
}

const port = await workerPort(async (msg) => {
  if (msg.type !== 'run') return;
  try {
    await run(msg, port.post);
  } catch (e) {
    port.post({ type: 'failed', message: String(e?.message ?? e) });
  }
});
