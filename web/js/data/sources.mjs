// The data sources a page imports (milestone 2's CNN-training page): one module, model code only (no DOM).
//
//   import * as sources from '../../data/sources.mjs';
//   const entries = await sources.entriesFromDataTransfer(event.dataTransfer);   // or entriesFromFileList(input.files)
//   const data = await sources.loadImageFolder(entries, {channels: 3, height: 32, width: 32, onProgress});
//   const {train, test, sha256} = await sources.loadCifarArchive(file, {onProgress});
//   await sources.cacheDataset('cifar10', {train, test, sha256});   ...   await sources.cachedDataset('cifar10');
//
// Dataset = {classes: string[], images: Uint8Array (N*C*H*W, C x H x W planes per image), labels: Uint8Array (N),
//            count: N, shape: [C, H, W], source: {kind: 'folder' | 'cifar10-binary', name, sha256?, ...}}
// onProgress receives {phase, done, total}: 'decode' (images) for a folder; 'sha256' and 'read' (archive bytes)
// for CIFAR-10. Every failure is an Error whose message is meant for the user (it names the file).
export { loadImageFolder } from './image-folder.mjs';
export { entriesFromDataTransfer, entriesFromFileList, entriesFromFileSystemEntries } from './folder-entries.mjs';
export { CIFAR10_CLASSES, loadCifarArchive } from './cifar-archive.mjs';
export { cacheDataset, cachedDataset, datasetBytes, datasetCacheReport, DatasetCacheError, forgetDataset } from './dataset-cache.mjs';
