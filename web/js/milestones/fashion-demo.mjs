// The Fashion-MNIST demo: the pretrained CNN's gallery of test images, and its held-out accuracy with a confusion
// matrix computed in the engine worker.
import { accuracyButton } from './accuracy-run.mjs';
import { confusionTable, showGallery } from './gallery.mjs';

const $ = (id) => document.getElementById(id);

export async function showFashion(M) {
  const fashion = await showGallery(M, 'fashion-cnn', 'fashion-mnist-test', 'gallery');
  $('gallery-next').onclick = fashion.next;
  accuracyButton($('fashion-run'), { model: 'fashion-cnn', dataset: 'fashion-mnist-test' }, $('fashion-progress'),
    $('fashion-accuracy'), fashion.card, (r) => $('confusion').replaceChildren(confusionTable(r.confusion, fashion.card.classes)));
}
