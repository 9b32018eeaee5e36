// Loads @yowasp/clang once per compiler worker: the module, then its ~105 MB of wasm and resources, with download
// progress reported — and in a browser, without losing the browser's cache of the compiler's machine code.
//
// Why the detour: yowasp counts the bytes by piping each response into a `new Response(stream, response)`. Chromium
// keeps the machine code of a streamed wasm compile (its "code cache") only for a response fetched under a URL; a
// constructed one has none, so every visit compiled the 75 MB compiler again (1.7 s here) and ran its first compiles
// on baseline code. So yowasp is handed a copy of each wasm response to count, carrying a tag in its headers, and
// WebAssembly.compileStreaming, given the counted copy, compiles the tagged original instead.
const TAG = 'x-tt-original';

export async function loadClang(clangUrl, fetchProgress) {
  const undo = typeof WorkerGlobalScope !== 'undefined' && WebAssembly.compileStreaming ? compileOriginals() : () => {};
  // (under Node yowasp reads file: URLs itself, and there is no code cache to keep)
  try {
    // yowasp takes `globalThis.fetch` when its module is evaluated, so the shim must be in place before the import
    const clang = await import(clangUrl);
    await clang.runLLVM(null, {}, { fetchProgress });  // download + compile the compiler (once)
    return clang;
  } finally {
    undo();
  }
}

// Installs the fetch and WebAssembly.compileStreaming shims described above; → undo(), which restores both (a fetch
// captured meanwhile passes every response through from then on). Exported for tests/node/clang-loader.test.mjs.
export function compileOriginals() {
  const { fetch } = globalThis;
  const { compileStreaming } = WebAssembly;
  const originals = new Map();  // tag → the fetched response
  let next = 0;
  let active = true;
  globalThis.fetch = async (input, init) => {
    const response = await fetch(input, init);
    const wasm = (response.headers.get('content-type') ?? '').startsWith('application/wasm');
    if (!active || !wasm || !response.ok) return response;
    const tag = String(next++);
    const copy = response.clone();
    originals.set(tag, response);
    const headers = new Headers(copy.headers);
    headers.set(TAG, tag);
    return new Response(copy.body, { status: copy.status, statusText: copy.statusText, headers });
  };
  WebAssembly.compileStreaming = async (source) => {
    const counted = await source;
    const tag = counted.headers?.get?.(TAG);
    const original = tag == null ? null : originals.get(tag);
    if (!original) return compileStreaming(counted);
    originals.delete(tag);
    drain(counted);  // reading the copy is what moves yowasp's progress
    return compileStreaming(original);
  };
  return () => {
    active = false;  // yowasp keeps the shim as its fetch: from now on it passes responses through
    globalThis.fetch = fetch;
    WebAssembly.compileStreaming = compileStreaming;
    for (const response of originals.values()) response.body?.cancel().catch(() => {});
    originals.clear();
  };
}

async function drain(response) {
  try {
    const reader = response.body.getReader();
    while (!(await reader.read()).done);
  } catch {
    // the original's compile reports any network error
  }
}
