// The {path, blob} list loadImageFolder reads (image-folder.mjs), from what a page gets when the user picks or
// drops a folder. Paths are '/'-separated and relative to the picked folder ("cat/001.png"); the array also
// carries the folder's name (entries.name), which error messages show.
//
//   <input type="file" webkitdirectory>:  entriesFromFileList(input.files)
//   a drop:                                entriesFromDataTransfer(event.dataTransfer)   (call it inside the
//                                          drop handler, before any await: the browser empties the
//                                          DataTransfer once the handler returns; this function takes what it
//                                          needs before its own first await)
//
// Nothing is skipped here (hidden files included), as `tt pack-images` lists a folder natively: the engine's
// index decides what is an image and which class it belongs to.

function named(entries, name) {
  entries.name = name;
  return entries;
}

// A folder picker's files: File.webkitRelativePath is "<picked folder>/<class>/<file>".
export function entriesFromFileList(files) {
  const list = Array.from(files ?? []);
  if (list.length === 0) return named([], 'image folder');
  const first = (list[0].webkitRelativePath || list[0].name).split('/')[0];
  const entries = list.map((file) => {
    const rel = file.webkitRelativePath || file.name;
    const parts = rel.split('/');
    const inPicked = parts.length > 1 && parts[0] === first;
    return { path: inPicked ? parts.slice(1).join('/') : rel, blob: file };
  });
  return named(entries, list.every((f) => (f.webkitRelativePath || '').startsWith(`${first}/`)) ? first : 'picked files');
}

// FileSystemDirectoryReader.readEntries gives at most ~100 entries a call: read until it gives none.
async function readAll(directory) {
  const reader = directory.createReader();
  const all = [];
  for (;;) {
    const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

async function walk(entry, prefix, out) {
  if (entry.isFile) {
    const blob = await new Promise((resolve, reject) => entry.file(resolve, reject));
    out.push({ path: prefix + entry.name, blob });
  } else if (entry.isDirectory) {
    for (const child of await readAll(entry)) await walk(child, `${prefix}${entry.name}/`, out);
  }
}

// FileSystemEntry trees (webkitGetAsEntry). One folder: it is the root. Anything else (several folders, loose
// files): the drop itself is the root, so dropping the class folders cat/ and dog/ together works too.
export async function entriesFromFileSystemEntries(roots) {
  const list = Array.from(roots).filter(Boolean);
  const out = [];
  if (list.length === 1 && list[0].isDirectory) {
    for (const child of await readAll(list[0])) await walk(child, '', out);
    return named(out, list[0].name);
  }
  for (const entry of list) await walk(entry, '', out);
  return named(out, 'dropped items');
}

export async function entriesFromDataTransfer(dataTransfer) {
  // Taken synchronously: the items are gone after the drop handler's first await.
  const items = Array.from(dataTransfer?.items ?? []).filter((item) => item.kind === 'file');
  const roots = items.map((item) => (item.webkitGetAsEntry ? item.webkitGetAsEntry() : null));
  if (roots.length > 0 && roots.every(Boolean)) return entriesFromFileSystemEntries(roots);
  return entriesFromFileList(dataTransfer?.files);  // no entry API: plain files, no folders
}
