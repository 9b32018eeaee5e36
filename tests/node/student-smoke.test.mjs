// The student build under Node with the real @yowasp/clang: a small program compiled against the prebuilt engine
// objects runs and prints what the engine computes; diagnostics point at the right line; runaway programs (infinite
// loop, trap, huge allocation, output flood) end with a message that says what happened.
// Needs the prebuilt artifacts: TT_STUDENT_DIR (default build/student; `node scripts/prebuild-student.mjs`).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { createCompiler } from '../../web/js/student/compiler-client.mjs';
import { runProgram } from '../../web/js/student/runner.mjs';
import { parseResults } from '../../web/js/student/results.mjs';

const repo = path.resolve(import.meta.dirname, '../..');
const studentDir = path.resolve(process.env.TT_STUDENT_DIR ?? path.join(repo, 'build/student'));
let compiler;

before(async () => {
  assert.ok(fs.existsSync(path.join(studentDir, 'manifest.json')),
    `no student-build artifacts in ${studentDir}: run node scripts/prebuild-student.mjs --out ${studentDir}`);
  process.env.TT_STUDENT_DIR = studentDir;
  compiler = createCompiler();
  await compiler.ready;
});
after(() => compiler?.terminate());

const program = (source) => compiler.build({ checks: { 'student/main.cpp': source }, program: true });

test('a program linked with the prebuilt engine objects runs and prints the engine\'s results', async () => {
  const b = await program(`#include <cstdio>
#include "profile.h"
int main() {
    tt::Environment env = tt::environment();
    std::printf("build=%s bytes=%s\\n", env.build.c_str(), tt::format_bytes(1536).c_str());
    return 3;
}
`);
  assert.equal(b.ok, true, b.output);
  assert.ok(b.wasm instanceof Uint8Array && b.wasm.length > 1000);
  const r = await runProgram(b.wasm, { doctest: false });
  assert.equal(r.status, 'exited');
  assert.equal(r.exitCode, 3);
  assert.equal(r.stdout, 'build=student bytes=1.50 KiB\n');
});

