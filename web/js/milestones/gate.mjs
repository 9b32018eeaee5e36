// Whether a milestone is open, by the course app's own rules (web/js/course/unlocks.mjs): every module up to and
// including the milestone's `after` has passed, as recorded in the browser's progress store.
import { openStore, loadLessonIndex } from '../course/shell.mjs';
import { courseState } from '../course/unlocks.mjs';

// → { unlocked, remaining: ['03', ...], milestone }
export async function milestoneGate(id) {
  const store = openStore();
  const lessons = await loadLessonIndex();
  const milestone = courseState(lessons, store.state).milestones.find((m) => m.id === id);
  if (!milestone) throw new Error(`unknown milestone '${id}'`);
  return { unlocked: milestone.state === 'unlocked', remaining: milestone.remaining, milestone };
}

// The page side of the gate, the same on every milestone page: a locked milestone shows #locked with the modules
// still to pass (#locked-remaining) and marks body[data-state="locked"]; an open one shows #content. → unlocked?
export async function openMilestone(id) {
  const gate = await milestoneGate(id);
  const $ = (name) => document.getElementById(name);
  if (!gate.unlocked) {
    $('locked-remaining').textContent = gate.remaining.join(', ');
    $('locked').hidden = false;
    document.body.dataset.state = 'locked';
    return false;
  }
  $('content').hidden = false;
  return true;
}
