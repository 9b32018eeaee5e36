// The relaxed-SIMD web build (tt_web_relaxed: sgemm's kernels on f32x4.relaxed_madd, the int8 GEMM on 7-bit inputs on
// i32x4.relaxed_dot_i8x16_i7x16_add_s, issue 16) and the post-link opcode rewrite that makes clang 14's output
// loadable (scripts/wasm-relaxed-simd.mjs).
//
// What must hold: the rewrite touches exactly the prototype instruction and never an immediate that happens to hold
// the same bytes; the rewritten instruction computes a * b + c; tt_web_relaxed's products are within the float32
// error bound of the exact (float64) product and, on the packed path, equal to a float32 emulation of the kernel with
// a fused (or, on a CPU without FMA, unfused) multiply-add; tt_web keeps its simd128 bits: it equals the unfused
// emulation of the same kernel bit for bit and contains no relaxed instruction.
import v8 from 'node:v8';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import assert from 'node:assert/strict';
import { countRelaxed, rewriteRelaxed } from '../../scripts/wasm-relaxed-simd.mjs';
import { relaxedSimd } from '../../web/js/engine.mjs';
import { engineDir, loadEngine } from './load-engine.mjs';

// node 20 has relaxed SIMD behind a flag (Chromium 114+ ships it); it must be set before any module is compiled.
v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
// node 20's V8 (11.3) computes i32x4.relaxed_dot_i8x16_i7x16_add_s wrongly on its baseline tier, Liftoff (measured:
// 3,072 of 8,192 sums of a 4 x 2 tile kernel wrong at the first call, all right once optimised; Chromium 156 is right
// on both tiers): the engines here are compiled by the optimising tier only.
v8.setFlagsFromString('--no-liftoff');

// ---- a hand-made module: the prototype instruction among immediates that hold its bytes ----------------------------
const f32 = (...v) => [...new Uint8Array(new Float32Array(v).buffer)];
const v128 = (bytes) => [0xfd, 0x0c, ...bytes];
const leb = (n) => { const out = []; do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; out.push(b); } while (n); return out; };
const section = (id, bytes) => [id, ...leb(bytes.length), ...bytes];
const PROTO = [0xfd, 0xaf, 0x01];
// lane 0: 3 * 7 + 100 (a * b + c = 121; a + b * c would be 703). lane 1: (1 + 2^-12)^2 - (1 + 2^-11) = 2^-24 exactly
// when fused; unfused, the product rounds (a tie, to even) to 1 + 2^-11 and the result is 0.
const A = f32(3, 1 + 2 ** -12, 2, -1), B = f32(7, 1 + 2 ** -12, 0.5, 8), C = f32(100, -(1 + 2 ** -11), 0.25, 0);
function probeModule() {
  const body = [0x00,                                  // no locals
    0x41, ...PROTO, 0x1a,                              // i32.const 22525 (its LEB bytes are fd af 01); drop
    ...v128([...PROTO, ...PROTO, ...PROTO, ...PROTO, 0, 0, 0, 0]), 0x1a,  // v128.const holding them; drop
    0x41, 0x00, ...v128(A), ...v128(B), ...v128(C), ...PROTO,  // address 0; a * b + c
    0xfd, 0x0b, 0x04, 0x00,                            // v128.store align=16 offset=0
    0x0b];
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [0x01, 0x60, 0x00, 0x00]),           // () -> ()
    ...section(3, [0x01, 0x00]),
    ...section(5, [0x01, 0x00, 0x01]),                 // one memory, 1 page
    ...section(7, [0x02, 0x01, 0x66, 0x00, 0x00, 0x01, 0x6d, 0x02, 0x00]),  // export "f" (func 0), "m" (memory 0)
    ...section(10, [0x01, ...leb(body.length), ...body])]);
}
const occurrences = (bytes, pattern) => {
  let n = 0;
  for (let i = 0; i + pattern.length <= bytes.length; ++i) if (pattern.every((b, j) => bytes[i + j] === b)) ++n;
  return n;
};

