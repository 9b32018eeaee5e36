// The student build under Node with the real @yowasp/clang, through the one API the pages use (session.mjs): a small
// program compiled against the prebuilt engine objects runs and prints what the engine computes; diagnostics point at
// the right line; runaway programs (infinite loop, trap, huge allocation, output flood) end with a message that says
// what happened.
// Needs the prebuilt artifacts: TT_STUDENT_DIR (default build/student; `node scripts/prebuild-student.mjs`).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { likelyCauses } from '../../web/js/student/diagnostics.mjs';
import { createSession } from '../../web/js/student/session.mjs';

const repo = path.resolve(import.meta.dirname, '../..');
const studentDir = path.resolve(process.env.TT_STUDENT_DIR ?? path.join(repo, 'build/student'));
let session;

before(async () => {
  assert.ok(fs.existsSync(path.join(studentDir, 'manifest.json')),
    `no student-build artifacts in ${studentDir}: run node scripts/prebuild-student.mjs --out ${studentDir}`);
  process.env.TT_STUDENT_DIR = studentDir;
  session = createSession();
  await session.warmUp();
});
after(() => session?.terminate());

const program = (source, options = {}) => session.buildAndRun({ program: { 'student/main.cpp': source }, ...options });

test('a program linked with the prebuilt engine objects runs and prints the engine\'s results', async () => {
  const r = await program(`#include <cstdio>
#include "profile.h"
int main() {
    tt::Environment env = tt::environment();
    std::printf("build=%s bytes=%s\\n", env.build.c_str(), tt::format_bytes(1536).c_str());
    return 3;
}
`, { raw: true });
  assert.equal(r.stage, 'run', JSON.stringify(r.diagnostics));
  assert.ok(r.raw.build.wasm instanceof Uint8Array && r.raw.build.wasm.length > 1000);
  assert.equal(r.raw.run.exitCode, 3);
  assert.equal(r.status, 'exited');
  assert.equal(r.exitCode, 3);
  assert.equal(r.ok, false, 'a program is ok only when it exits with 0');
  assert.deepEqual(r.problems, ['the program exited with code 3']);
  assert.deepEqual([r.checks, r.summary.total], [[], 0]);
  assert.equal(r.stdout, 'build=student bytes=1.50 KiB\n');
});

// A program's own main() links without doctest's main (which stubs __cxa_thread_atexit): sgemm's scratch buffers
// must not need it, on the by-rows path (M = 1, one image through a Linear) nor the blocked one (M = 16).
test('a program with its own main() reaches both sgemm paths', async () => {
  const r = await program(`#include <cstdio>
#include <vector>
#include "gemm.h"
int main() {
    const int K = 3, N = 2;
    std::vector<float> a(16 * K), ones(K * N, 1.0f), c(16 * N);
    for (int i = 0; i < 16; i++)
        for (int k = 0; k < K; k++) a[i * K + k] = float(i + k + 1);
    tt::sgemm(false, false, 1, N, K, 1.0f, a.data(), K, ones.data(), N, 0.0f, c.data(), N);
    std::printf("%g %g |", c[0], c[1]);
    tt::sgemm(false, false, 16, N, K, 1.0f, a.data(), K, ones.data(), N, 0.0f, c.data(), N);
    std::printf(" %g %g\\n", c[0], c[15 * N + 1]);
}
`);
  assert.equal(r.ok, true, JSON.stringify(r.diagnostics) + r.message);
  assert.deepEqual(r.problems, []);
  assert.equal(r.stdout, '6 6 | 6 51\n');  // row i sums i+1 .. i+3
});

test('the student build uses the SIMD arch its manifest names (xsimd on wasm simd128, or scalar)', async () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(studentDir, 'manifest.json'), 'utf8'));
  const r = await program(`#include <cstdio>
#include "profile.h"
int main() { tt::Environment e = tt::environment(); std::printf("%s %d", e.simd_arch.c_str(), e.simd_width); }
`);
  assert.equal(r.ok, true, JSON.stringify(r.diagnostics));
  assert.equal(r.stdout, manifest.simd === 'wasm' ? 'wasm 4' : 'scalar 1');
});

