// What every course page shares: the progress store bound to localStorage (flushed when the page is hidden, kept in
// sync with other tabs), the lesson index, and the settings dialog wiring. Page glue, not model code.
import { ProgressStore, MemoryStorage, STORAGE_KEY } from './progress.mjs';

function browserStorage() {
  try {
    const probe = `${STORAGE_KEY}.probe`;
    localStorage.setItem(probe, '1');
    localStorage.removeItem(probe);
    return localStorage;
  } catch {
    return null;  // storage disabled: progress lives for this visit only, and the page says so
  }
}

export function openStore() {
  const storage = browserStorage();
  const store = new ProgressStore(storage ?? new MemoryStorage());
  store.persistent = Boolean(storage);
  // pagehide fires on reload, navigation and tab close; visibilitychange also covers a backgrounded mobile tab.
  addEventListener('pagehide', () => store.flush());
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'hidden') store.flush(); });
  addEventListener('storage', (event) => { if (event.key === STORAGE_KEY) store.reload(); });
  return store;
}

export async function loadLessonIndex(base = new URL('../../', import.meta.url)) {
  const response = await fetch(new URL('lessons/index.json', base));
  if (!response.ok) throw new Error(`lessons/index.json: HTTP ${response.status}`);
  return response.json();
}

export async function loadStudentManifest(base = new URL('../../', import.meta.url)) {
  try {
    const response = await fetch(new URL('student/manifest.json', base));
    return response.ok ? await response.json() : null;
  } catch {
    return null;
  }
}

// Small DOM helper: h('div', {class: 'x', onclick}, child, 'text', …)
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v == null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c != null && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

export function formatDate(iso) {
  const d = new Date(iso);
  return d.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
}

// Reference engine facts in the footer (ids read by tests/web/foundation.test.mjs).
export function showEnvironment(M) {
  const env = M.environment();
  const set = (id, text) => { const el = document.getElementById(id); if (el) el.textContent = text; };
  set('env-build', env.build);
  set('env-simd-arch', env.simdArch);
  set('env-simd-width', String(env.simdWidth));
  set('env-threads', String(M.numThreads()));
  return env;
}
