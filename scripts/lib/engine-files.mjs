// Which files make up the engine library: one folder per layer under engine/, every folder but bindings/ (Embind,
// web only) and cli/ (the native tool). CMakeLists.txt and `tt grade` (engine/cli/grade.cpp) apply the same rule.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const NOT_LIBRARY = new Set(['bindings', 'cli']);

// The layer folders, sorted: ["core", "data", …]
export function engineLayers(root = ROOT) {
  return fs.readdirSync(path.join(root, 'engine'), { withFileTypes: true })
    .filter((d) => d.isDirectory() && !NOT_LIBRARY.has(d.name)).map((d) => d.name).sort();
}

// Repo-relative paths of the library's files with the given extension(s), sorted by layer then name:
// engineFiles('.cpp') → ["engine/core/parallel.cpp", …]
export function engineFiles(ext, root = ROOT) {
  const exts = [ext].flat();
  return engineLayers(root).flatMap((layer) => fs.readdirSync(path.join(root, 'engine', layer)).sort()
    .filter((f) => exts.some((e) => f.endsWith(e))).map((f) => `engine/${layer}/${f}`));
}

// Every source under engine/, the library and bindings/ + cli/ alike, sorted by folder then name:
// allEngineFiles('.h') → ["engine/bindings/guard.h", "engine/cli/grade.h", "engine/core/error.h", …]
export function allEngineFiles(ext, root = ROOT) {
  const exts = [ext].flat();
  return fs.readdirSync(path.join(root, 'engine'), { withFileTypes: true }).filter((d) => d.isDirectory())
    .map((d) => d.name).sort()
    .flatMap((dir) => fs.readdirSync(path.join(root, 'engine', dir)).sort()
      .filter((f) => exts.some((e) => f.endsWith(e))).map((f) => `engine/${dir}/${f}`));
}
