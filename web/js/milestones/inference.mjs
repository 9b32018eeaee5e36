// Milestone 1 page (milestone-inference.html): gated on modules 01-05 by the course's progress store (gate.mjs), then
// one demo per section, each in its own file — XOR decision boundary (xor-demo.mjs), draw-a-digit MNIST with live
// probabilities and "your own build" (mnist-demo.mjs, own-build-switch.mjs), a Fashion-MNIST CNN gallery with a
// confusion matrix (fashion-demo.mjs), and CIFAR-10 when its weights exist (cifar-demo.mjs). Models and data come
// from assets/ and datasets/ (assets.mjs); long runs go to inference-worker.mjs (accuracy-run.mjs).
import { loadEngine } from '../engine.mjs';
import { h } from '../course/shell.mjs';
import { assetIndex, loadClassifier, loadDataset } from './assets.mjs';
import { openMilestone } from './gate.mjs';
import { showXor } from './xor-demo.mjs';
import { showMnist } from './mnist-demo.mjs';
import { ownBuildSwitch } from './own-build-switch.mjs';
import { showFashion } from './fashion-demo.mjs';
import { showCifar } from './cifar-demo.mjs';

const $ = (id) => document.getElementById(id);

async function main() {
  if (!(await openMilestone('inference'))) return;
  const M = await loadEngine();
  const env = M.environment();
  $('env-build').textContent = env.build;
  $('env-simd-arch').textContent = env.simdArch;
  $('env-simd-width').textContent = String(env.simdWidth);
  $('env-threads').textContent = String(M.numThreads());
  const index = await assetIndex();

  const xor = await loadClassifier(M, 'xor-mlp');
  showXor(xor.model);

  const mnist = await loadClassifier(M, 'mnist-mlp');
  const mnistTest = await loadDataset(M, 'mnist-test');
  showMnist(mnist, mnistTest);
  ownBuildSwitch(mnist, mnistTest);

  await showFashion(M);

  await showCifar(M, index);
  document.body.dataset.state = 'ready';
}

main().catch((error) => {
  document.body.dataset.state = 'failed';
  document.querySelector('main').prepend(h('p', { class: 'card error' }, `The milestone could not start: ${error.message}`));
  console.error(error);
});
