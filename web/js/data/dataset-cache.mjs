// Decoded data sets kept in the browser's IndexedDB, so a CIFAR-10 archive is picked (and decoded) once and an
// image folder survives a reload. Values are what the loaders return (Datasets, or {train, test, sha256}): typed
// arrays are stored as they are (structured clone), nothing is re-encoded.
//
//   await cacheDataset('cifar10', {train, test, sha256});   // -> {key, bytes, sha256, savedAt}
//   const hit = await cachedDataset('cifar10');             // the value, or null
//   await forgetDataset('cifar10');                         // -> true if it was there
//   await datasetCacheReport();                             // -> {entries: [{key, bytes, sha256, savedAt}], bytes, usage, quota}
//
// A value and its size record are written in one transaction: if the browser refuses (quota), neither is kept,
// and the error says how much was needed and how much the browser allows.

const DB_NAME = 'tt-datasets';
const VALUES = 'datasets';
const META = 'meta';

export class DatasetCacheError extends Error {
  constructor(message, cause) {
    super(message, { cause });
    this.name = 'DatasetCacheError';
  }
}

const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

let opened;
function db() {
  opened ??= new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => {
      req.result.createObjectStore(VALUES);
      req.result.createObjectStore(META);
    };
    req.onsuccess = () => {
      req.result.onversionchange = () => { req.result.close(); opened = undefined; };
      resolve(req.result);
    };
    req.onerror = () => { opened = undefined; reject(new DatasetCacheError(`browser storage is not available: ${req.error?.message}`, req.error)); };
    req.onblocked = () => { opened = undefined; reject(new DatasetCacheError('browser storage is held by another tab: close it and try again')); };
  });
  return opened;
}

function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error ?? new Error('the transaction was aborted'));
    tx.onerror = (event) => event.preventDefault();  // reported once, by onabort
  });
}

function checkKey(key) {
  if (typeof key !== 'string' || key === '') throw new TypeError('dataset cache: the key must be a non-empty string');
}

// Bytes of the typed arrays in a value (what the cache stores, give or take the small fields).
export function datasetBytes(value, seen = new Set()) {
  if (ArrayBuffer.isView(value)) return value.byteLength;
  if (value instanceof ArrayBuffer) return value.byteLength;
  if (value === null || typeof value !== 'object' || seen.has(value)) return 0;
  seen.add(value);
  let n = 0;
  for (const v of Object.values(value)) n += datasetBytes(v, seen);
  return n;
}

// sha256 (optional): return the value only if it was stored with that digest (another archive: null).
export async function cachedDataset(key, { sha256 } = {}) {
  checkKey(key);
  const tx = (await db()).transaction([VALUES, META], 'readonly');
  const [value, meta] = await Promise.all([request(tx.objectStore(VALUES).get(key)), request(tx.objectStore(META).get(key))]);
  if (value === undefined || meta === undefined) return null;
  if (sha256 && meta.sha256 !== sha256) return null;
  return value;
}

export async function cacheDataset(key, value) {
  checkKey(key);
  if (value === null || typeof value !== 'object') throw new TypeError(`dataset cache: '${key}' must be a data set object`);
  const bytes = datasetBytes(value);
  const meta = { key, bytes, sha256: value.sha256 ?? value.source?.sha256 ?? null, savedAt: new Date().toISOString() };
  let tx;
  try {
    tx = (await db()).transaction([VALUES, META], 'readwrite');
    tx.objectStore(VALUES).put(value, key);
    tx.objectStore(META).put(meta, key);
  } catch (error) {  // DataCloneError and the like, thrown by put(): nothing was written
    tx?.abort();
    throw new DatasetCacheError(`cannot keep '${key}' in browser storage: ${error.message}`, error);
  }
  try {
    await done(tx);
  } catch (error) {
    if (error?.name !== 'QuotaExceededError') throw new DatasetCacheError(`cannot keep '${key}' in browser storage: ${error?.message}`, error);
    const { usage = 0, quota = 0 } = (await navigator.storage?.estimate?.()) ?? {};
    throw new DatasetCacheError(
      `not enough browser storage to keep '${key}': it needs ${mib(bytes)} and the browser refused it (it reports ` +
      `${mib(usage)} used of ${mib(quota)} for this site). Nothing was stored: the data set works for this visit, ` +
      'but must be picked again after a reload. Forget another cached data set, or free disk space, to keep it.', error);
  }
  return meta;
}

export async function forgetDataset(key) {
  checkKey(key);
  const tx = (await db()).transaction([VALUES, META], 'readwrite');
  const had = (await request(tx.objectStore(META).count(key))) > 0;
  tx.objectStore(VALUES).delete(key);
  tx.objectStore(META).delete(key);
  await done(tx);
  return had;
}

export async function datasetCacheReport() {
  const tx = (await db()).transaction(META, 'readonly');
  const entries = await request(tx.objectStore(META).getAll());
  const { usage = null, quota = null } = (await navigator.storage?.estimate?.()) ?? {};
  return { entries, bytes: entries.reduce((n, e) => n + e.bytes, 0), usage, quota };
}