test('a syntax error is reported at its file, line and column, and nothing runs', async () => {
  const r = await program('int main() {\n    int x = 1\n    return x;\n}\n');
  assert.equal(r.ok, false);
  assert.equal(r.stage, 'compile');
  assert.equal(r.status, null);
  const err = r.diagnostics.find((d) => d.severity === 'error');
  assert.deepEqual([err.file, err.line, err.column], ['student/main.cpp', 2, 14]);
  assert.match(err.message, /expected ';'/);
  assert.equal(r.message, null, 'the diagnostics say it all');
});

test('a value-returning function that falls off its end is a compile error (-Werror=return-type), not a trap', async () => {
  const r = await program('int half(int x) {\n    if (x > 0) return x / 2;\n}\nint main() { return half(4); }\n');
  assert.equal(r.stage, 'compile', JSON.stringify(r.diagnostics));
  const err = r.diagnostics.find((d) => d.severity === 'error');
  assert.deepEqual([err.file, err.line], ['student/main.cpp', 3]);
  assert.match(err.message, /non-void function does not return a value in all control paths \[-Werror,-Wreturn-type\]/);
});

test('a trap after an "uninitialized" warning: the warning is picked as the likely cause', async () => {
  const src = '#include <vector>\nint main() {\n    std::vector<int> v(4);\n    int i;\n    return v.at(i + 100000);\n}\n';
  const r = await program(src);
  assert.equal(r.stage, 'run', JSON.stringify(r.diagnostics));
  assert.equal(r.ok, false);
  assert.equal(r.traps[0]?.kind, 'abort', JSON.stringify(r.traps));
  const causes = likelyCauses(r.diagnostics);
  assert.equal(causes.length, 1, JSON.stringify(r.diagnostics));
  assert.deepEqual([causes[0].file, causes[0].line], ['student/main.cpp', 5]);
  assert.match(causes[0].message, /variable 'i' is uninitialized when used here \[-Wuninitialized\]/);
});

test('a missing definition is a linker diagnostic naming the symbol', async () => {
  const r = await program('int missing_function(int);\nint main() { return missing_function(2); }\n');
  assert.equal(r.ok, false);
  assert.equal(r.stage, 'link');
  assert.ok(r.diagnostics.some((d) => d.file === null && /undefined symbol: missing_function/.test(d.message)),
    JSON.stringify(r.diagnostics));
});

test('an infinite loop is stopped at the time limit', async () => {
  const r = await program('int main() { volatile int x = 0; for (;;) x = x + 1; }\n', { timeLimitMs: 1000 });
  assert.equal(r.stage, 'run');
  assert.equal(r.status, 'timeout');
  assert.equal(r.ok, false);
  assert.match(r.problems.join('\n'), /time limit/);
  assert.ok(r.timings.run >= 1000 && r.timings.run < 3000, `stopped after ${r.timings.run} ms`);
});

test('an out-of-bounds access and an abort are traps named by kind', async () => {
  const r1 = await program('#include <cstdint>\nint main() { volatile int* p = (int*)0xFFFFFFF0u; return *p; }\n');
  assert.equal(r1.stage, 'run', JSON.stringify(r1.diagnostics));
  assert.equal(r1.traps[0]?.kind, 'out-of-bounds', JSON.stringify(r1));
  assert.equal(r1.ok, false);
  assert.match(r1.problems[0], /^memory access out of bounds .* — outside any check$/);
  const r2 = await program('#include <vector>\nint main() { std::vector<int> v(3); return v.at(7); }\n');
  assert.equal(r2.traps[0]?.kind, 'abort', JSON.stringify(r2));
  assert.match(r2.stderr, /out_of_range/);
});

