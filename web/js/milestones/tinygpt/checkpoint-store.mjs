// The TinyGPT page's training checkpoint in the browser's IndexedDB: one record, the latest, holding the engine's
// checkpoint bytes (model + AdamW state + step + batch RNG, with the model's config and vocabulary in its metadata)
// and what a resume needs besides: the training options and the corpus (the packed Austen text by name, a student's
// own text in full). Usable from the page and from workers.
const DB = 'tinytorch-tinygpt', STORE = 'checkpoints', KEY = 'latest';

function open() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function run(mode, fn) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = fn(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

// record: { bytes: Uint8Array, step, options, config, corpus: { kind: 'austen' | 'own', name, text? }, savedAt }
export const saveCheckpoint = (record) => run('readwrite', (s) => s.put(record, KEY));
export const loadCheckpoint = () => run('readonly', (s) => s.get(KEY)).then((r) => r ?? null);
export const clearCheckpoint = () => run('readwrite', (s) => s.delete(KEY));
