// The student build's parsers and the starter cutter, on canned inputs (no compiler: fast).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { findRegions, makeStarter } from '../../scripts/lib/starter.mjs';
import { parseDiagnostics } from '../../web/js/student/diagnostics.mjs';
import { parseEvents, parseResults, splitComparison } from '../../web/js/student/results.mjs';

test('starter: each region becomes TT_TODO("hint") at its indentation; one region can be stubbed alone', () => {
  const src = 'int f() {\n    // BEGIN SOLUTION add "one"\n    return 1;\n    // END SOLUTION\n}\nint g() {\n  // BEGIN SOLUTION\n  return 2;\n  // END SOLUTION\n}\n';
  assert.deepEqual(findRegions(src).map((r) => [r.begin, r.end, r.hint]), [[1, 3, 'add "one"'], [6, 8, '']]);
  assert.equal(makeStarter(src), 'int f() {\n    TT_TODO("add \\"one\\"");\n}\nint g() {\n  TT_TODO("write this part");\n}\n');
  assert.equal(makeStarter(src, { which: [1] }), 'int f() {\n    return 1;\n}\nint g() {\n  TT_TODO("write this part");\n}\n');
  assert.throws(() => findRegions('// BEGIN SOLUTION\nx\n', 'a.cpp'), /a\.cpp:1: BEGIN SOLUTION is never closed/);
  assert.throws(() => findRegions('// END SOLUTION\n', 'a.cpp'), /a\.cpp:1: END SOLUTION without/);
});

test('diagnostics: student lines kept, libc++ notes dropped, library errors moved to the student\'s call', () => {
  const out = [
    "student/main.cpp:7:7: warning: unused variable 'unused' [-Wunused-variable]",
    '    7 |   int unused;',
    "/usr/include/c++/v1/__algorithm/comp.h:42:18: error: invalid operands to binary expression ('const P' and 'const P')",
    "/usr/include/c++/v1/__algorithm/sort.h:951:8: note: in instantiation of function template specialization 'std::sort' requested here",
    "student/main.cpp:6:8: note: in instantiation of function template specialization 'std::sort<P *>' requested here",
    "/usr/include/c++/v1/__algorithm/sift_down.h:73:41: error: no matching function for call",
    'In file included from tests/engine/test_01_setup.cpp:3:',
    "include/profile.h:20:1: error: unknown type name 'Enviroment'",
    'wasm-ld: error: obj/001_profile.o: undefined symbol: tt::format_bytes(double)',
    '>>> referenced by test_01_setup.cpp',
    'clang++: error: linker command failed with exit code 1 (use -v to see invocation)',
  ].join('\n');
  const d = parseDiagnostics(out, { userFiles: ['student/main.cpp'] });
  assert.deepEqual(d.map((x) => [x.file, x.line, x.column, x.severity]), [
    ['student/main.cpp', 7, 7, 'warning'],
    ['student/main.cpp', 6, 8, 'error'],
    ['student/main.cpp', 6, 8, 'error'],
    ['include/profile.h', 20, 1, 'error'],
    [null, 0, 0, 'error'],
  ]);
  assert.match(d[1].message, /^invalid operands .* \(in a library header\)$/);
  assert.deepEqual(d[1].notes.map((n) => n.file), ['student/main.cpp']);
  assert.match(d[4].message, /undefined symbol: tt::format_bytes\(double\)\nreferenced by test_01_setup\.cpp/);
});

test('results: checks from the listener events, with got/expected, crashes, skips and problems', () => {
  const stderr = [
    '[tt] {"event":"start","name":"a","file":"t.cpp","line":3}',
    '[tt] {"event":"end","asserts":1,"failed":0,"ok":true}',
    '[tt] {"event":"start","name":"b","file":"t.cpp","line":4}',
    '[tt] {"event":"fail","kind":"CHECK","file":"t.cpp","line":5,"expr":"f(2048) == \\"2 KiB\\"","decomp":"2.00 KiB == 2 KiB"}',
    '[tt] {"event":"fail","kind":"CHECK_EQ","file":"t.cpp","line":6,"expr":"g(), 3","decomp":"4, 3"}',
    '[tt] {"event":"end","asserts":2,"failed":2,"ok":false}',
    'some plain output',
    '[tt] {"event":"start","name":"c","file":"t.cpp","line":7}',
    '[tt] {"event":"skip","name":"d","file":"t.cpp","line":9,"reason":"needs-exceptions"}',
  ].join('\n');
  const events = parseEvents(stderr);
  assert.equal(events.length, 8);
  const run = {
    status: 'exited', exitCode: 1, events, truncated: { stdout: 0, stderr: 0 },
    traps: [{ kind: 'out-of-bounds', message: 'memory access out of bounds', case: 'c' }],
  };
  const r = parseResults(run);
  assert.deepEqual(r.checks.map((c) => [c.name, c.status]), [['a', 'passed'], ['b', 'failed'], ['c', 'crashed'], ['d', 'skipped']]);
  assert.deepEqual(r.checks[1].failures.map((f) => [f.line, f.got, f.expected]), [[5, '2.00 KiB', '2 KiB'], [6, '4', '3']]);
  // failed: every check that ran and did not pass (b and c); crashed: the part of those that crashed (c)
  assert.deepEqual(r.summary, { passed: 1, failed: 2, crashed: 1, skipped: 1, total: 4 });
  assert.equal(r.ok, false);
  // the trap is told on its check's row, not again as a problem of the Run
  assert.match(r.checks[2].trap.message, /out of bounds/);
  assert.deepEqual(r.problems, []);
  assert.deepEqual(splitComparison('CHECK', 'x < 3', '5 < 3'), { got: '5', expected: '3', operator: '<' });
});