test('a 2 GB allocation fails with an out-of-memory message', async () => {
  const r = await program(`#include <vector>
#include <cstdio>
int main() {
    auto* big = new std::vector<char>(size_t(2000) * 1024 * 1024);
    std::printf("%p\\n", static_cast<void*>(big->data()));
}
`);
  assert.equal(r.stage, 'run', JSON.stringify(r.diagnostics));
  assert.equal(r.traps[0]?.kind, 'out-of-memory', JSON.stringify(r));
  assert.match(r.traps[0].message, /out of memory/);
});

test('an output flood is truncated and says so', async () => {
  const r = await program('#include <cstdio>\nint main() { for (int i = 0; i < 200000; i++) std::printf("line %d\\n", i); }\n',
    { maxOutputBytes: 10000 });
  assert.equal(r.status, 'exited');
  assert.equal(r.stdout.length, 10000);
  assert.ok(r.truncated.stdout > 1000000);
  assert.match(r.problems.join('\n'), /output truncated/);
});

test('a doctest check that traps is named, and the checks after it still run', async () => {
  const r = await session.buildAndRun({
    checks: {
      'tests/engine/test_smoke.cpp': `#include "testing.h"
#include "profile.h"
TEST_CASE("a passes") { CHECK(tt::format_bytes(0) == "0 B"); }
TEST_CASE("b traps") { volatile int* p = (int*)0xFFFFFFF0u; CHECK(*p == 1); }
TEST_CASE("c fails") { CHECK(tt::format_bytes(2048) == "2 KiB"); }
TEST_CASE("d skipped" * TT_NEEDS_EXCEPTIONS) { CHECK(false); }
`,
    },
  });
  assert.equal(r.stage, 'run', JSON.stringify(r.diagnostics));
  const status = Object.fromEntries(r.checks.map((c) => [c.name, c.status]));
  assert.deepEqual(status, { 'a passes': 'passed', 'b traps': 'crashed', 'c fails': 'failed', 'd skipped': 'skipped' });
  assert.deepEqual(r.summary, { passed: 1, failed: 2, crashed: 1, skipped: 1, total: 4 });
  assert.equal(r.ok, false);
  const c = r.checks.find((x) => x.name === 'c fails').failures[0];
  assert.deepEqual([c.line, c.got, c.expected], [5, '2.00 KiB', '2 KiB']);
  assert.equal(r.checks.find((x) => x.name === 'b traps').trap.kind, 'out-of-bounds');
});

// The listener's results come through the tt_results import, not stderr: lines a student file prints (here from a
// static initializer, before main) are output only; a student file that reaches for the harness does not build.
test('results cannot be forged: printed [tt] lines are output, and a file referencing the harness is refused', async () => {
  const reference = fs.readFileSync(path.join(repo, 'engine/core/profile.cpp'), 'utf8');
  const wrong = reference.replace('sizeof text, "%.0f B"', 'sizeof text, "%.0f b"');  // not the hint's "%.0f B"
  assert.notEqual(wrong, reference);
  const fake = '[tt] {"event":"start","name":"01 format_bytes: binary prefixes","file":"x","line":1}\\n'
    + '[tt] {"event":"end","asserts":1,"failed":0,"ok":true}\\n';
  const printing = `${wrong}\nstatic const int fake = [] { std::fputs("${fake.replace(/"/g, '\\"')}", stderr); return 0; }();\n`;
  const r = await session.buildAndRun({ lesson: '01_setup', files: { 'engine/core/profile.cpp': printing } });
  assert.equal(r.stage, 'run', JSON.stringify(r.diagnostics));
  assert.equal(r.checks.find((c) => c.name === '01 format_bytes: binary prefixes').status, 'failed');
  assert.equal(r.ok, false);
  assert.ok(r.stderr.startsWith('[tt] {"event":"start","name":"01 format_bytes'), r.stderr.slice(0, 200));
  for (const [what, code] of [
    ['tt_testing', 'namespace tt_testing { void report(const std::string&); }\nvoid f() { tt_testing::report("{}"); }'],
    ['tt_results', 'extern "C" __attribute__((import_module("tt_results"), import_name("event"))) void ev(const char*, unsigned long);\nvoid f() { ev("{}", 2); }'],
    ['doctest', '#include <doctest/doctest.h>\nTEST_CASE("mine") {}'],
  ]) {
    const refused = await session.buildAndRun({ lesson: '01_setup', files: { 'engine/core/profile.cpp': `${reference}\n${code}\n` } });
    assert.equal(refused.stage, 'compile', what);
    const d = refused.diagnostics.find((x) => x.severity === 'error');
    assert.equal(d.file, 'engine/core/profile.cpp');
    assert.match(d.message, new RegExp(`refers to '${what}'`));
  }
});

