// The CIFAR-10 demo, when this build has the weights (the data set is not bundled: it needs a download, a native
// training run and a site rebuild, which the page spells out otherwise).
import { h } from '../course/shell.mjs';
import { showGallery } from './gallery.mjs';

// index: assets/index.json (assets.mjs assetIndex()).
export async function showCifar(M, index) {
  const body = document.getElementById('cifar-body');
  if (!index.some((a) => a.name === 'cifar10-cnn')) {
    body.replaceChildren(h('p', {}, 'No CIFAR-10 weights in this build. CIFAR-10 (170 MB) is not bundled; with internet, ' +
      'produce the weights natively and rebuild the site:'),
      h('pre', {}, 'datasets/download-cifar10.sh        # checks the SHA-256, unpacks into build/cifar10, packs the test set\n' +
        'build/native/tt train cifar10-cnn   # writes assets/cifar10-cnn.safetensors + .json\n' +
        'make site'));
    document.body.dataset.cifar = 'absent';
    return;
  }
  body.replaceChildren(h('p', {}, 'A CNN trained natively on CIFAR-10, on its test images:'), h('div', { id: 'cifar-gallery', class: 'gallery' }));
  try {
    await showGallery(M, 'cifar10-cnn', 'cifar10-test', 'cifar-gallery');
    document.body.dataset.cifar = 'ready';
  } catch (error) {
    body.append(h('p', { class: 'error' }, `CIFAR-10 test images are not in this site (${error.message}).`));
    document.body.dataset.cifar = 'no-data';
  }
}
