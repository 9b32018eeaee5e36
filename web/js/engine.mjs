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
export const engineUrl = (threaded = threadedEngine()) =>
  new URL(`../wasm/${threaded ? 'tt_web_mt' : 'tt_web'}.mjs`, import.meta.url).href;

// url: where tt_web.mjs is served (default: engineUrl()). Extra options go to the Emscripten factory. The engine
// comes back using every thread its build has.
export async function loadEngine(url = engineUrl(), options = {}) {
  const { default: createEngine } = await import(url);
  const M = guardModule(await createEngine(options));
  M.setNumThreads(M.maxThreads());
  return M;
}
