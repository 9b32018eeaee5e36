// The results panel: compile errors (each a link to its line), then one row per check with expected vs got.
import { h, formatDate } from './shell.mjs';
import { likelyCauses } from '../student/diagnostics.mjs';
import { MILESTONES } from './catalog.mjs';

const milestoneNumber = (milestone) => MILESTONES.findIndex((ms) => ms.id === milestone.id) + 1;

function diagnosticsList(diagnostics, onDiagnostic) {
  return h('div', { class: 'diags' }, diagnostics.map((d) => h('p', { class: `diag ${d.severity}` },
    d.file ? h('button', { type: 'button', onclick: () => onDiagnostic(d) }, `${d.file.split('/').pop()}:${d.line}:${d.column}`) : 'link',
    `: ${d.severity}: ${d.message}`)));
}

// A check's status (results.mjs) → how it looks: passed, did not pass (failed, crashed, timed out), skipped.
const LOOK = { passed: 'pass', failed: 'fail', crashed: 'fail', timeout: 'fail', stopped: 'skip', skipped: 'skip' };
const MARK = { pass: '✓', fail: '✗', skip: '–' };

function checkNote(c) {
  const lines = [...(c.messages ?? [])];
  if (c.status === 'crashed') {
    lines.unshift(c.trap?.kind === 'todo' ? `${c.trap.message} — ` : `crashed: ${c.trap?.message ?? 'the program stopped in this check'}${c.trap?.errorLine ? ' — ' : ''}`);
  }
  if (c.status === 'timeout') lines.unshift('did not finish within the time limit');
  if (c.status === 'stopped') lines.unshift('was running when you pressed Stop');
  return lines.join('\n') || null;
}

// Where a trapping check stopped in the student's code (a TT_TODO or a failed TT_CHECK), as a link to that line.
function trapLink(c, onDiagnostic) {
  const t = c.trap;
  if (!t?.errorFile || !t.errorLine) return null;
  return h('button', { type: 'button', class: 'trap-link', onclick: () => onDiagnostic({ file: t.errorFile, line: t.errorLine, column: 1 }) },
    `${t.errorFile.split('/').pop()}:${t.errorLine}`);
}

function checkRow(c, onDiagnostic) {
  const look = LOOK[c.status] ?? 'fail';
  const note = checkNote(c);
  const failures = (c.failures ?? []).map((f) => h('dl', {},
    f.expression ? [h('dt', {}, 'check'), h('dd', {}, f.expression)] : null,
    f.expected != null ? [h('dt', {}, 'expected'), h('dd', { class: 'expected' }, f.expected)] : null,
    f.got != null ? [h('dt', {}, 'got'), h('dd', { class: 'got' }, f.got)] : null,
    f.message ? [h('dt', {}, 'message'), h('dd', {}, f.message)] : null,
    f.line ? [h('dt', {}, 'where'), h('dd', {}, `${(f.file ?? '').split('/').pop()}:${f.line}`)] : null));
  return h('li', { class: `check ${look}`, dataset: { status: c.status } },
    h('span', { class: 'mark', 'aria-hidden': 'true' }, MARK[look]),
    h('span', { class: 'visually-hidden' }, `${c.status}: `),
    h('span', { class: 'check-name' }, c.name),
    c.status === 'skipped' && c.reason ? h('span', { class: 'muted' }, ` (skipped: ${c.reason})`) : null,
    note ? h('p', { class: 'muted' }, note, c.status === 'crashed' ? trapLink(c, onDiagnostic) : null) : null,
    failures);
}

// Which framework this Run linked the student's module with (Settings → Build your file on): the reference engine, or
// the student's own files of the earlier modules they passed (any module without saved files stays the reference).
function builtOnNote(builtOn) {
  if (!builtOn) return null;
  const text = builtOn.mine.length
    ? `Built on your framework: your files of module${builtOn.mine.length === 1 ? '' : 's'} ${builtOn.mine.join(', ')} and this module, the reference engine for the rest.`
    : builtOn.setting === 'mine'
      ? 'Built on your framework, but no earlier module has files of yours yet: this module is yours, the rest is the reference engine.'
      : 'Built on the reference engine: this module’s files are yours, everything else is the course’s own engine.';
  return h('p', { class: 'muted built-on', dataset: { builtOn: builtOn.mine.length ? 'mine' : 'reference' } }, text,
    ' (Settings → Build your file on)');
}

