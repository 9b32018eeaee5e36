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
