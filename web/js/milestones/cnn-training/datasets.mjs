// Where the page's data comes from: the bundled packed sets (the worker fetches them itself), or a CIFAR-10 archive /
// an image folder decoded in the page by web/js/data/sources.mjs and kept in the browser's dataset cache, so that a
// reload can resume a run without asking for the files again.
const FASHION = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
export const BUNDLED = {
  'fashion-mnist': { shape: [1, 28, 28], classes: FASHION, train: 60000, test: 5000 },
  mnist: { shape: [1, 28, 28], classes: [...'0123456789'], train: 8000, test: 1000 },
};
const sources = () => import('../../data/sources.mjs');
export const VALIDATION_FRACTION = 0.15;  // of an image folder, held out (seeded)

// A seeded split of a data set into train and validation (mulberry32: the same split on every visit).
export function holdOut(ds, fraction, seed = 1) {
  let a = seed >>> 0;
  const rand = () => { a = (a + 0x6D2B79F5) >>> 0; let t = a; t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
  const order = Array.from({ length: ds.count }, (_, i) => i);
  for (let i = ds.count - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); [order[i], order[j]] = [order[j], order[i]]; }
  const nVal = Math.max(1, Math.round(ds.count * fraction));
  const size = ds.images.length / ds.count;
  const take = (indices) => {
    const images = new Uint8Array(indices.length * size), labels = new Uint8Array(indices.length);
    indices.sort((x, y) => x - y).forEach((i, k) => { images.set(ds.images.subarray(i * size, (i + 1) * size), k * size); labels[k] = ds.labels[i]; });
    return { images, labels };
  };
  return { train: take(order.slice(nVal)), validation: take(order.slice(0, nVal)) };
}

function firstN({ images, labels }, n) {
  if (!n || n >= labels.length) return { images, labels };
  const size = images.length / labels.length;
  return { images: images.slice(0, n * size), labels: labels.slice(0, n) };
}

// → {classes, shape, source, sha256?, train: {images, labels}, validation: {...}} from the cache entry `key`, or null.
export async function cachedData(key) {
  const value = await (await sources()).cachedDataset(key);
  if (!value) return null;
  if (value.train) return fromValue(value);
  return { classes: value.classes, shape: value.shape, source: value.source, ...holdOut(value, VALIDATION_FRACTION) };
}

export async function loadCifar(file, onProgress) {
  const src = await sources();
  const value = await src.loadCifarArchive(file, { onProgress });
  await src.cacheDataset('cifar10', value).catch((error) => console.warn(error.message));  // works without the cache
  return { key: 'cifar10', sha256: value.sha256, data: fromValue(value) };
}
const fromValue = (v) => ({ classes: v.train.classes, shape: v.train.shape, source: v.train.source, sha256: v.sha256,
  train: v.train, validation: v.test });

// The key of the image folder kept in the cache (the last one picked), or null.
export async function cachedFolderKey() {
  const { entries } = await (await sources()).datasetCacheReport();
  return entries.find((e) => e.key.startsWith('folder:'))?.key ?? null;
}

export async function loadFolder(files, size, onProgress) {
  const src = await sources();
  const entries = src.entriesFromFileList(files);
  const ds = await src.loadImageFolder(entries, { channels: 3, height: size, width: size, onProgress });
  const key = `folder:${entries.name}:${size}`;
  // One folder is kept (the last one picked, for resuming its run after a reload): folders can be large.
  const { entries: kept } = await src.datasetCacheReport().catch(() => ({ entries: [] }));
  for (const { key: old } of kept) if (old.startsWith('folder:') && old !== key) await src.forgetDataset(old).catch(() => {});
  await src.cacheDataset(key, ds).catch((error) => console.warn(error.message));
  return { key, data: { classes: ds.classes, shape: ds.shape, source: ds.source, ...holdOut(ds, VALIDATION_FRACTION) } };
}

// What the worker gets: bundled sets by name, the others as arrays (limits applied here).
export function workerData(choice, trainLimit, validationLimit) {
  if (choice.kind === 'bundled') return { kind: 'bundled', name: choice.name, trainLimit, validationLimit };
  return { kind: 'arrays', train: firstN(choice.data.train, trainLimit), validation: firstN(choice.data.validation, validationLimit) };
}
