// The instructor's CSV export of a task (GET /api/leaderboard/export.csv with the instructor token in the
// Authorization header, never in a URL), downloaded as a file. The token is kept apart from the students' tokens.
import { h } from '../course/shell.mjs';
import * as api from '../milestones/competition/api.mjs';
import { identity } from '../milestones/competition/identity.mjs';

export function exportPanel(doc, currentTask) {
  const $ = (id) => doc.getElementById(id);
  $('export-token').value = identity.instructorToken();
  $('export-form').onsubmit = async (e) => {
    e.preventDefault();
    const token = $('export-token').value.trim();
    $('export-error').textContent = '';
    try {
      const { blob, filename } = await api.exportCsv(currentTask(), token);
      identity.rememberInstructor(token);
      const a = h('a', { href: URL.createObjectURL(blob), download: filename });
      doc.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    } catch (error) {
      $('export-error').textContent = error.message;
    }
  };
}
