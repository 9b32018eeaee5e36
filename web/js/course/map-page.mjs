// The course map (index.html): phases, modules with their state, milestones with what unlocks them.
import { loadEngine } from '../engine.mjs';
import { openStore, loadLessonIndex, h, formatDate, showEnvironment } from './shell.mjs';
import { courseState, nextModule } from './unlocks.mjs';
import { installSettings } from './settings.mjs';

const STATE_LABEL = { passed: 'Passed', open: 'Open', locked: 'Locked', 'coming-soon': 'Coming soon' };
const MILESTONE_LABEL = { unlocked: 'Unlocked', locked: 'Locked', 'coming-soon': 'Coming soon' };

const store = openStore();
let lessons = [];
let pages = new Set();

function lessonHref(m) {
  return `lesson.html?m=${m.id}`;
}

function moduleCard(m) {
  const reachable = m.state === 'open' || m.state === 'passed';
  const title = h('span', { class: 'module-name' }, m.title);
  let detail = m.blurb;
  if (m.state === 'locked') detail = `Pass ${m.waitingFor.join(', ')} to open this module.`;
  const last = store.state.modules[m.id]?.lastRun;
  const tally = m.state === 'open' && last?.summary?.total
    ? h('span', { class: 'tally' }, `${last.summary.passed} of ${last.summary.passed + last.summary.failed} checks pass`) : null;
  const body = [
    h('span', { class: 'module-num', 'aria-hidden': 'true' }, m.id),
    h('span', { class: 'module-text' }, title, h('span', { class: 'module-blurb' }, detail)),
    h('span', { class: 'module-status' }, h('span', { class: `badge ${m.state}` }, STATE_LABEL[m.state]),
      m.passedAt ? h('time', { datetime: m.passedAt }, formatDate(m.passedAt)) : null, tally),
  ];
  const attrs = { class: `module ${m.state}`, dataset: { module: m.id, state: m.state } };
  return h('li', attrs, reachable
    ? h('a', { href: lessonHref(m), 'aria-label': `Module ${m.id} ${m.title}: ${STATE_LABEL[m.state]}` }, body)
    : h('div', { 'aria-label': `Module ${m.id} ${m.title}: ${STATE_LABEL[m.state]}` }, body));
}

function milestoneCard(ms) {
  const need = ms.state === 'unlocked'
    ? 'All its modules have passed.'
    : `Unlocks after ${ms.after}: ${ms.remaining.length} module${ms.remaining.length === 1 ? '' : 's'} to pass (${ms.remaining.join(', ')}).`;
  return h('div', { class: `milestone ${ms.state}`, dataset: { milestone: ms.id, state: ms.state } },
    h('span', { class: 'milestone-icon', 'aria-hidden': 'true' }, ms.state === 'unlocked' ? '★' : '☆'),
    h('div', {},
      h('h3', {}, `Milestone: ${ms.title}`),
      h('p', {}, ms.blurb),
      h('p', { class: 'muted' }, need)),
    h('span', { class: `badge ${ms.state}` }, MILESTONE_LABEL[ms.state]),
    ms.also && pages.has(ms.also.page) ? h('a', { class: 'button', href: ms.also.page }, ms.also.label) : null,
    ms.state === 'unlocked' && pages.has(ms.page) ? h('a', { class: 'button primary', href: ms.page }, 'Open →') : null);
}

function render() {
  const course = courseState(lessons, store.state);
  const passed = course.modules.filter((m) => m.state === 'passed').length;
  const map = h('div', { class: 'map' },
    h('p', { class: 'progress-line' },
      h('progress', { max: String(course.modules.length), value: String(passed), 'aria-label': 'Modules passed' }),
      ` ${passed} of ${course.modules.length} modules passed`),
    course.phases.map((phase, i) => h('section', { class: 'phase', 'aria-labelledby': `phase-${phase.id}` },
      h('h2', { id: `phase-${phase.id}` }, h('span', { class: 'muted' }, `Phase ${i + 1} · `), phase.title),
      h('ol', { class: 'modules' }, phase.modules.map(moduleCard)),
      milestoneCard(course.milestones[i]))));
  document.getElementById('course-map').replaceChildren(map);

  const next = nextModule(course);
  const cont = document.getElementById('continue');
  // The latest milestone the student has unlocked is pointed to beside the next module: it is the reward for a phase,
  // and its card sits far down the map.
  const milestone = course.milestones.filter((ms) => ms.state === 'unlocked' && pages.has(ms.page)).at(-1);
  cont.replaceChildren(...[next
    ? h('a', { class: 'button primary', href: lessonHref(next) }, passed ? `Continue with ${next.id} ${next.title} →` : `Start with ${next.id} ${next.title} →`)
    : h('p', { class: 'muted' }, passed ? 'Every available module has passed — more lessons are on their way.' : ''),
  milestone ? h('a', { class: 'button', id: 'open-milestone', href: milestone.page }, `★ Milestone unlocked: ${milestone.title} →`) : null]
    .filter(Boolean));
  document.getElementById('app').dataset.state = 'ready';
}

installSettings(store, { button: document.getElementById('open-settings'), onChanged: render });
store.subscribe(render);
document.getElementById('storage-note').textContent = store.persistent
  ? 'progress is saved in this browser'
  : 'this browser blocks storage: progress lasts for this visit only (export it!)';

const pageList = fetch('site-pages.json').then((r) => (r.ok ? r.json() : [])).catch(() => []);
Promise.all([loadLessonIndex(), pageList]).then(([index, list]) => { lessons = index; pages = new Set(list); render(); }).catch((error) => {
  document.getElementById('course-map').replaceChildren(h('p', { class: 'error' }, `Could not load the course: ${error.message}`));
});

loadEngine().then((M) => {
  showEnvironment(M);
  document.body.dataset.engine = 'ready';
}).catch((error) => {
  document.getElementById('env-build').textContent = `failed to load: ${error.message}`;
  document.body.dataset.engine = 'failed';
});
