// The compiled-object cache that outlives the page: IndexedDB, from the compiler worker. A reload, or coming back
// tomorrow, recompiles nothing unchanged. Keys are the toolchain's (toolchain.mjs compile): a hash of the file's
// path, source and flags, the compiler's version and the header pack — a new site build with other headers or another
// compiler never reuses an old object.
//
//   const store = await openObjectStore();   // null where IndexedDB is missing (Node) or refused (private mode)
//   await store.get(key) → {object, output} | null;   await store.put(key, {object, output})
//   await store.getValue(key) → value | null;          await store.putValue(key, value)   (small values)
//
// Bounded: past MAX_ENTRIES the least recently written quarter goes. Every failure degrades to "not cached": the
// cache can cost a compile, never a Run.

const DB = 'tinytorch-objects';
const STORE = 'objects';
const MAX_ENTRIES = 400;

const request = (r) => new Promise((resolve, reject) => {
  r.onsuccess = () => resolve(r.result);
  r.onerror = () => reject(r.error);
});

export async function openObjectStore() {
  if (typeof indexedDB === 'undefined') return null;
  let db;
  try {
    const open = indexedDB.open(DB, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(STORE).createIndex('at', 'at');
    db = await request(open);
  } catch {
    return null;
  }
  const tx = (mode) => db.transaction(STORE, mode).objectStore(STORE);
  let writes = 0;
  return {
    async get(key) {
      try {
        const hit = await request(tx('readonly').get(key));
        return hit ? { object: new Uint8Array(hit.object), output: hit.output } : null;
      } catch {
        return null;
      }
    },
    async put(key, { object, output }) {
      try {
        await request(tx('readwrite').put({ object: object.slice().buffer, output, at: Date.now() }, key));
        if (++writes % 20 === 1) await this.trim();
      } catch { /* quota or a closed database: the object is simply not kept */ }
    },
    // Small values beside the objects (the compiler worker's best warm-up time), evicted and failing the same way.
    async getValue(key) {
      try {
        return (await request(tx('readonly').get(key)))?.value ?? null;
      } catch {
        return null;
      }
    },
    async putValue(key, value) {
      try {
        await request(tx('readwrite').put({ value, at: Date.now() }, key));
      } catch { /* not kept: the next visit counts as a first one */ }
    },
    async trim() {
      const store = tx('readwrite');
      const count = await request(store.count());
      if (count <= MAX_ENTRIES) return;
      let drop = count - Math.floor((MAX_ENTRIES * 3) / 4);
      const cursors = store.index('at').openCursor();
      await new Promise((resolve, reject) => {
        cursors.onsuccess = () => {
          const c = cursors.result;
          if (!c || drop-- <= 0) return resolve();
          c.delete();
          c.continue();
        };
        cursors.onerror = () => reject(cursors.error);
      });
    },
  };
}