// A program's own main() links without doctest's main (which stubs __cxa_thread_atexit): sgemm's scratch buffers
// must not need it, on the by-rows path (M = 1, one image through a Linear) nor the blocked one (M = 16).
test('a program with its own main() reaches both sgemm paths', async () => {
  const b = await program(`#include <cstdio>
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
  assert.equal(b.ok, true, b.output);
  const r = await runProgram(b.wasm, { doctest: false });
  assert.equal(r.stdout, '6 6 | 6 51\n');  // row i sums i+1 .. i+3
});

test('the student build uses the SIMD arch its manifest names (xsimd on wasm simd128, or scalar)', async () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(studentDir, 'manifest.json'), 'utf8'));
  const b = await program(`#include <cstdio>
#include "profile.h"
int main() { tt::Environment e = tt::environment(); std::printf("%s %d", e.simd_arch.c_str(), e.simd_width); }
`);
  assert.equal(b.ok, true, b.output);
  const r = await runProgram(b.wasm, { doctest: false });
  assert.equal(r.stdout, manifest.simd === 'wasm' ? 'wasm 4' : 'scalar 1');
});

test('a syntax error is reported at its file, line and column', async () => {
  const b = await program('int main() {\n    int x = 1\n    return x;\n}\n');
  assert.equal(b.ok, false);
  assert.equal(b.stage, 'compile');
  const err = b.diagnostics.find((d) => d.severity === 'error');
  assert.deepEqual([err.file, err.line, err.column], ['student/main.cpp', 2, 14]);
  assert.match(err.message, /expected ';'/);
});

test('a missing definition is a linker diagnostic naming the symbol', async () => {
  const b = await program('int missing_function(int);\nint main() { return missing_function(2); }\n');
  assert.equal(b.ok, false);
  assert.equal(b.stage, 'link');
  assert.ok(b.diagnostics.some((d) => d.file === null && /undefined symbol: missing_function/.test(d.message)),
    JSON.stringify(b.diagnostics));
});

test('an infinite loop is stopped at the time limit', async () => {
  const b = await program('int main() { volatile int x = 0; for (;;) x = x + 1; }\n');
  assert.equal(b.ok, true, b.output);
  const r = await runProgram(b.wasm, { doctest: false, timeLimitMs: 1000 });
  assert.equal(r.status, 'timeout');
  assert.match(r.message, /time limit/);
  assert.ok(r.timeMs >= 1000 && r.timeMs < 3000, `stopped after ${r.timeMs} ms`);
});

test('an out-of-bounds access and an abort are traps named by kind', async () => {
  const oob = await program('#include <cstdint>\nint main() { volatile int* p = (int*)0xFFFFFFF0u; return *p; }\n');
  assert.equal(oob.ok, true, oob.output);
  const r1 = await runProgram(oob.wasm, { doctest: false });
  assert.equal(r1.traps[0]?.kind, 'out-of-bounds', JSON.stringify(r1));
  const ab = await program('#include <vector>\nint main() { std::vector<int> v(3); return v.at(7); }\n');
  const r2 = await runProgram(ab.wasm, { doctest: false });
  assert.equal(r2.traps[0]?.kind, 'abort', JSON.stringify(r2));
  assert.match(r2.stderr, /out_of_range/);
});

test('a 2 GB allocation fails with an out-of-memory message', async () => {
  const b = await program(`#include <vector>
#include <cstdio>
int main() {
    auto* big = new std::vector<char>(size_t(2000) * 1024 * 1024);
    std::printf("%p\\n", static_cast<void*>(big->data()));
}
`);
  assert.equal(b.ok, true, b.output);
  const r = await runProgram(b.wasm, { doctest: false });
  assert.equal(r.traps[0]?.kind, 'out-of-memory', JSON.stringify(r));
  assert.match(r.traps[0].message, /out of memory/);
});

test('an output flood is truncated and says so', async () => {
  const b = await program('#include <cstdio>\nint main() { for (int i = 0; i < 200000; i++) std::printf("line %d\\n", i); }\n');
  const r = await runProgram(b.wasm, { doctest: false, maxOutputBytes: 10000 });
  assert.equal(r.status, 'exited');
  assert.equal(r.stdout.length, 10000);
  assert.ok(r.truncated.stdout > 1000000);
  assert.match(parseResults(r).problems.join('\n'), /output truncated/);
});

test('a doctest check that traps is named, and the checks after it still run', async () => {
  const b = await compiler.build({
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
  assert.equal(b.ok, true, b.output);
  const res = parseResults(await runProgram(b.wasm));
  const status = Object.fromEntries(res.cases.map((c) => [c.name, c.status]));
  assert.deepEqual(status, { 'a passes': 'passed', 'b traps': 'crashed', 'c fails': 'failed', 'd skipped': 'skipped' });
  assert.equal(res.ok, false);
  const c = res.cases.find((x) => x.name === 'c fails').failures[0];
  assert.deepEqual([c.line, c.got, c.expected], [5, '2.00 KiB', '2 KiB']);
  assert.equal(res.cases.find((x) => x.name === 'b traps').trap.kind, 'out-of-bounds');
});

test('"your framework": a framework file from the student replaces the reference object', async () => {
  const mine = fs.readFileSync(path.join(repo, 'engine/core/profile.cpp'), 'utf8')
    .replace('"%.2f %s"', '"%.2f %s (mine)"');
  const src = '#include <cstdio>\n#include "profile.h"\nint main() { std::printf("%s\\n", tt::format_bytes(2048).c_str()); }\n';
  const reference = await program(src);
  assert.equal((await runProgram(reference.wasm, { doctest: false })).stdout, '2.00 KiB\n');
  const b = await compiler.build({ checks: { 'student/main.cpp': src }, framework: { 'engine/core/profile.cpp': mine }, program: true });
  assert.equal(b.ok, true, b.output);
  assert.equal((await runProgram(b.wasm, { doctest: false })).stdout, '2.00 KiB (mine)\n');
});

test('a file that is not an engine source of the build is refused with a clear message', async () => {
  await assert.rejects(compiler.build({ files: { 'engine/nope.cpp': 'int x;' }, checks: {} }), /engine\/nope\.cpp is not an engine source/);
});

test('prepare() compiles the given files (and checks without prebuilt objects) ahead: the next build only links', async () => {
  const src = `${fs.readFileSync(path.join(repo, 'engine/core/profile.cpp'), 'utf8')}\n// prepared\n`;
  const ms = await compiler.prepare('01_setup', { 'engine/core/profile.cpp': src });
  // the check file is compiled only when the build has no prebuilt object for it
  const prebuilt = 'tests/engine/test_01_setup.cpp' in (JSON.parse(fs.readFileSync(path.join(studentDir, 'manifest.json'), 'utf8')).checkObjects ?? {});
  assert.deepEqual(Object.keys(ms).sort(), prebuilt ? ['engine/core/profile.cpp'] : ['engine/core/profile.cpp', 'tests/engine/test_01_setup.cpp']);
  const b = await compiler.build({ lesson: '01_setup', files: { 'engine/core/profile.cpp': src } });
  assert.equal(b.ok, true, b.output);
  assert.deepEqual(b.timings.cached.sort(), ['engine/core/profile.cpp', 'tests/engine/test_01_setup.cpp']);
  const fixtures = Object.keys(JSON.parse(fs.readFileSync(path.join(studentDir, 'manifest.json'), 'utf8')).fixtures.files);
  assert.deepEqual(Object.keys(b.files).sort(), fixtures.map((f) => `/fixtures/${f}`).sort(), 'the fixtures come with the build');
});

test('programs read the fixtures at /fixtures (read-only), without passing files to runProgram', async () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(studentDir, 'manifest.json'), 'utf8'));
  const name = Object.keys(manifest.fixtures.files)[0];
  assert.ok(name, 'the build ships at least one fixture file');
  const bytes = fs.readFileSync(path.join(repo, 'tests/fixtures', name));
  const b = await program(`#include <cstdio>
int main() {
    std::FILE* f = std::fopen("/fixtures/${name}", "rb");
    if (!f) { std::printf("cannot open\\n"); return 1; }
    std::fseek(f, 0, SEEK_END);
    long size = std::ftell(f);
    std::fseek(f, 0, SEEK_SET);
    unsigned char head[4] = {0, 0, 0, 0};
    std::fread(head, 1, 4, f);
    std::printf("%ld %u %u %u %u\\n", size, head[0], head[1], head[2], head[3]);
    std::printf("write: %s\\n", std::fopen("/fixtures/new.txt", "w") ? "allowed" : "refused");
    std::printf("missing: %s\\n", std::fopen("/fixtures/none.txt", "r") ? "found" : "not found");
    std::printf("outside: %s\\n", std::fopen("/etc/passwd", "r") ? "found" : "not found");
}
`);
  assert.equal(b.ok, true, b.output);
  const r = await runProgram(b.wasm, { doctest: false });
  assert.equal(r.stdout, `${bytes.length} ${[...bytes.subarray(0, 4)].join(' ')}\nwrite: refused\nmissing: not found\noutside: not found\n`);
});
