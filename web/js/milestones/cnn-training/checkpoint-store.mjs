// The run in progress, kept in the browser's IndexedDB so that a reload loses nothing: what was set up (model,
// options, data set), the charts' points so far and the Trainer checkpoint of the last finished epoch (safetensors
// bytes: weights + optimizer state + step + RNG, engine/io/checkpoint.h). One run is kept; a new run replaces it.
const DB = 'tinytorch-cnn-training', STORE = 'runs', KEY = 'current';

function open() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(new Error(`browser storage unavailable: ${request.error?.message}`));
  });
}

async function transact(mode, body) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = body(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = tx.onabort = () => {
        const e = tx.error ?? request.error;
        reject(new Error(e?.name === 'QuotaExceededError'
          ? 'the browser has no room left to store the checkpoint (free some site storage)'
          : `storing the checkpoint failed: ${e?.message}`));
      };
    });
  } finally {
    db.close();
  }
}

// run: {setup, epoch, step, checkpoint: Uint8Array, history, savedAt}
export const saveRun = (run) => transact('readwrite', (store) => store.put(run, KEY));
export const loadRun = () => transact('readonly', (store) => store.get(KEY));
export const forgetRun = () => transact('readwrite', (store) => store.delete(KEY));