test('results: a timeout marks the running case; nothing ran is never ok', () => {
  const events = [{ event: 'start', name: 'slow', file: 't.cpp', line: 1 }];
  const r = parseResults({ status: 'timeout', message: 'stopped after 1.0 s: the time limit', events, traps: [] });
  assert.equal(r.checks[0].status, 'timeout');
  assert.deepEqual(r.summary, { passed: 0, failed: 1, crashed: 1, skipped: 0, total: 1 });
  assert.equal(r.ok, false);
  assert.match(r.problems[0], /time limit/);
  const empty = parseResults({ status: 'exited', exitCode: 0, events: [], traps: [] });
  assert.equal(empty.ok, false);
  assert.deepEqual(empty.problems, ['no check ran']);
});

test('results of a program (its own main(), no checks): ok is exit code 0 without a trap', () => {
  const run = (fields) => parseResults({ status: 'exited', exitCode: 0, events: [], traps: [], stdout: '', stderr: '', ...fields }, { program: true });
  assert.deepEqual(run({}), { ok: true, summary: { passed: 0, failed: 0, crashed: 0, skipped: 0, total: 0 }, checks: [], problems: [] });
  assert.deepEqual([run({ exitCode: 2 }).ok, run({ exitCode: 2 }).problems], [false, ['the program exited with code 2']]);
  const trapped = run({ exitCode: null, traps: [{ kind: 'abort', message: 'the program aborted', case: null }] });
  assert.deepEqual([trapped.ok, trapped.problems], [false, ['the program aborted — outside any check']]);
  // a program's stderr is its own: "[tt]" lines there are not check events
  assert.deepEqual(run({ events: undefined, stderr: '[tt] {"event":"start","name":"x"}\n' }).checks, []);
});

// The runner's writable folder (wasi.mjs outputDir): a program's fopen("/out/x", "wb") + fwrite + fclose, as wasi-libc
// issues them, land in `outputs`; the read-only files stay read-only; nothing outside /out can be created.
test('wasi: files created under the writable folder are kept; the rest stays read-only', async () => {
  const { createWasi } = await import('../../web/js/student/wasi.mjs');
  const memory = new WebAssembly.Memory({ initial: 1 });
  const outputs = {};
  const wasi = createWasi({ files: { '/fixtures/in.txt': new Uint8Array([1, 2, 3]) }, outputDir: '/out', outputs, write: () => {} });
  wasi.setMemory(memory);
  const w = wasi.imports.wasi_snapshot_preview1;
  const mem = new Uint8Array(memory.buffer), view = new DataView(memory.buffer);
  const put = (ptr, text) => { const b = new TextEncoder().encode(text); mem.set(b, ptr); return b.length; };
  const dirName = (fd) => { view.setUint32(900, 0, true); assert.equal(w.fd_prestat_get(fd, 900), 0); const n = view.getUint32(904, true); w.fd_prestat_dir_name(fd, 920, n); return new TextDecoder().decode(mem.slice(920, 920 + n)); };
  assert.deepEqual([dirName(3), dirName(4)], ['/fixtures', '/out']);
  const open = (dirFd, name, oflags) => { const n = put(100, name); const rc = w.path_open(dirFd, 0, 100, n, oflags, 0n, 0n, 0, 200); return rc === 0 ? view.getUint32(200, true) : -rc; };
  const write = (fd, text) => { const n = put(300, text); view.setUint32(400, 300, true); view.setUint32(404, n, true); return w.fd_write(fd, 400, 1, 500); };
  const fd = open(4, 'ckpt.bin', 1 | 8);  // O_CREAT | O_TRUNC
  assert.ok(fd > 4);
  assert.equal(write(fd, 'hello '), 0);
  assert.equal(write(fd, 'world'), 0);
  assert.equal(w.fd_close(fd), 0);
  assert.equal(new TextDecoder().decode(outputs['/out/ckpt.bin'].data.subarray(0, outputs['/out/ckpt.bin'].size)), 'hello world');
  // truncated when opened again with O_TRUNC; O_EXCL on an existing file is EEXIST; no O_CREAT on a new one is ENOENT
  const again = open(4, 'ckpt.bin', 1 | 8);
  assert.equal(write(again, 'x'), 0);
  assert.equal(outputs['/out/ckpt.bin'].size, 1);
  assert.equal(open(4, 'ckpt.bin', 1 | 4), -20);
  assert.equal(open(4, 'missing.bin', 0), -44);
  // the read-only folder refuses creation; a read-only file cannot be written
  assert.equal(open(3, 'new.txt', 1), -76);
  const ro = open(3, 'in.txt', 0);
  assert.equal(write(ro, 'no'), 8);
  // without an outputDir there is no /out at all
  const plain = createWasi({ files: { '/fixtures/in.txt': new Uint8Array(1) }, write: () => {} });
  plain.setMemory(memory);
  assert.equal(plain.imports.wasi_snapshot_preview1.fd_prestat_get(4, 900), 8);
});