// result: a session result (web/js/student/session.mjs) or a saved lastRun; options.nextModule: shown after a fresh
// pass; options.milestone: the milestone (catalog.mjs MILESTONES + unlocks.mjs state) this fresh pass unlocked, linked
// first in the banner; options.builtOn {setting: 'reference'|'mine', mine: [module ids]}: which framework a fresh Run used
export function renderResults(container, result, { onDiagnostic = () => {}, nextModule = null, milestone = null, builtOn = null } = {}) {
  const s = result.summary ?? { passed: 0, failed: 0, crashed: 0, skipped: 0, total: 0 };
  let headline;
  if (result.stage === 'unavailable') headline = h('span', { class: 'summary fail' }, 'The compiler is not available');
  else if (result.stage === 'compile') headline = h('span', { class: 'summary fail' }, 'Your code did not compile');
  else if (result.stage === 'stopped') headline = h('span', { class: 'summary fail' }, result.summary?.total ? `Stopped: ${s.passed} checks passed before that` : 'Stopped before the checks ran');
  else if (result.stage === 'link') headline = h('span', { class: 'summary fail' }, 'Your code compiled but did not link');
  else if (result.ok) headline = h('span', { class: 'summary ok' }, `All ${s.passed} checks pass`);
  else headline = h('span', { class: 'summary fail' }, `${s.passed} of ${s.passed + s.failed} checks pass`);
  const when = result.restored && result.at ? h('span', { class: 'muted' }, `last run ${formatDate(result.at)}`) : null;
  const t = result.timings ?? {};
  const build = t.build ?? null;
  const timing = !result.restored && (build || t.run) ? h('span', { class: 'muted' },
    [build ? `built in ${(build / 1000).toFixed(2)} s` : null, t.run ? `ran in ${(t.run / 1000).toFixed(2)} s` : null].filter(Boolean).join(' · ')) : null;

  // A Run that trapped (not at a TT_TODO) after warnings such as "uninitialized": those warnings go first, named as
  // the likely cause, since the trap itself only says where the program stopped.
  const trapped = (result.checks ?? []).some((c) => c.status === 'crashed' && c.trap?.kind !== 'todo')
    || (result.stage === 'run' && !result.ok && (result.problems?.length ?? 0) > 0);
  const causes = trapped ? likelyCauses(result.diagnostics ?? []) : [];
  const otherDiagnostics = (result.diagnostics ?? []).filter((d) => !causes.includes(d));

  container.dataset.outcome = result.ok ? 'pass' : 'fail';
  container.replaceChildren(...[
    h('h2', { id: 'results-title' }, 'Checks', headline, when, timing),
    result.ok && milestone ? h('p', { class: 'passed-banner', dataset: { milestone: milestone.id } }, 'Module passed — you unlocked ',
      h('a', { class: 'milestone-link', href: milestone.page }, `Milestone ${milestoneNumber(milestone)} · ${milestone.title} →`),
      nextModule ? [' or ', h('a', { href: `lesson.html?m=${nextModule.id}` }, `continue with ${nextModule.id} ${nextModule.title}`)] : null) : null,
    result.ok && nextModule && !milestone ? h('p', { class: 'passed-banner' }, `Module passed — `,
      h('a', { href: `lesson.html?m=${nextModule.id}` }, `continue with ${nextModule.id} ${nextModule.title} →`)) : null,
    result.ok && !nextModule && !milestone && !result.restored ? h('p', { class: 'passed-banner' }, 'Module passed — ', h('a', { href: './' }, 'back to the course map')) : null,
    result.message ? h('p', { class: result.ok ? 'muted' : 'error' }, result.message) : null,
    result.stage === 'unavailable' ? null : builtOnNote(builtOn),
    causes.length ? h('div', { class: 'likely-cause' },
      h('p', { class: 'error' }, h('strong', {}, 'Likely cause: '), 'the program stopped at run time, and the compiler had warned about this:'),
      diagnosticsList(causes, onDiagnostic)) : null,
    result.problems?.length ? h('div', { class: 'problems' }, result.problems.map((text) => h('p', { class: 'error' }, text))) : null,
    otherDiagnostics.length ? diagnosticsList(otherDiagnostics, onDiagnostic) : null,
    result.checks?.length ? h('ul', { class: 'checks' }, result.checks.map((c) => checkRow(c, onDiagnostic))) : null,
    s.skipped ? h('p', { class: 'muted' }, `${s.skipped} check${s.skipped === 1 ? '' : 's'} skipped: they need C++ exceptions, which the in-browser build does not have; the native build runs them.`) : null,
    !result.ok && result.stage === 'run' && (result.stderr || result.stdout)
      ? h('details', {}, h('summary', {}, 'Program output'), h('pre', { class: 'output' }, [result.stdout, result.stderr].filter(Boolean).join('\n'))) : null,
  ].filter(Boolean));
}
