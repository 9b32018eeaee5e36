// Threaded web build only: the landing-pad context that Emscripten 3.1.6's libunwind shares with clang 14's code.
//
// Under -fwasm-exceptions a catch clause that names a type (catch (const tt::Error&)) asks libc++abi's personality
// function whether the thrown exception matches through one struct, __wasm_lpad_context: the landing pad writes its
// index and LSDA there, the personality writes the matching selector back. Emscripten 3.1.6's libunwind defines it
// thread_local (written for LLVM 15, whose landing pads reach it through __tls_base); Debian's clang 14 still
// addresses it as a plain global. With shared memory (-pthread) the two sides then use different bytes: the
// personality reads no LSDA, no typed catch ever matches (catch (...) still does), and every C++ error leaves the
// engine as an opaque WebAssembly.Exception. Without -pthread, thread_local is a plain global and both agree.
//
// So this file defines libunwind's Unwind-wasm.c again, all of it (the linker then never pulls the archive's copy),
// with the plain global clang 14 writes. One context for all threads, as in LLVM 14's own libunwind: two threads
// matching a typed catch at the same instant could swap selectors. The engine's worker threads only use catch
// (...) (prefetch.cpp), which needs no personality. With clang >= 15 the guard below drops this file by itself.
#if defined(__EMSCRIPTEN_PTHREADS__) && defined(__wasm_exception_handling__) && __clang_major__ < 15

#include <unwind.h>

#include <cstdint>

extern "C" {

_Unwind_Reason_Code __gxx_personality_wasm0(int version, _Unwind_Action actions, uint64_t exception_class,
                                            _Unwind_Exception* exception, _Unwind_Context* context);

struct _Unwind_LandingPadContext {
    uintptr_t lpad_index;  // in: which landing pad (catch clause table) of the frame
    uintptr_t lsda;        // in: the frame's language-specific data
    uintptr_t selector;    // out: which catch clause matched
};

_Unwind_LandingPadContext __wasm_lpad_context;

// Called from every landing pad with a typed catch: wasm has no two-phase unwinding, only the cleanup phase runs.
_Unwind_Reason_Code _Unwind_CallPersonality(void* exception_ptr) {
    auto* exception = static_cast<_Unwind_Exception*>(exception_ptr);
    __wasm_lpad_context.selector = 0;
    return __gxx_personality_wasm0(1, _UA_CLEANUP_PHASE, exception->exception_class, exception,
                                   reinterpret_cast<_Unwind_Context*>(&__wasm_lpad_context));
}

_Unwind_Reason_Code _Unwind_RaiseException(_Unwind_Exception* exception) {
    __builtin_wasm_throw(0, exception);  // tag 0: the C++ exception tag
}

void _Unwind_DeleteException(_Unwind_Exception* exception) {
    if (exception->exception_cleanup) exception->exception_cleanup(_URC_FOREIGN_EXCEPTION_CAUGHT, exception);
}

// Signatures as the compiler's <unwind.h> declares them (_Unwind_Word: uintptr_t).
void _Unwind_SetGR(_Unwind_Context* context, int index, _Unwind_Word value) {
    if (index == 1) reinterpret_cast<_Unwind_LandingPadContext*>(context)->selector = value;  // 1: the selector
}

// The personality decrements this and uses it as a 1-based index, hence + 2.
_Unwind_Word _Unwind_GetIP(_Unwind_Context* context) {
    return reinterpret_cast<_Unwind_LandingPadContext*>(context)->lpad_index + 2;
}

void _Unwind_SetIP(_Unwind_Context*, _Unwind_Word) {}

void* _Unwind_GetLanguageSpecificData(_Unwind_Context* context) {
    return reinterpret_cast<void*>(reinterpret_cast<_Unwind_LandingPadContext*>(context)->lsda);
}

_Unwind_Ptr _Unwind_GetRegionStart(_Unwind_Context*) { return 0; }

}  // extern "C"

#endif
