// Walks the instructions of a .wasm module's code section, so that one instruction can be found by its opcode and
// never by a byte pattern that might be an immediate (an i32.const, a memarg offset or a v128.const can hold any
// bytes). Used by scripts/wasm-relaxed-simd.mjs. It knows the instructions Emscripten 3.1.6 emits (MVP, sign
// extension, non-trapping float-to-int, bulk memory, reference types, wasm exceptions, SIMD, atomics) and throws,
// naming the opcode and its offset, on anything else: an instruction it cannot size would desynchronise the walk.

export class WasmReader {
  constructor(bytes, at = 0) {
    this.bytes = bytes;
    this.at = at;
  }

  byte() {
    if (this.at >= this.bytes.length) throw new Error(`wasm: unexpected end of module at byte ${this.at}`);
    return this.bytes[this.at++];
  }

  // An unsigned or signed LEB128 number; only its length matters to the walk, its value for indices and sizes.
  leb() {
    let result = 0, shift = 0, b;
    do {
      b = this.byte();
      if (shift < 32) result += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    return result;
  }

  skip(n) {
    this.at += n;
  }
}

// Sections: [{ id, start, end }] with start/end the section's payload.
export function sections(bytes) {
  const magic = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  if (bytes.length < 8 || magic.some((b, i) => bytes[i] !== b)) throw new Error('wasm: not a version-1 wasm module');
  const r = new WasmReader(bytes, 8), out = [];
  while (r.at < bytes.length) {
    const id = r.byte(), size = r.leb();
    out.push({ id, start: r.at, end: r.at + size });
    r.skip(size);
  }
  return out;
}

function memarg(r) {
  r.leb();  // alignment
  r.leb();  // offset
}

// 0xfd-prefixed (SIMD) instructions with immediates, by their sub-opcode.
function simdImmediates(r, op, where) {
  if (op <= 11 || op === 92 || op === 93) memarg(r);  // v128 loads and store, load32/64_zero
  else if (op === 12 || op === 13) r.skip(16);        // v128.const, i8x16.shuffle
  else if (op >= 21 && op <= 34) r.skip(1);           // extract_lane / replace_lane
  else if (op >= 84 && op <= 91) {                    // load/store lane
    memarg(r);
    r.skip(1);
  } else if (op > 0x113) throw new Error(`wasm: unknown SIMD instruction 0xfd ${op.toString(16)} at byte ${where}`);
}

// 0xfc-prefixed (saturating truncation, bulk memory, tables).
function miscImmediates(r, op, where) {
  if (op <= 7) return;
  if (op === 8) { r.leb(); r.byte(); }                      // memory.init data 0
  else if (op === 9 || op === 13 || (op >= 15 && op <= 17)) r.leb();
  else if (op === 10) { r.byte(); r.byte(); }               // memory.copy 0 0
  else if (op === 11) r.byte();                             // memory.fill 0
  else if (op === 12 || op === 14) { r.leb(); r.leb(); }    // table.init, table.copy
  else throw new Error(`wasm: unknown instruction 0xfc ${op} at byte ${where}`);
}

function blockType(r) {
  const b = r.bytes[r.at];
  if (b === 0x40 || (b >= 0x6f && b <= 0x7f)) r.skip(1);  // empty or one value type
  else r.leb();                                          // a type index (s33)
}

// Calls visit(prefix, opcode, offsetOfInstruction, offsetOfSubOpcode) for every instruction of every function body.
// prefix is 0 for one-byte opcodes.
export function walkCode(bytes, visit) {
  const code = sections(bytes).find((s) => s.id === 10);
  if (!code) return;
  const r = new WasmReader(bytes, code.start);
  const count = r.leb();
  for (let f = 0; f < count; ++f) {
    const size = r.leb(), end = r.at + size;
    const groups = r.leb();
    for (let g = 0; g < groups; ++g) {
      r.leb();
      r.byte();
    }
    while (r.at < end) {
      const where = r.at, op = r.byte();
      if (op === 0xfd || op === 0xfc || op === 0xfe) {
        const subAt = r.at, sub = r.leb();
        visit(op, sub, where, subAt);
        if (op === 0xfd) simdImmediates(r, sub, where);
        else if (op === 0xfc) miscImmediates(r, sub, where);
        else if (sub === 0x03) r.byte();  // atomic.fence 0
        else memarg(r);                  // every other atomic instruction
        continue;
      }
      visit(0, op, where, where);
      if (op === 0x02 || op === 0x03 || op === 0x04 || op === 0x06) blockType(r);  // block loop if try
      else if (op === 0x0c || op === 0x0d || op === 0x10 || op === 0x12) r.leb();    // br br_if call return_call
      else if (op === 0x07 || op === 0x08 || op === 0x09 || op === 0x18) r.leb();   // catch throw rethrow delegate
      else if (op === 0x0e) {                                                        // br_table
        const n = r.leb();
        for (let i = 0; i <= n; ++i) r.leb();
      } else if (op === 0x11 || op === 0x13) { r.leb(); r.leb(); }                  // call_indirect
      else if (op === 0x1c) {                                                        // select t*
        const n = r.leb();
        r.skip(n);
      } else if (op >= 0x20 && op <= 0x26) r.leb();                                  // locals, globals, tables
      else if (op >= 0x28 && op <= 0x3e) memarg(r);                                 // loads and stores
      else if (op === 0x3f || op === 0x40) r.byte();                                 // memory.size/grow 0
      else if (op === 0x41 || op === 0x42) r.leb();                                  // i32/i64.const
      else if (op === 0x43) r.skip(4);
      else if (op === 0x44) r.skip(8);
      else if (op === 0xd0) r.byte();                                                // ref.null t
      else if (op === 0xd2) r.leb();                                                 // ref.func
      else if (op <= 0x01 || op === 0x05 || op === 0x0b || op === 0x0f || op === 0x19 || op === 0x1a ||
               op === 0x1b || (op >= 0x45 && op <= 0xc4) || op === 0xd1) {
        // no immediates
      } else throw new Error(`wasm: unknown instruction 0x${op.toString(16)} at byte ${where}`);
    }
    if (r.at !== end) throw new Error(`wasm: function ${f} ends at byte ${r.at}, its size says ${end}`);
  }
}

// The bytes of an unsigned LEB128 number.
export function uleb(value) {
  const out = [];
  do {
    let b = value & 0x7f;
    value >>>= 7;
    if (value) b |= 0x80;
    out.push(b);
  } while (value);
  return out;
}
