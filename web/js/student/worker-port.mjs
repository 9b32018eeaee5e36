// One message port for module workers in both worlds: a browser Worker (`self`) or a Node worker_threads worker.
export async function workerPort(handle) {
  if (typeof WorkerGlobalScope !== 'undefined' && typeof self !== 'undefined') {
    self.onmessage = (e) => handle(e.data);
    return { post: (msg, transfer = []) => self.postMessage(msg, transfer) };
  }
  const { parentPort } = await import('node:worker_threads');
  parentPort.on('message', (data) => handle(data));
  return { post: (msg, transfer = []) => parentPort.postMessage(msg, transfer) };
}

// The page's `new Worker(url, {type: 'module'})`, or a worker_threads Worker under Node, with the browser's
// onmessage/onerror/postMessage/terminate surface.
export async function startWorker(url) {
  if (typeof Worker !== 'undefined' && typeof process === 'undefined') {
    return new Worker(url, { type: 'module' });
  }
  const { Worker: NodeWorker } = await import('node:worker_threads');
  const w = new NodeWorker(url);
  const shim = {
    onmessage: null, onerror: null,
    postMessage: (msg, transfer) => w.postMessage(msg, transfer),
    terminate: () => w.terminate(),
  };
  w.on('message', (data) => shim.onmessage?.({ data }));
  w.on('error', (err) => shim.onerror?.({ message: err.message, error: err }));
  return shim;
}

// Reads a file next to `base` (http(s) URL in a page, file: URL under Node) as bytes.
export function makeLoader(base) {
  const baseUrl = new URL(base);
  return async (rel) => {
    const url = new URL(rel, baseUrl);
    if (url.protocol === 'file:') {
      const fs = await import('node:fs/promises');
      const buf = await fs.readFile(url);
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    }
    const res = await fetch(url);
    if (!res.ok) throw new Error(`could not load ${url.href}: HTTP ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  };
}