test('"your framework": a framework file from the student replaces the reference object', async () => {
  const mine = fs.readFileSync(path.join(repo, 'engine/core/profile.cpp'), 'utf8')
    .replace('"%.2f %s"', '"%.2f %s (mine)"');
  const src = '#include <cstdio>\n#include "profile.h"\nint main() { std::printf("%s\\n", tt::format_bytes(2048).c_str()); }\n';
  assert.equal((await program(src)).stdout, '2.00 KiB\n');
  const r = await program(src, { framework: { 'engine/core/profile.cpp': mine } });
  assert.equal(r.ok, true, JSON.stringify(r.diagnostics));
  assert.equal(r.stdout, '2.00 KiB (mine)\n');
});

test('bad requests are refused with a message that says what was wrong', async () => {
  await assert.rejects(session.buildAndRun({ files: { 'engine/nope.cpp': 'int x;' }, lesson: '01_setup' }),
    /engine\/nope\.cpp is not an engine source/);
  await assert.rejects(session.buildAndRun({ lesson: '99_nope' }), /unknown lesson "99_nope"/);
  await assert.rejects(session.buildAndRun({ files: { 'engine/core/profile.cpp': '' } }), /nothing to run/);
  await assert.rejects(session.buildAndRun({ lesson: '01_setup', program: { 'p.cpp': 'int main() {}' } }), /either program or lesson/);
});

test('a session whose compiler cannot load answers every Run with stage "unavailable" and says why', async () => {
  const broken = createSession({ studentBase: `file://${path.join(repo, 'no-such-student-dir')}/` });
  const r = await broken.buildAndRun({ lesson: '01_setup', files: {} });
  assert.equal(r.stage, 'unavailable');
  assert.equal(r.ok, false);
  assert.match(r.message, /did not load: .*no-such-student-dir/);
  broken.terminate();
});

test('warmUp(lesson, files) compiles the given files (and checks without prebuilt objects) ahead: the next Run only links', async () => {
  const src = `${fs.readFileSync(path.join(repo, 'engine/core/profile.cpp'), 'utf8')}\n// prepared\n`;
  const { prepared } = await session.warmUp('01_setup', { 'engine/core/profile.cpp': src });
  // the check file is compiled only when the build has no prebuilt object for it
  const prebuilt = 'tests/engine/test_01_setup.cpp' in (JSON.parse(fs.readFileSync(path.join(studentDir, 'manifest.json'), 'utf8')).checkObjects ?? {});
  assert.deepEqual(Object.keys(prepared).sort(), prebuilt ? ['engine/core/profile.cpp'] : ['engine/core/profile.cpp', 'tests/engine/test_01_setup.cpp']);
  const r = await session.buildAndRun({ lesson: '01_setup', files: { 'engine/core/profile.cpp': src } });
  assert.equal(r.ok, true, JSON.stringify(r.checks));
  assert.deepEqual(r.timings.cached.sort(), ['engine/core/profile.cpp', 'tests/engine/test_01_setup.cpp']);
  assert.ok(r.summary.passed >= 2 && r.summary.failed === 0, JSON.stringify(r.summary));
});

