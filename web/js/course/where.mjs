// "Where this code lives": the engine files this module is about, rendered at site-build time from engine/
// (scripts/build-site.mjs writes engine-map.json: each file's summary comment, the functions students write, and the
// full text of headers). Solution bodies are never in that file; the student's starter is in the editor.
import { h } from './shell.mjs';

let mapPromise = null;

function loadMap(base) {
  mapPromise ??= fetch(new URL('engine-map.json', base)).then((r) => (r.ok ? r.json() : null)).catch(() => null);
  return mapPromise;
}

export async function renderWhere(container, lesson, base) {
  const map = await loadMap(base);
  if (!map) {
    container.textContent = 'The engine map is not in this build of the site.';
    return;
  }
  const byPath = new Map(map.files.map((f) => [f.path, f]));
  const blocks = [];
  for (const path of lesson.files ?? []) {
    const file = byPath.get(path);
    const header = byPath.get(path.replace(/\.cpp$/, '.h'));
    blocks.push(h('div', { class: 'where-file' },
      h('p', {}, h('span', { class: 'path' }, path), h('span', { class: 'badge open role' }, 'you write this'),
        file ? h('span', { class: 'muted' }, ` · ${file.lines} lines in the reference`) : null),
      file?.summary ? h('p', { class: 'muted' }, file.summary) : null,
      file?.regions?.length ? [h('p', {}, `The parts you write (${file.regions.length}), in file order:`),
        h('ol', {}, file.regions.map((r) => h('li', {}, h('code', {}, r.function ?? `line ${r.line}`), r.hint ? ` — ${r.hint}` : '')))] : null));
    if (header) {
      blocks.push(h('div', { class: 'where-file' },
        h('p', {}, h('span', { class: 'path' }, header.path), h('span', { class: 'badge locked role' }, 'the interface, given')),
        header.summary ? h('p', { class: 'muted' }, header.summary) : null,
        h('details', {}, h('summary', {}, `Show ${header.path.split('/').pop()}`), h('pre', {}, h('code', {}, header.text)))));
    }
  }
  for (const path of lesson.checks ?? []) {
    const file = byPath.get(path);
    blocks.push(h('div', { class: 'where-file' },
      h('p', {}, h('span', { class: 'path' }, path), h('span', { class: 'badge locked role' }, 'the checks')),
      h('p', { class: 'muted' }, 'The engine’s own tests for this module: Run compiles them with your file.',
        file?.cases?.length ? ` ${file.cases.length} test cases.` : '')));
  }
  const own = new Set((lesson.files ?? []).flatMap((p) => [p, p.replace(/\.cpp$/, '.h')]));
  const headers = [...own].filter((p) => p.endsWith('.h')).map((p) => p.split('/').pop());
  const later = map.files.filter((f) => !own.has(f.path) && f.path.startsWith('engine/') && f.includes?.some((inc) => headers.includes(inc)));
  container.classList.remove('muted');
  container.replaceChildren(...blocks,
    later.length ? h('p', { class: 'muted' }, `Later engine files that include this module’s header: ${later.map((f) => f.path).join(', ')}.`) : '');
}
