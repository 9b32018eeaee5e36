// Loads the reference engine (Embind module) and makes its error boundary safe to cross.
//
// A C++ error reaches JS as an Error thrown from inside wasm (see engine/bindings/guard.h). Unwinding through wasm
// frames that way skips their epilogues, so Emscripten's shadow-stack pointer is left where the failed call had
// moved it: every failed call would leak stack until the module crashes. guardModule wraps every bound function,
// method and constructor to save the stack pointer before the call and restore it when the call throws.

function guardFunction(M, fn) {
  const guarded = function (...args) {
    const sp = M.stackSave();
    try {
      return fn.apply(this, args);
    } catch (error) {
      M.stackRestore(sp);
      throw error;
    }
  };
  // Embind's overload dispatcher looks its table up on whatever now sits at the name (our wrapper): keep
  // overloadTable and argCount on the wrapper so overloaded methods and functions keep dispatching.
  return Object.assign(guarded, fn);
}

function guardClass(M, cls) {
  const proto = cls.prototype;
  for (const name of Object.getOwnPropertyNames(proto)) {
    const d = Object.getOwnPropertyDescriptor(proto, name);
    if (name !== 'constructor' && typeof d.value === 'function') proto[name] = guardFunction(M, d.value);
    else if (d.get || d.set) {
      Object.defineProperty(proto, name, {
        ...d,
        get: d.get && guardFunction(M, d.get),
        set: d.set && guardFunction(M, d.set),
      });
    }
  }
  for (const name of Object.getOwnPropertyNames(cls)) {
    const d = Object.getOwnPropertyDescriptor(cls, name);
    if (typeof d.value === 'function' && d.writable) cls[name] = guardFunction(M, d.value);
  }
  return new Proxy(cls, {
    construct(target, args, newTarget) {
      const sp = M.stackSave();
      try {
        return Reflect.construct(target, args, newTarget);
      } catch (error) {
        M.stackRestore(sp);
        throw error;
      }
    },
  });
}

// Embind marks what it registers: functions carry argCount (overloaded ones an overloadTable), classes inherit
// ClassHandle's isDeleted().
function isBoundClass(value) {
  return typeof value === 'function' && value.prototype && typeof value.prototype.isDeleted === 'function';
}
function isBoundFunction(value) {
  return typeof value === 'function' && (typeof value.argCount === 'number' || value.overloadTable !== undefined);
}

export function guardModule(M) {
  for (const name of Object.keys(M)) {
    const value = M[name];
    if (isBoundClass(value)) M[name] = guardClass(M, value);
    else if (isBoundFunction(value)) M[name] = guardFunction(M, value);
  }
  return M;
}

// Which build to load. The threaded one (tt_web_mt: its kernels share big products between 2 threads, with the
// same results bit for bit) needs SharedArrayBuffer, which browsers give only to cross-origin-isolated pages
// (serve.py sends COOP/COEP); anywhere else the single-threaded build runs.
export const threadedEngine = () => globalThis.crossOriginIsolated === true;

// Relaxed SIMD (f32x4.relaxed_madd: Chrome 114+; node 20 only with --experimental-wasm-relaxed-simd). The probe is
// a module of one function, () -> v128 { f32x4.relaxed_madd(0, 0, 0) } (opcode 0xfd 0x105), which validates only
// where the instruction exists.
const V128_ZERO = [0xfd, 0x0c, ...new Array(16).fill(0)];  // v128.const 0
const RELAXED_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,  // magic, version 1
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b,        // types: () -> v128
  0x03, 0x02, 0x01, 0x00,                          // one function of type 0
  0x0a, 0x3d, 0x01, 0x3b, 0x00, ...V128_ZERO, ...V128_ZERO, ...V128_ZERO, 0xfd, 0x85, 0x02, 0x0b,
]);
// And the int8 dot the relaxed build's int8-u7 layers run on (i32x4.relaxed_dot_i8x16_i7x16_add_s, 0xfd 0x113) must
// give the right sum: () -> i32 { lane 0 of dot(a, b, c) }, a = [-128, 127, -1, 5, ...] (int8), b = [127, 127, 100, 0,
// ...] (7-bit), c = 1000: -16256 + 16129 - 100 + 1000 = 773. node 20's V8 gets it wrong on its baseline tier
// (tests/node/relaxed-simd.test.mjs); a browser that does too is given tt_web.
const v128 = (bytes) => [0xfd, 0x0c, ...bytes];
const DOT_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f,        // types: () -> i32
  0x03, 0x02, 0x01, 0x00,
  0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x00,        // export "f"
  0x0a, 0x40, 0x01, 0x3e, 0x00,
  ...v128([0x80, 0x7f, 0xff, 0x05, ...new Array(12).fill(0)]),
  ...v128([0x7f, 0x7f, 0x64, 0x00, ...new Array(12).fill(0)]),
  ...v128([0xe8, 0x03, 0x00, 0x00, ...new Array(12).fill(0)]),
  0xfd, 0x93, 0x02, 0xfd, 0x1b, 0x00, 0x0b,        // i32x4.relaxed_dot_i8x16_i7x16_add_s; i32x4.extract_lane 0
]);
let relaxed = null;
export const relaxedSimd = () => {
  if (relaxed === null) {
    relaxed = false;
    if (typeof WebAssembly === 'object' && WebAssembly.validate(RELAXED_PROBE) && WebAssembly.validate(DOT_PROBE)) {
      try {
        relaxed = new WebAssembly.Instance(new WebAssembly.Module(DOT_PROBE)).exports.f() === 773;
      } catch {
        relaxed = false;
      }
    }
  }
  return relaxed;
};

// threaded: see threadedEngine. relaxed: ask for tt_web_relaxed, whose sgemm kernels use f32x4.relaxed_madd (faster;
// its int8-u7 layers run on the relaxed int8 dot, with the same integers as tt_web;
// the browser may fuse the multiply-add, so results differ from tt_web's in the last bits and from CPU to CPU). It
// is given only where relaxedSimd() holds and the page is single-threaded (the threaded build is the faster one
// where it runs); elsewhere tt_web. Only for pages that want speed and show no result that must match a recipe,
// a test or a lesson's check bit for bit (docs/architecture.md, "Builds").
export const engineUrl = (threaded = threadedEngine(), { relaxed = false } = {}) => {
  const name = threaded ? 'tt_web_mt' : (relaxed && relaxedSimd() ? 'tt_web_relaxed' : 'tt_web');
  return new URL(`../wasm/${name}.mjs`, import.meta.url).href;
};

// url: where tt_web.mjs is served (default: engineUrl()). Extra options go to the Emscripten factory. The engine
// comes back using every thread its build has.
export async function loadEngine(url = engineUrl(), options = {}) {
  const { default: createEngine } = await import(url);
  const M = guardModule(await createEngine(options));
  M.setNumThreads(M.maxThreads());
  return M;
}
