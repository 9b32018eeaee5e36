// The CIFAR-10 demo, when this build has the weights (the data set is not bundled: it needs a download, a native
// training run and a site rebuild, which the README spells out for the course's host).
import { h } from '../course/shell.mjs';
import { showGallery } from './gallery.mjs';

// index: assets/index.json (assets.mjs assetIndex()).
export async function showCifar(M, index) {
  const body = document.getElementById('cifar-body');
  if (!index.some((a) => a.name === 'cifar10-cnn')) {
    // A student cannot act on build commands: those are for whoever hosts the course (the README's CIFAR-10 row).
    body.replaceChildren(h('p', { class: 'muted' }, 'This copy of the course has no CIFAR-10 model: the data set ' +
      '(170 MB) is not bundled, and the model is trained when the site is built. Ask whoever hosts your course to add it ' +
      '(the course’s README says how); everything else on this page works without it.'));
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