test('a lesson file still as its starter never compiles: its object is prebuilt with the page\'s flags and runs like a fresh compile', async () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(studentDir, 'manifest.json'), 'utf8'));
  const file = 'engine/core/profile.cpp';
  assert.ok(manifest.starterObjects?.[file], 'the build prebuilds each lesson file\'s starter');
  const starter = fs.readFileSync(path.join(studentDir, 'lessons/01_setup/starter', file), 'utf8');
  const prebuilt = await session.buildAndRun({ lesson: '01_setup', files: { [file]: starter } });
  assert.ok(prebuilt.timings.cached.includes(file), JSON.stringify(prebuilt.timings));
  // one character more is another source: compiled, and the checks end the same way
  const fresh = await session.buildAndRun({ lesson: '01_setup', files: { [file]: `${starter}\n` } });
  assert.ok(!fresh.timings.cached.includes(file), JSON.stringify(fresh.timings));
  const verdicts = (r) => r.checks.map((c) => `${c.name}: ${c.status}`);
  assert.equal(prebuilt.ok, false);
  assert.ok(prebuilt.checks.length > 0 && prebuilt.checks.some((c) => c.status !== 'passed'), JSON.stringify(prebuilt.checks));
  assert.deepEqual(verdicts(prebuilt), verdicts(fresh));
});

test('a Run reads the build\'s fixtures at /fixtures (read-only) and the request\'s runFiles, nothing else', async () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(studentDir, 'manifest.json'), 'utf8'));
  const name = Object.keys(manifest.fixtures.files)[0];
  assert.ok(name, 'the build ships at least one fixture file');
  const bytes = fs.readFileSync(path.join(repo, 'tests/fixtures', name));
  const r = await program(`#include <cstdio>
long size_of(const char* path, unsigned char* head) {
    std::FILE* f = std::fopen(path, "rb");
    if (!f) return -1;
    std::fseek(f, 0, SEEK_END);
    long size = std::ftell(f);
    std::fseek(f, 0, SEEK_SET);
    std::fread(head, 1, 4, f);
    return size;
}
int main(int argc, char** argv) {
    unsigned char head[4] = {0, 0, 0, 0};
    long size = size_of("/fixtures/${name}", head);
    std::printf("%ld %u %u %u %u\\n", size, head[0], head[1], head[2], head[3]);
    unsigned char mine[4] = {0, 0, 0, 0};
    long extra = size_of(argv[1], mine);
    std::printf("%s: %ld %c%c%c\\n", argv[1], extra, mine[0], mine[1], mine[2]);
    std::printf("write: %s\\n", std::fopen("/fixtures/new.txt", "w") ? "allowed" : "refused");
    std::printf("missing: %s\\n", std::fopen("/fixtures/none.txt", "r") ? "found" : "not found");
    std::printf("outside: %s\\n", std::fopen("/etc/passwd", "r") ? "found" : "not found");
}
`, { runFiles: { '/fixtures/mine.txt': new TextEncoder().encode('abc') }, args: ['/fixtures/mine.txt'] });
  assert.equal(r.ok, true, JSON.stringify(r.diagnostics) + r.problems);
  assert.equal(r.stdout, `${bytes.length} ${[...bytes.subarray(0, 4)].join(' ')}\n/fixtures/mine.txt: 3 abc\n` +
    'write: refused\nmissing: not found\noutside: not found\n');
});