test('the rewrite maps the prototype f32x4.fma to the final f32x4.relaxed_madd, and nothing else', () => {
  const bytes = probeModule();
  assert.equal(occurrences(bytes, PROTO), 6, 'the probe holds the pattern 6 times, once as an instruction');
  assert.throws(() => new WebAssembly.Module(bytes), /invalid simd opcode/, 'the prototype opcode is rejected');
  assert.deepEqual(countRelaxed(bytes), { prototype: 1, final: 0, dot: 0 });
  assert.equal(rewriteRelaxed(bytes), 1);
  assert.equal(occurrences(bytes, PROTO), 5, 'the immediates are untouched');
  assert.equal(occurrences(bytes, [0xfd, 0x85, 0x02]), 1);
  assert.deepEqual(countRelaxed(bytes), { prototype: 0, final: 1, dot: 0 });
  assert.equal(relaxedSimd(), true, 'node 20 with --experimental-wasm-relaxed-simd has relaxed SIMD');
  assert.equal(WebAssembly.validate(bytes), true);
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes));
  exports.f();
  const out = new Float32Array(exports.m.buffer, 0, 4);
  assert.equal(out[0], 121, 'a * b + c, in this operand order');
  assert.ok(out[1] === 2 ** -24 || out[1] === 0, `fused (2^-24) or unfused (0), got ${out[1]}`);
  assert.equal(out[2], 1.25);
  assert.equal(out[3], -8);
  assert.equal(rewriteRelaxed(bytes), 0, 'a second run finds nothing to rewrite');
});

// The int8 dot: clang 14 has no builtin for it, so quant_u7.cpp writes the prototype i8x16.laneselect (0xfd 0xb2 0x01)
// and the rewrite makes it i32x4.relaxed_dot_i8x16_i7x16_add_s (0xfd 0x113: 0x93 0x02). Lane j of the result is
// c[j] + sum_t a[4j + t] * b[4j + t], a signed 8-bit, b 7-bit: a * b as x86's vpdpbusd / pmaddubsw reads them (b
// unsigned) and as Arm's sdot does (b signed) agree only for b in 0..127, so the operand order matters: swapped, lane
// 0 below would read a's -128 as a 7-bit value.
const i8 = (...v) => [...new Uint8Array(new Int8Array(v).buffer)];
const i32 = (...v) => [...new Uint8Array(new Int32Array(v).buffer)];
const DOT_A = i8(-128, 127, -1, 5, 1, 2, 3, 4, -128, -128, -128, -128, 0, 0, 0, 7);
const DOT_B = i8(127, 127, 100, 0, 1, 1, 1, 1, 127, 127, 127, 127, 9, 9, 9, 3);
const DOT_C = i32(1000, -5, 2 ** 30, 0);
const DOT_EXPECTED = [1000 + (-128 * 127 + 127 * 127 - 100), -5 + 10, 2 ** 30 - 4 * 128 * 127, 21];
function dotModule() {
  const body = [0x00, 0x41, 0x00, ...v128(DOT_A), ...v128(DOT_B), ...v128(DOT_C), 0xfd, 0xb2, 0x01,
    0xfd, 0x0b, 0x04, 0x00, 0x0b];
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...section(1, [0x01, 0x60, 0x00, 0x00]),
    ...section(3, [0x01, 0x00]), ...section(5, [0x01, 0x00, 0x01]),
    ...section(7, [0x02, 0x01, 0x66, 0x00, 0x00, 0x01, 0x6d, 0x02, 0x00]),
    ...section(10, [0x01, ...leb(body.length), ...body])]);
}

test('the rewrite turns the prototype i8x16.laneselect into the int8 dot, with its operands in this order', () => {
  const bytes = dotModule();
  assert.deepEqual(countRelaxed(bytes), { prototype: 1, final: 0, dot: 0 });
  assert.equal(rewriteRelaxed(bytes), 1);
  assert.deepEqual(countRelaxed(bytes), { prototype: 0, final: 1, dot: 1 });
  assert.equal(occurrences(bytes, [0xfd, 0x93, 0x02]), 1);
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes));
  exports.f();
  assert.deepEqual([...new Int32Array(exports.m.buffer, 0, 4)], DOT_EXPECTED);
});

test('the rewrite refuses a prototype relaxed instruction it has no mapping for, and a truncated module', () => {
  const bytes = probeModule();
  const at = bytes.lastIndexOf(0xaf);  // the instruction is the last occurrence
  bytes[at] = 0xb0;                    // clang 14's f32x4.fms
  assert.throws(() => rewriteRelaxed(bytes), /f32x4\.fms \(0xfd 0xb0\) at byte \d+ has no mapping/);
  assert.throws(() => rewriteRelaxed(probeModule().subarray(0, 60)), /unexpected end of module|ends at byte/);
  assert.throws(() => countRelaxed(new Uint8Array([1, 2, 3])), /not a version-1 wasm module/);
});

// ---- the engines ----------------------------------------------------------------------------------------------------
const wasm = (name) => fs.readFileSync(path.join(engineDir, `${name}.wasm`));

test('tt_web_relaxed holds only final relaxed_madd instructions; tt_web none at all', () => {
  const relaxed = countRelaxed(wasm('tt_web_relaxed')), plain = countRelaxed(wasm('tt_web'));
  assert.equal(relaxed.prototype, 0);
  assert.ok(relaxed.final >= 3, `the three kernels' multiply-adds, found ${relaxed.final}`);
  assert.ok(relaxed.dot >= 10, `the int8 tiles' dots, found ${relaxed.dot}`);
  assert.deepEqual(plain, { prototype: 0, final: 0, dot: 0 });
});

