// The class leaderboard (leaderboard.html): per-task tabs (tabs.mjs) over the board of the chosen task
// (board-view.mjs, scatter.mjs), kept live by the server's events (../milestones/competition/live.mjs: a `board`
// event re-fetches that task's board, a reconnect re-fetches everything), the freeze / deadline banner, the student's
// own history (mine-panel.mjs) and the instructor's CSV export (export-panel.mjs). A static site (no
// serve.py --leaderboard) says the leaderboard is not available. window.ttLeaderboard holds what the page shows.
import * as api from '../milestones/competition/api.mjs';
import { liveEvents } from '../milestones/competition/live.mjs';
import { identity } from '../milestones/competition/identity.mjs';
import { formatTime } from '../milestones/competition/format.mjs';
import { tabs } from './tabs.mjs';
import { renderBoard } from './board-view.mjs';
import { scatterChart } from './scatter.mjs';
import { minePanel } from './mine-panel.mjs';
import { exportPanel } from './export-panel.mjs';

const $ = (id) => document.getElementById(id);

function banner(info, board) {
  const el = $('banner');
  const deadline = info.deadline ? formatTime(info.deadline) : null;
  if (board?.final) {
    el.className = 'banner frozen';
    el.textContent = `Final ranking: the competition closed${deadline ? ` at ${deadline}` : ''}; scores are on the private part of the test set.`;
  } else if (info.frozen || board?.frozen) {
    el.className = 'banner frozen';
    el.textContent = `The leaderboard is frozen${deadline ? ` (deadline ${deadline})` : ''}: no more submissions; the final ranking follows.`;
  } else {
    el.className = 'banner live';
    el.textContent = `Open for submissions${deadline ? ` until ${deadline}` : ''} · ${info.perDay} per task per day · ` +
      'scores on the public part of the test set until the deadline.';
  }
}

async function main() {
  const state = (window.ttLeaderboard = { boards: {}, updates: 0, live: 'connecting' });
  const info = await api.available();
  state.available = Boolean(info);
  if (!info) {
    $('banner').className = 'banner static';
    $('banner').textContent = 'The leaderboard is not available on this site: it is served as static files (without ' +
      'serve.py --leaderboard). Ask your instructor for the class server\'s address.';
    document.body.dataset.state = 'unavailable';
    return;
  }
  state.info = info;
  $('board-area').hidden = false;
  const chart = scatterChart($('scatter'));
  const mine = minePanel(document, state);
  const taskOf = (id) => info.tasks.find((t) => t.id === id);

  const draw = () => {
    const board = state.boards[state.task];
    if (!board) return;
    renderBoard(document, taskOf(state.task), board, { previous: state.drawn?.task === state.task ? state.drawn.board : null,
      myName: identity.name() });
    state.drawn = { task: state.task, board };
    chart.draw(taskOf(state.task), board);
    banner(info, board);
  };
  const load = async (task) => {
    try {
      state.boards[task] = await api.board(task);
      state.updates++;
      if (task === state.task) draw();
    } catch (error) {
      $('banner').className = 'banner static';
      $('banner').textContent = `The board of ${task} could not be loaded: ${error.message}`;
    }
  };
  const chooser = tabs($('tabs'), info.tasks.map((t) => ({ id: t.id, label: t.title ?? t.id })), (id) => {
    state.task = id;
    history.replaceState(null, '', `#${id}`);
    if (state.boards[id]) draw();
    load(id);
  });
  exportPanel(document, () => state.task);
  const wanted = location.hash.slice(1);
  chooser.select(info.tasks.some((t) => t.id === wanted) ? wanted : info.tasks[0].id);
  banner(info, null);

  liveEvents(api.eventsUrl(), {
    onBoard: ({ task }) => { if (task === state.task) load(task); else delete state.boards[task]; },
    onSubmission: ({ id }) => { if (mine.owns(id)) mine.refresh(); },
    onOpen: () => { load(state.task); mine.refresh(); },
    onState: (s) => {
      state.live = s;
      $('live-dot').className = `live-dot ${s}`;
      $('live-state').textContent = s === 'live' ? 'live: updates as submissions are evaluated' : 'reconnecting…';
    },
  });
  document.body.dataset.state = 'ready';
}

main().catch((error) => {
  document.body.dataset.state = 'failed';
  $('banner').className = 'banner static';
  $('banner').textContent = `The leaderboard could not start: ${error.message}`;
  console.error(error);
});
