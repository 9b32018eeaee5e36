// Fetching the pretrained assets (assets/*.safetensors + model cards) and packed data sets (datasets/*.ttds) of the
// site into the reference engine. serve.py sends the .gz twins when the browser accepts gzip; the browser inflates.
const site = new URL('../../', import.meta.url);

export async function fetchBytes(path) {
  const response = await fetch(new URL(path, site));
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

export async function fetchJSON(path) {
  return JSON.parse(new TextDecoder().decode(await fetchBytes(path)));
}

// The assets `tt train` has produced (assets/index.json: [{name, card}], written by the trainer).
export async function assetIndex() {
  return fetchJSON('assets/index.json');
}

export async function loadClassifier(M, name) {
  const [bytes, card] = await Promise.all([fetchBytes(`assets/${name}.safetensors`), fetchJSON(`assets/${name}.json`)]);
  return { model: new M.Classifier(card.architecture, card.input_shape, bytes, `${name}.safetensors`), card };
}

export async function loadDataset(M, name) {
  return loadDatasetFile(M, `datasets/${name}.ttds`);
}

// A packed set at a path of the site (assets/cifar10-gallery.ttds: images committed with the weights).
export async function loadDatasetFile(M, path) {
  return new M.ImageDataset(await fetchBytes(path), path.split('/').pop());
}