// sum_k (x[m, k] - zero) * w[n, k], exactly (every partial sum is below 2^53).
function qgemmExact(m, n, k, x, zero, w) {
  const out = new Int32Array(m * n);
  for (let i = 0; i < m; ++i)
    for (let j = 0; j < n; ++j) {
      let s = 0;
      for (let t = 0; t < k; ++t) s += (x[i * k + t] - zero) * w[j * k + t];
      out[i * n + j] = s;
    }
  return out;
}

test('qgemm_packed_u7: tt_web_relaxed (the int8 dot) and tt_web (widened) give the exact sums on odd sizes', async () => {
  const relaxed = await loadEngine({ relaxed: true }), plain = await loadEngine();
  assert.equal(relaxed.qgemmU7Relaxed(), true);
  assert.equal(plain.qgemmU7Relaxed(), false);
  // [m, n, k]: one row (batch 1: 1 x 4 tiles) with a weight-row tail; 4 x 2 tiles with row and column tails; k not a
  // multiple of 16 (padding) and k = 0; the MLP's first layer at batch 5
  const shapes = [[1, 7, 33], [1, 1, 1], [5, 3, 17], [9, 5, 64], [4, 2, 0], [3, 128, 784], [6, 10, 129]];
  let seed = 7;
  const next = () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed >>> 8; };
  for (const [m, n, k] of shapes)
    for (const zero of [0, 37, 127]) {
      // the extremes of both operands: x 0 and 127, w -128 and 127
      const x = Int32Array.from({ length: m * k }, (_, i) => (i % 11 === 0 ? 127 : i % 13 === 0 ? 0 : next() % 128));
      const w = Int32Array.from({ length: n * k }, (_, i) => (i % 7 === 0 ? -128 : i % 5 === 0 ? 127 : (next() % 256) - 128));
      const exact = qgemmExact(m, n, k, x, zero, w);
      const what = `[${m}, ${n}, ${k}] zero ${zero}`;
      assert.deepEqual(relaxed.qgemmU7(m, n, k, x, zero, w), exact, `tt_web_relaxed ${what}`);
      assert.deepEqual(plain.qgemmU7(m, n, k, x, zero, w), exact, `tt_web ${what}`);
    }
  assert.throws(() => relaxed.qgemmU7(1, 1, 2, [128, 0], 0, [1, 1]), /x\[0, 0\] = 128 is not 7-bit/);
  assert.throws(() => relaxed.qgemmU7(1, 1, 1, [1], 128, [1]), /zero = 128 must be in \[0, 127\]/);
});

function random(n, seed) {  // mulberry32, uniform in [-1, 1)
  const out = new Float32Array(n);
  for (let i = 0; i < n; ++i) {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 2 ** 31 - 1;
  }
  return out;
}

// fl(a * b + c) in float32, one rounding. a * b is exact in a double; p + c = s + e exactly (TwoSum). s rounds to
// the right float unless it sits exactly halfway between two floats, where the sign of e decides.
const bits = new Float32Array(1), bitsI = new Int32Array(bits.buffer);
function nextFloat(x, up) {
  if (x === 0) return up ? 2 ** -149 : -(2 ** -149);
  bits[0] = x;
  bitsI[0] += (x > 0) === up ? 1 : -1;
  return bits[0];
}
function fmaf(a, b, c) {
  const p = a * b, s = p + c, bb = s - p, e = (p - (s - bb)) + (c - bb);
  const r = Math.fround(s);
  if (r === s || e === 0) return r;
  const other = nextFloat(r, s > r);
  if ((r + other) / 2 !== s) return r;
  return (e > 0) === (other > r) ? other : r;
}
test('fmaf, the oracle of the fused kernel: exact products, ties broken by the low part', () => {
  const x = 1 + 2 ** -12;
  assert.equal(fmaf(x, x, -(1 + 2 ** -11)), 2 ** -24);
  assert.equal(Math.fround(Math.fround(x * x) - (1 + 2 ** -11)), 0, 'unfused: the product rounds first');
  // The double-rounding trap: a * b = 2^30 + 64 - 2^-17 (exact), + (2^-17 + 2^-40) is 2^30 + 64 + 2^-40, which a
  // double rounds to 2^30 + 64, the tie between the floats 2^30 and 2^30 + 128 (to even: 2^30); the exact sum is above
  const a = 1 + 2 ** -23, b = 2 ** 30 - 64;
  assert.equal(Math.fround(a * b + (2 ** -17 + 2 ** -40)), 2 ** 30, 'rounding the double sum goes wrong');
  assert.equal(fmaf(a, b, 2 ** -17 + 2 ** -40), 2 ** 30 + 128);
  assert.equal(fmaf(a, b, 2 ** -17 - 2 ** -41), 2 ** 30, 'just below the tie: down');
  assert.equal(fmaf(3, 7, 100), 121);
});

