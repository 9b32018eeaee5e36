// One record kept in the browser's IndexedDB under a fixed key: what a milestone page needs so that a reload loses
// nothing (the training run of milestone 2, the TinyGPT checkpoint of milestone 3). Usable from pages and workers.
// A write is one transaction: a refused one (storage full) leaves the previous record as it was.
// recordStore(db, store, key, what) → {save(record), load() → record | null, forget()}; `what` names the record in
// error messages ("the checkpoint").
export function recordStore(db, store, key, what) {
  const open = () => new Promise((resolve, reject) => {
    const request = indexedDB.open(db, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(store);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(new Error(`browser storage unavailable: ${request.error?.message}`));
  });
  const transact = async (mode, body) => {
    const connection = await open();
    try {
      return await new Promise((resolve, reject) => {
        const tx = connection.transaction(store, mode);
        const request = body(tx.objectStore(store));
        tx.oncomplete = () => resolve(request.result);
        tx.onerror = tx.onabort = () => {
          const e = tx.error ?? request.error;
          reject(new Error(e?.name === 'QuotaExceededError'
            ? `the browser has no room left to store ${what} (free some site storage)`
            : `storing ${what} failed: ${e?.message}`));
        };
      });
    } finally {
      connection.close();
    }
  };
  return {
    save: (record) => transact('readwrite', (s) => s.put(record, key)),
    load: () => transact('readonly', (s) => s.get(key)).then((r) => r ?? null),
    forget: () => transact('readwrite', (s) => s.delete(key)),
  };
}
