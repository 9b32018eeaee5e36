// One task's board drawn into the page: the four winners, the ranking (rank, name, score, latency, size, peak
// memory, time), the unranked entries with their violations. Rows that changed since the last draw are marked
// `fresh` (a short highlight), the student's own display name `mine`. renderBoard(doc, task, board, {previous, myName}).
import { h } from '../course/shell.mjs';
import { CATEGORIES, formatBytes, formatMetric, formatMs, formatTime, metricLabel, metricOf, scoreOf } from '../milestones/competition/format.mjs';

const signature = (e) => JSON.stringify([e.rank, e.id]);

function trophiesOf(winners, id) {
  return CATEGORIES.filter((c) => winners?.[c.key] === id);
}

export function renderBoard(doc, task, board, { previous = null, myName = '' } = {}) {
  const $ = (id) => doc.getElementById(id);
  const metric = metricOf(task);
  const label = metricLabel(task);
  $('metric-head').textContent = label[0].toUpperCase() + label.slice(1);
  $('metric-head-2').textContent = $('metric-head').textContent;
  const scope = board.final ? 'final, private part' : 'public part';
  $('board-title').textContent = `${task.title ?? task.id}: ranking by ${label}${metric === 'bitsPerChar' ? ' (lower is better)' : ''} — ${scope}`;
  const before = new Set((previous?.entries ?? []).map(signature));
  const byId = new Map(board.entries.map((e) => [e.id, e]));

  $('winners').replaceChildren(...CATEGORIES.map((c) => {
    const e = byId.get(board.winners?.[c.key]);
    return h('div', { dataset: { category: c.key } }, h('h3', {}, c.title),
      h('p', {}, e ? h('strong', {}, e.name) : h('span', { class: 'muted' }, 'nobody yet')),
      h('p', { class: 'muted' }, e ? `${formatMetric(scoreOf(e, metric, board.final), metric)} · ${formatMs(e.latencyMs)} · ${formatBytes(e.bytes)}` : c.why));
  }));

  const rows = board.entries.map((e) => {
    const trophies = trophiesOf(board.winners, e.id);
    const classes = [trophies.length && 'winner', previous && !before.has(signature(e)) && 'fresh', myName && e.name === myName && 'mine'];
    return h('tr', { class: classes.filter(Boolean).join(' ') || null, dataset: { id: e.id, rank: String(e.rank) } },
      h('td', {}, String(e.rank)),
      h('th', { scope: 'row' }, e.name, trophies.length
        ? h('span', { class: 'trophies' }, trophies.map((c) => h('span', { class: 'trophy', title: c.why }, c.title))) : null),
      h('td', { dataset: { field: 'score' }, title: board.final ? `public part: ${formatMetric(e[metric], metric)}` : null },
        formatMetric(scoreOf(e, metric, board.final), metric)),
      h('td', {}, formatMs(e.latencyMs)), h('td', {}, formatBytes(e.bytes)), h('td', {}, formatBytes(e.peakBytes)),
      h('td', {}, h('time', { datetime: e.submittedAt }, formatTime(e.submittedAt))));
  });
  $('board').tBodies[0].replaceChildren(...rows);
  $('board-empty').hidden = rows.length > 0;

  $('unranked').tBodies[0].replaceChildren(...(board.unranked ?? []).map((e, i) =>
    h('tr', { dataset: { id: e.id } }, h('td', {}, String(i + 1)), h('th', { scope: 'row' }, e.name),
      h('td', {}, formatMetric(scoreOf(e, metric, board.final), metric)), h('td', {}, formatMs(e.latencyMs)), h('td', {}, formatBytes(e.bytes)),
      h('td', { class: 'violations' }, (e.violations ?? []).join('; ')),
      h('td', {}, h('time', { datetime: e.submittedAt }, formatTime(e.submittedAt))))));
}
