// The systems panel: numbers the reference engine (wasm/tt_web.mjs) measures for a module, live in this browser.
// measureSystems is model code (no DOM): it loads the module's panel and returns its tables; renderSystems draws
// them. A module whose engine bindings do not exist yet says so instead of showing invented numbers.
import { h } from './shell.mjs';

// One file per module with a panel (systems/NN.mjs exports measure(M)); literal specifiers, so a static host, a
// bundler-free browser and Node all resolve them the same way. Loaded on demand: a page measures one module.
const PANELS = {
  '01': () => import('./systems/01.mjs'),
  '02': () => import('./systems/02.mjs'),
  '03': () => import('./systems/03.mjs'),
  '04': () => import('./systems/04.mjs'),
  '05': () => import('./systems/05.mjs'),
  '06': () => import('./systems/06.mjs'),
  '07': () => import('./systems/07.mjs'),
  '08': () => import('./systems/08.mjs'),
  '09': () => import('./systems/09.mjs'),
  '10': () => import('./systems/10.mjs'),
  '11': () => import('./systems/11.mjs'),
  '12': () => import('./systems/12.mjs'),
  '13': () => import('./systems/13.mjs'),
  '14': () => import('./systems/14.mjs'),
  '15': () => import('./systems/15.mjs'),
  '16': () => import('./systems/16.mjs'),
  '17': () => import('./systems/17.mjs'),
};

export async function measureSystems(M, moduleId) {
  const panel = PANELS[moduleId];
  if (!panel) return { note: `Module ${moduleId} has no live measurements yet.` };
  try {
    const { measure } = await panel();
    return measure(M);
  } catch (error) {
    return { note: `Measuring failed: ${error.message}` };
  }
}

// A panel that can also time the student's own code exports measureOwn(session, files, programSource, options) and
// names its program (PROGRAM, a path in the site) and the file it times (OWN_FILE). → those, or null.
export async function ownBuildMeasure(moduleId) {
  const panel = PANELS[moduleId];
  if (!panel) return null;
  const mod = await panel();
  return mod.measureOwn ? { measureOwn: mod.measureOwn, file: mod.OWN_FILE, program: mod.PROGRAM } : null;
}

export function renderSystems(container, report) {
  container.classList.remove('muted');
  container.replaceChildren(
    ...(report.tables ?? []).map((t) => h('table', {},
      h('caption', {}, t.caption),
      h('thead', {}, h('tr', {}, t.columns.map((c, i) => h('th', { class: i ? 'num' : null, scope: 'col' }, c)))),
      h('tbody', {}, t.rows.map((r) => h('tr', {}, r.map((v, i) => (i ? h('td', { class: 'num' }, v) : h('th', { scope: 'row' }, v)))))))),
    report.pre ? h('pre', { class: 'output' }, report.pre) : '',
    report.note ? h('p', { class: 'muted' }, report.note) : '');
  container.dataset.measured = String(Boolean(report.tables?.length));
}
