// Step 2 of the milestone page: the display name and class token (remembered in localStorage, nothing else), the
// upload, and the submission followed live — server-sent events when the server pushes them, a poll of
// /api/leaderboard/submissions/ID every 2 s as well (an event lost across a reconnect must not leave the page waiting) —
// until it is done or failed, then its place on the board. The server's own error message is shown as it is.
// state.submission = {id, status, result?, error?, rank?, unranked?}.
import { h } from '../../course/shell.mjs';
import * as api from './api.mjs';
import { identity, nameProblem } from './identity.mjs';
import { liveEvents } from './live.mjs';
import { formatBytes, formatMetric, formatMs, metricOf } from './format.mjs';

const $ = (id) => document.getElementById(id);
const POLL_MS = 2000;

// Where the submission stands on its task's board: {rank} when it is the ranked entry, {unranked: violations} when it
// broke a limit, {bestRank, bestId} when an earlier submission under the same name is ranked instead.
export function placeOnBoard(board, id, name) {
  const entry = board.entries.find((e) => e.id === id);
  if (entry) return { rank: entry.rank, entry };
  const bad = (board.unranked ?? []).find((e) => e.id === id);
  if (bad) return { unranked: bad.violations, entry: bad };
  const best = board.entries.find((e) => e.name === name);
  return best ? { bestRank: best.rank, bestId: best.id } : {};
}

function showResult(task, result) {
  const metric = metricOf(task);
  const rows = [
    [metric === 'bitsPerChar' ? 'bits/char (public part)' : 'accuracy (public part)', formatMetric(result[metric], metric)],
    ['latency', formatMs(result.latencyMs)], ['size', formatBytes(result.bytes)], ['peak memory', formatBytes(result.peakBytes)],
  ];
  if (result.violations?.length) rows.push(['violations', result.violations.join('; ')]);
  $('submission-result').replaceChildren(...rows.map(([k, v]) => h('tr', {}, h('th', { scope: 'row' }, k), h('td', { dataset: { field: k } }, v))));
  $('submission-result').hidden = false;
}

export function submitPanel(state, { task, enabled }) {
  $('name').value = identity.name();
  $('token').value = identity.token();
  let tracker = null;

  const refresh = () => {
    const p = state.prepared;
    $('submit').disabled = !(enabled() && p?.bytes && p.checked && !p.error && state.submission?.busy !== true);
  };

  async function follow(id, t, name) {
    const sub = state.submission;
    let done = false;
    const update = async () => {
      if (done) return;
      let s;
      try {
        s = await api.submission(id);
      } catch (error) {
        $('submission-status').textContent = `${sub.status} (${error.message})`;
        return;
      }
      if (done) return;
      Object.assign(sub, { status: s.status, result: s.result ?? null, error: s.error ?? null });
      $('submission-status').textContent = s.status + (s.error ? `: ${s.error}` : '');
      $('submission-status').className = `status-${s.status}`;
      if (s.result) showResult(t, s.result);
      if (s.status === 'done' || s.status === 'failed') {
        done = true;
        stop();
        if (s.status === 'done') await rank(t, id, name);
        sub.finished = true;
        sub.busy = false;
        refresh();
      }
    };
    const events = liveEvents(api.eventsUrl(), {
      onSubmission: (e) => { if (e.id === id) update(); },
      onOpen: update,
    });
    const poll = setInterval(update, POLL_MS);
    const stop = () => { clearInterval(poll); events.close(); };
    tracker = { stop };
    await update();
  }

  async function rank(t, id, name) {
    const board = await api.board(t.id);
    const place = placeOnBoard(board, id, name);
    Object.assign(state.submission, place);
    $('submission-rank').textContent = place.rank
      ? `Rank ${place.rank} of ${board.entries.length} on the ${t.title ?? t.id} board.`
      : place.unranked
        ? `Not ranked: ${place.unranked.join('; ')}.`
        : place.bestRank
          ? `Your earlier submission ranks higher and stays on the board (rank ${place.bestRank}).`
          : 'Not on the board yet.';
  }

  $('submit-form').onsubmit = async (event) => {
    event.preventDefault();
    const name = $('name').value.trim(), token = $('token').value.trim();
    const problem = nameProblem(name) ?? (token ? null : 'enter the class token your instructor gave you');
    $('submit-error').textContent = problem ?? '';
    if (problem) return;
    identity.remember({ name, token });
    const t = task();
    tracker?.stop();
    state.submission = { busy: true, status: 'uploading' };
    refresh();
    $('submission').hidden = false;
    $('submission-result').hidden = true;
    $('submission-rank').textContent = '';
    $('submission-id').textContent = '…';
    $('submission-status').textContent = 'uploading';
    try {
      const { id, status } = await api.submit({ task: t.id, name, token, bytes: state.prepared.bytes });
      Object.assign(state.submission, { id, status, task: t.id });
      $('submission-id').textContent = id;
      $('submission-status').textContent = status;
      await follow(id, t, name);
    } catch (error) {
      state.submission = { error: error.message, status: error.status };
      $('submission').hidden = true;
      $('submit-error').textContent = error.message;
      refresh();
    }
  };
  return { refresh };
}
