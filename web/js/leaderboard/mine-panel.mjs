// "My submissions": the history of the class token's submissions (GET /api/leaderboard/mine), every status and
// result, the token remembered as on the milestone page. refresh() is called by the page when one of them moves on.
import { h } from '../course/shell.mjs';
import * as api from '../milestones/competition/api.mjs';
import { identity } from '../milestones/competition/identity.mjs';
import { formatBytes, formatMetric, formatMs } from '../milestones/competition/format.mjs';

export function minePanel(doc, state) {
  const $ = (id) => doc.getElementById(id);
  $('mine-token').value = identity.token();
  let token = identity.token();

  async function refresh() {
    if (!token) return;
    try {
      const { submissions } = await api.mine(token);
      state.mine = submissions;
      $('mine-error').textContent = '';
      $('mine-table').tBodies[0].replaceChildren(...submissions.map((s) => {
        const r = s.result ?? {};
        const metric = r.bitsPerChar !== undefined ? 'bitsPerChar' : 'accuracy';
        return h('tr', { dataset: { id: s.id } }, h('td', {}, s.task), h('td', {}, s.name),
          h('td', { class: `status-${s.status}` }, s.status + (s.error ? `: ${s.error}` : '') +
            (r.violations?.length ? ` (unranked: ${r.violations.join('; ')})` : '')),
          h('td', {}, formatMetric(r[metric], metric)), h('td', {}, formatMs(r.latencyMs)), h('td', {}, formatBytes(r.bytes)),
          h('td', {}, h('code', {}, s.id)));
      }));
      $('mine-table').hidden = false;
    } catch (error) {
      state.mine = null;
      $('mine-table').hidden = true;
      $('mine-error').textContent = error.message;
    }
  }

  $('mine-form').onsubmit = (e) => {
    e.preventDefault();
    token = $('mine-token').value.trim();
    if (!token) { $('mine-error').textContent = 'enter your class token'; return; }
    identity.remember({ token });
    refresh();
  };
  return { refresh, owns: (id) => (state.mine ?? []).some((s) => s.id === id) };
}
