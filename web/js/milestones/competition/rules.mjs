// The competition's rules as the server states them (GET /api/leaderboard/tasks): the task list, the limits, the
// daily allowance and the deadline; the four winner categories. A static site shows the course's defaults.
import { h } from '../../course/shell.mjs';
import { CATEGORIES, formatBytes, formatTime, metricLabel } from './format.mjs';

// What the page says when there is no server to ask (a static site): the course's tasks and limits
// (leaderboard/classdir.py has the server's own list; a class server may offer fewer).
const MB10 = 10 * 1024 * 1024;
export const DEFAULT_TASKS = [
  { id: 'mnist', title: 'MNIST digits', kind: 'classifier', input: [1, 28, 28], metric: 'accuracy', maxBytes: MB10, maxLatencyMs: 100 },
  { id: 'fashion-mnist', title: 'Fashion-MNIST', kind: 'classifier', input: [1, 28, 28], metric: 'accuracy', maxBytes: MB10, maxLatencyMs: 100 },
  { id: 'cifar10', title: 'CIFAR-10', kind: 'classifier', input: [3, 32, 32], metric: 'accuracy', maxBytes: MB10, maxLatencyMs: 100 },
  { id: 'tinygpt', title: 'TinyGPT (bits per character)', kind: 'gpt', metric: 'bits_per_char', maxBytes: MB10, maxLatencyMs: 1000 },
];

export function renderRules(doc, info) {
  const $ = (id) => doc.getElementById(id);
  const tasks = info?.tasks ?? DEFAULT_TASKS;
  $('task-list').replaceChildren(...tasks.map((t) => h('li', {},
    h('strong', {}, t.title ?? t.id), ` — ${t.kind === 'gpt' ? 'a character-level GPT' : `a classifier of ${(t.input ?? []).join('×')} images`}, ` +
    `ranked by ${metricLabel(t)}${t.metric === 'bits_per_char' ? ' (lower is better)' : ''}` +
    (t.maxLatencyMs ? `; latency limit ${t.maxLatencyMs} ms.` : '.'))));
  const maxBytes = Math.min(...tasks.map((t) => t.maxBytes ?? Infinity));
  const maxMs = Math.min(...tasks.map((t) => t.maxLatencyMs ?? Infinity));
  if (Number.isFinite(maxBytes)) $('limit-bytes').textContent = formatBytes(maxBytes);
  if (Number.isFinite(maxMs)) $('limit-latency').textContent = `${maxMs} ms`;
  if (info) {
    const deadline = info.deadline ? ` The deadline is ${formatTime(info.deadline)}.` : '';
    $('limit-per-day').textContent = `${info.perDay} submission${info.perDay === 1 ? '' : 's'} per task per day; your best one is ranked.${deadline}`;
  }
  $('categories').replaceChildren(...CATEGORIES.flatMap((c) => [h('dt', {}, c.title), h('dd', {}, c.why)]));
  return tasks;
}
