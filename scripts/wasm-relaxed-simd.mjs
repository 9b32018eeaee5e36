// Gives a .wasm built with clang 14's prototype relaxed SIMD the opcode numbers of the final relaxed-SIMD spec,
// which browsers ship (Chrome 114+) and node 20 accepts behind --experimental-wasm-relaxed-simd.
//
// Why: Debian's Emscripten 3.1.6 (clang 14, binaryen 108) emits __builtin_wasm_fma_f32x4 as the prototype's
// f32x4.fma, 0xfd 0xaf; the final spec numbers f32x4.relaxed_madd 0xfd 0x105 (same operands, a * b + c), and
// every engine today rejects 0xaf ("invalid simd opcode"). Only the instructions the relaxed build uses are mapped;
// any other prototype relaxed opcode is an error, so a new builtin cannot slip through unmapped. Both encodings
// are 2 bytes of LEB128, so the rewrite is in place: no size or offset in the module changes.
//
// usage: node scripts/wasm-relaxed-simd.mjs FILE.wasm [--min N]   rewrite FILE in place; fails when fewer than N
//                                                                (default 1) instructions were mapped
//        node scripts/wasm-relaxed-simd.mjs --count FILE.wasm    print {"prototype": n, "final": n, "dot": n} and exit
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { walkCode, uleb } from './lib/wasm-code.mjs';

// prototype sub-opcode → [final sub-opcode, name]. Sub-opcodes 0xaf, 0xb0 and 0xb2 are unassigned in final simd128.
// 0xb2 is not a renumbering: clang 14 has no builtin for the int8 dot, so engine/kernels/quant_u7.cpp writes the
// prototype i8x16.laneselect (v128, v128, v128 -> v128, like the dot with its accumulator) where it means the dot,
// and this map turns it into the dot. Nothing else in the engine may use laneselect.
export const RELAXED_MAP = new Map([
  [0xaf, [0x105, 'f32x4.relaxed_madd']],
  [0xb2, [0x113, 'i32x4.relaxed_dot_i8x16_i7x16_add_s']],
]);
// The other clang 14 prototype relaxed instructions (none used): refuse them rather than leave them invalid.
const PROTOTYPE_UNMAPPED = new Map([
  [0xb0, 'f32x4.fms'], [0xcf, 'f64x2.fma'], [0xd0, 'f64x2.fms'],
  [0xb3, 'i16x8.laneselect'], [0xd2, 'i32x4.laneselect'], [0xd3, 'i64x2.laneselect'], [0xa2, 'i8x16.relaxed_swizzle'],
]);

// Counts a module's mapped prototype instructions and their final forms: final = relaxed_madd + dot, dot = the dots.
const FINAL = new Set([...RELAXED_MAP.values()].map(([final]) => final));
export function countRelaxed(bytes) {
  const n = { prototype: 0, final: 0, dot: 0 };
  walkCode(bytes, (prefix, op) => {
    if (prefix !== 0xfd) return;
    if (RELAXED_MAP.has(op)) n.prototype++;
    else if (FINAL.has(op)) n.final++;
    if (op === 0x113) n.dot++;
  });
  return n;
}

// Rewrites bytes in place; returns how many instructions were mapped.
export function rewriteRelaxed(bytes) {
  const sites = [];
  walkCode(bytes, (prefix, op, where, subAt) => {
    if (prefix !== 0xfd) return;
    if (PROTOTYPE_UNMAPPED.has(op)) {
      throw new Error(`prototype relaxed-SIMD instruction ${PROTOTYPE_UNMAPPED.get(op)} (0xfd 0x${op.toString(16)}) ` +
                      `at byte ${where} has no mapping in scripts/wasm-relaxed-simd.mjs`);
    }
    if (RELAXED_MAP.has(op)) sites.push([op, subAt]);
  });
  for (const [op, subAt] of sites) {
    const from = uleb(op), to = uleb(RELAXED_MAP.get(op)[0]);
    if (from.length !== to.length || from.some((b, i) => bytes[subAt + i] !== b))
      throw new Error(`wasm: cannot rewrite the instruction at byte ${subAt - 1} in place`);
    to.forEach((b, i) => { bytes[subAt + i] = b; });
  }
  return sites.length;
}

function main(argv) {
  if (argv[0] === '--count') {
    console.log(JSON.stringify(countRelaxed(fs.readFileSync(argv[1]))));
    return;
  }
  const file = argv[0], minAt = argv.indexOf('--min'), min = minAt >= 0 ? Number(argv[minAt + 1]) : 1;
  if (!file) throw new Error('usage: node scripts/wasm-relaxed-simd.mjs FILE.wasm [--min N] | --count FILE.wasm');
  const bytes = fs.readFileSync(file);
  const already = countRelaxed(bytes).final;
  const n = rewriteRelaxed(bytes);
  if (n + already < min) {
    throw new Error(`${file}: ${n} prototype relaxed instructions found, at least ${min} expected ` +
                    '(was it compiled with -mrelaxed-simd and TT_RELAXED_SIMD?)');
  }
  fs.writeFileSync(file, bytes);
  const { dot } = countRelaxed(bytes);
  console.log(`${file}: ${n} prototype instructions renumbered (f32x4.fma 0xaf → f32x4.relaxed_madd 0x105, ` +
              `i8x16.laneselect 0xb2 → i32x4.relaxed_dot_i8x16_i7x16_add_s 0x113: ${dot} dots)` +
              (already ? `, ${already} already final` : ''));
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
