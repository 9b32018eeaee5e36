// How the competition pages write the leaderboard's numbers (both pages, the same words): a classifier's accuracy
// (the server's fraction in [0, 1]) as a percentage, the GPT's bits per character, latency in ms, sizes in KB/MB.
// Pure functions.
export const metricOf = (task) => (task?.metric === 'bits_per_char' || task?.kind === 'gpt' ? 'bitsPerChar' : 'accuracy');
export const metricLabel = (task) => (metricOf(task) === 'bitsPerChar' ? 'bits/char' : 'accuracy');
// The score an entry ranks by: the public part's until the board is final, then the private part's.
export const scoreOf = (entry, metric, final) =>
  (final ? entry[`private${metric[0].toUpperCase()}${metric.slice(1)}`] ?? entry[metric] : entry[metric]);

export function formatMetric(value, metric) {
  if (value == null || !Number.isFinite(value)) return '—';
  return metric === 'bitsPerChar' ? value.toFixed(3) : `${(100 * value).toFixed(2)}%`;
}

export function formatBytes(n) {
  if (n == null || !Number.isFinite(n)) return '—';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(2)} MB`;
}

export const formatMs = (ms) => (ms == null || !Number.isFinite(ms) ? '—' : `${ms < 10 ? ms.toFixed(2) : ms.toFixed(1)} ms`);

export function formatTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

// The four winner categories (the board's `winners` keys), as the pages name and explain them.
export const CATEGORIES = [
  { key: 'accuracy', title: 'Best score', why: 'the best accuracy (lowest bits/char for TinyGPT) on the hidden test set' },
  { key: 'latency', title: 'Fastest', why: 'the lowest latency of one forward pass, measured on the server' },
  { key: 'size', title: 'Smallest', why: 'the smallest file' },
  { key: 'ratio', title: 'Best trade-off', why: 'the best score for its size' },
];