// The packed kernel's order for C[i][j] (gemm.cpp: K cut into equal blocks of <= 256; in each block one accumulator
// from 0, k ascending; later blocks added onto C with an unfused add).
function emulate(a, b, M, N, K, fused) {
  const blocks = Math.ceil(K / 256), kc = Math.ceil(K / blocks), c = new Float32Array(M * N);
  for (let i = 0; i < M; ++i)
    for (let j = 0; j < N; ++j) {
      let out = 0;
      for (let k0 = 0; k0 < K; k0 += kc) {
        let acc = 0;
        for (let k = k0; k < Math.min(K, k0 + kc); ++k) {
          const x = a[i * K + k], y = b[k * N + j];
          acc = fused ? fmaf(x, y, acc) : Math.fround(acc + Math.fround(x * y));
        }
        out = k0 === 0 ? acc : Math.fround(out + acc);
      }
      c[i * N + j] = out;
    }
  return c;
}

function product(M, a, b, [m, n, k]) {
  const ta = new M.Tensor([m, k], a), tb = new M.Tensor([k, n], b);
  const tc = ta.matmul(tb);
  try {
    return tc.toArray();
  } finally {
    ta.delete(); tb.delete(); tc.delete();
  }
}

// |c - exact| <= gamma_K * sum_k |a_ik b_kj|, gamma_K = K u / (1 - K u), u = 2^-24: the standard bound for any order
// of K float32 multiply-adds, fused or not.
function assertWithinBound(c, a, b, [m, n, k], what) {
  const u = 2 ** -24, gamma = (k * u) / (1 - k * u);
  let worst = 0;
  for (let i = 0; i < m; ++i)
    for (let j = 0; j < n; ++j) {
      let exact = 0, size = 0;
      for (let kk = 0; kk < k; ++kk) {
        exact += a[i * k + kk] * b[kk * n + j];
        size += Math.abs(a[i * k + kk] * b[kk * n + j]);
      }
      const err = Math.abs(c[i * n + j] - exact), bound = gamma * size;
      assert.ok(err <= bound, `${what} C[${i}][${j}] = ${c[i * n + j]}, exact ${exact}: error ${err} > ${bound}`);
      worst = Math.max(worst, err / bound);
    }
  return worst;
}

const firstDifference = (x, y) => x.findIndex((v, i) => !Object.is(v, y[i]));

test('tt_web_relaxed: sgemm within the float32 bound on odd sizes, fused kernel bits; tt_web: its simd128 bits', async () => {
  const relaxed = await loadEngine({ relaxed: true }), plain = await loadEngine();
  // [M, N, K]: packed path (M >= 4, N >= 16), with edge tiles, and K > 256 (two K blocks); one row at a time (M < 4)
  const packed = [[5, 19, 7], [37, 67, 129], [13, 33, 300]], rows = [[3, 50, 33], [1, 17, 260]];
  let fusedSomewhere = false;
  for (const [shape, exact] of [...packed.map((s) => [s, true]), ...rows.map((s) => [s, false])]) {
    const [m, n, k] = shape, a = random(m * k, m * 1000 + k), b = random(k * n, n * 1000 + k);
    const cr = product(relaxed, a, b, shape), cp = product(plain, a, b, shape);
    const what = `[${m}, ${k}] @ [${k}, ${n}]`;
    assertWithinBound(cr, a, b, shape, `relaxed ${what}`);
    assertWithinBound(cp, a, b, shape, `simd128 ${what}`);
    if (!exact) continue;
    const unfused = emulate(a, b, m, n, k, false), fused = emulate(a, b, m, n, k, true);
    assert.equal(firstDifference(cp, unfused), -1, `tt_web ${what}: the unfused kernel's bits`);
    const isFused = firstDifference(cr, fused) === -1;
    assert.ok(isFused || firstDifference(cr, unfused) === -1,
              `tt_web_relaxed ${what}: neither the fused nor the unfused kernel's bits (first difference at ` +
              `${firstDifference(cr, fused)})`);
    if (isFused && firstDifference(fused, unfused) !== -1) fusedSomewhere = true;
  }
  // This machine's V8 fuses relaxed_madd where the CPU has FMA (x64 FMA3, arm64): the two builds then differ.
  const hasFma = /\bfma\b/.test(fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8') : '');
  if (hasFma) assert.ok(fusedSomewhere, 'a CPU with FMA: relaxed_madd fused, so tt_web_relaxed differs from tt_web');
});
