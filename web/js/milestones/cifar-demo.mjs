// The CIFAR-10 demo, when this build has the weights: the model (trained natively, from the JPEG copy of CIFAR-10 or
// the official files) on the 200 test images committed beside it (assets/cifar10-gallery.ttds), since the data set
// itself is not bundled.
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
  const intro = h('p', {}, 'A CNN trained natively on CIFAR-10, on some of its test images:');
  const more = h('button', { id: 'cifar-next', type: 'button' }, 'Next 24');
  body.replaceChildren(intro, h('div', { id: 'cifar-gallery', class: 'gallery' }), more);
  try {
    const shown = await showGallery(M, 'cifar10-cnn', 'assets/cifar10-gallery.ttds', 'cifar-gallery');
    const { card } = shown;
    // source: "CIFAR-10 (JPEG copy): image folder …" (train.cpp); the part before the colon is for readers.
    const source = (card.data.source ?? 'CIFAR-10').split(':')[0];
    intro.textContent = `A CNN trained natively on ${source}: ${card.test_accuracy_percent}% of its ` +
      `${card.test_count.toLocaleString('en')} test images right. Here on ${shown.data.count()} of them:`;
    more.addEventListener('click', () => shown.next());
    document.body.dataset.cifar = 'ready';
  } catch (error) {
    body.append(h('p', { class: 'error' }, `CIFAR-10 test images are not in this site (${error.message}).`));
    document.body.dataset.cifar = 'no-data';
  }
}