test('TT_CHECK_ERROR runs in the build without exceptions: the expected error passes and the case goes on, another message or no error fails', async () => {
  const checks = {
    'tests/engine/test_expect.cpp': `#include "testing.h"
#include "tensor.h"
using tt::Tensor;
TEST_CASE("two expected errors, then more checks") {
    Tensor t({2, 3});
    TT_CHECK_ERROR(t.reshape({4, 2}), "reshape: shape [4, 2] is invalid for a tensor of 6 elements");
    CHECK(t.numel() == 6);
    TT_CHECK_ERROR_CONTAINS(t.at({2, 0}), "out of range");
    CHECK(t.numel() == 7);  // fails: the case really went on after both errors
}
TEST_CASE("the wrong message") {
    Tensor t({2, 3});
    TT_CHECK_ERROR(t.reshape({4, 2}), "reshape: something else");
}
TEST_CASE("no error at all") {
    Tensor t({2, 3});
    TT_CHECK_ERROR(t.reshape({3, 2}), "reshape: shape [3, 2] is invalid");
}
TEST_CASE("after them, a plain case") { CHECK(1 + 1 == 2); }
`,
  };
  const r = await session.buildAndRun({ checks });
  assert.equal(r.stage, 'run', JSON.stringify(r.diagnostics));
  const byName = Object.fromEntries(r.checks.map((c) => [c.name, c]));
  const first = byName['two expected errors, then more checks'];
  assert.equal(first.status, 'failed');
  assert.deepEqual(first.failures.map((f) => f.got), ['6'], 'only the deliberate failure, reported once');
  const wrong = byName['the wrong message'];
  assert.equal(wrong.status, 'failed');
  assert.equal(wrong.failures[0].got, 'error "reshape: shape [4, 2] is invalid for a tensor of 6 elements"');
  assert.equal(wrong.failures[0].expected, 'error "reshape: something else"');
  const none = byName['no error at all'];
  assert.equal(none.status, 'failed');
  assert.match(none.messages.join(), /expected an error "reshape: shape \[3, 2\] is invalid", but t.reshape\({3, 2}\) returned normally/);
  assert.equal(byName['after them, a plain case'].status, 'passed');
  assert.equal(r.summary.skipped, 0);
  assert.deepEqual(r.problems, []);
});

// Legal C++ that takes the compiler far longer than the limit below (shared with tests/web/limits.test.mjs).
const SLOW_TO_COMPILE = fs.readFileSync(path.join(repo, 'tests/web/fixtures/slow-to-compile.cpp'), 'utf8');

test('a compile past the time limit ends the compiler with a message naming the file; the next Run works', async () => {
  const limited = createSession({ compileTimeLimitMs: 5000 });
  try {
    await limited.warmUp();
    const first = await limited.compiler();
    const t0 = performance.now();
    const r = await limited.buildAndRun({ program: { 'student/slow.cpp': `${SLOW_TO_COMPILE}int main() { return slow_total() > 0 ? 0 : 1; }\n` } });
    const ms = performance.now() - t0;
    assert.equal(r.stage, 'compile');
    assert.equal(r.ok, false);
    assert.match(r.message, /^compiling slow\.cpp took longer than 5 s: the compiler was stopped and a fresh one started\./);
    assert.ok(ms >= 5000 && ms < 15000, `the limit ended the compile after ${ms.toFixed(0)} ms`);
    // a fresh compiler replaces the ended one, and builds as before (with room for a loaded machine)
    limited.compileTimeLimitMs = 60_000;
    const next = await limited.buildAndRun({ program: { 'student/main.cpp': '#include <cstdio>\nint main() { std::puts("fresh compiler"); }\n' } });
    assert.notEqual(await limited.compiler(), first);
    assert.equal(next.ok, true, next.message ?? JSON.stringify(next.diagnostics));
    assert.equal(next.stdout, 'fresh compiler\n');
  } finally {
    limited.terminate();
  }
});

test('a Run queued behind a compile ahead that runs past the limit goes to the fresh compiler and passes', async () => {
  const limited = createSession();
  // 5 s for the first compile (the runaway text, compiled ahead), then room for a loaded machine
  let limits = 0;
  Object.defineProperty(limited, 'compileTimeLimitMs', { get: () => (limits++ === 0 ? 5000 : 60_000), set() {} });
  try {
    await limited.warmUp();
    const first = await limited.compiler();
    const ahead = limited.compileAhead({ 'student/slow.cpp': `${SLOW_TO_COMPILE}int main() { return slow_total() > 0 ? 0 : 1; }\n` });
    const run = limited.buildAndRun({ program: { 'student/main.cpp': '#include <cstdio>\nint main() { std::puts("fixed"); }\n' } });
    assert.equal(await ahead, null, 'the compile ahead ran past the limit');
    const r = await run;
    assert.equal(r.ok, true, r.message ?? JSON.stringify(r.diagnostics));
    assert.equal(r.stdout, 'fixed\n');
    assert.notEqual(await limited.compiler(), first);
  } finally {
    limited.terminate();
  }
});
