// Which modules are locked, open, passed or still to be written, and which milestones are unlocked. Pure: it reads
// the lesson index and the progress document and returns plain objects the map and lesson pages render.
import { MODULES, MILESTONES, PHASES, moduleIdOfLesson } from './catalog.mjs';

// lesson.json prerequisites may name lessons ("01_setup") or modules ("01"); default: the module before.
function prerequisitesOf(id, lesson) {
  const list = lesson?.prerequisites;
  if (Array.isArray(list)) return list.map((p) => /(\d\d)/.exec(String(p))?.[1]).filter(Boolean);
  const n = Number(id);
  return n > 1 ? [String(n - 1).padStart(2, '0')] : [];
}

// playable: false drops the lessons whose engine files do not exist yet (they cannot be compiled).
export function lessonsById(lessons, { playable = true } = {}) {
  const map = new Map();
  for (const lesson of lessons ?? []) {
    const id = moduleIdOfLesson(lesson);
    if (id && !(playable && lesson.missing?.length)) map.set(id, lesson);
  }
  return map;
}

// → { modules: [{id, title, blurb, phase, state, passedAt, lesson, prerequisites, waitingFor}], milestones, phases }
// title and blurb come from the module's lesson.json, playable or not ("Module NN" if the index lacks it).
// state: 'coming-soon' (no playable lesson yet) | 'locked' (a prerequisite has not passed) | 'open' | 'passed'
export function courseState(lessons, progress) {
  const byId = lessonsById(lessons);
  const described = lessonsById(lessons, { playable: false });
  const passed = (id) => Boolean(progress.modules[id]?.passedAt);
  const modules = MODULES.map((m) => {
    const lesson = byId.get(m.id) ?? null;
    const title = described.get(m.id)?.title ?? `Module ${m.id}`;
    const blurb = described.get(m.id)?.blurb ?? '';
    const prerequisites = prerequisitesOf(m.id, lesson);
    // A prerequisite that is still coming soon stands aside for its own prerequisites: the course opens in order over
    // the lessons that exist (06 not written yet: 07 waits for 05), and the gap closes by itself when 06 lands.
    const playable = (ids, seen = new Set()) => ids.flatMap((p) => {
      if (byId.has(p) || seen.has(p)) return byId.has(p) ? [p] : [];
      seen.add(p);
      return playable(prerequisitesOf(p, described.get(p)), seen);
    });
    const waitingFor = [...new Set(playable(prerequisites))].filter((p) => !passed(p));
    let state;
    if (passed(m.id)) state = 'passed';  // kept even if the lesson was withdrawn later: the work was done
    else if (!lesson) state = 'coming-soon';
    else if (waitingFor.length) state = 'locked';
    else state = 'open';
    const phase = PHASES.find((p) => p.modules.includes(m.id)).id;
    return { ...m, title, blurb, phase, state, passedAt: progress.modules[m.id]?.passedAt ?? null, lesson, prerequisites, waitingFor };
  });
  const milestones = MILESTONES.map((ms) => {
    const needed = MODULES.filter((m) => m.id <= ms.after).map((m) => m.id);
    const remaining = needed.filter((id) => !passed(id));
    const unavailable = remaining.filter((id) => !byId.has(id));
    return { ...ms, needed, remaining, state: remaining.length === 0 ? 'unlocked' : unavailable.length ? 'coming-soon' : 'locked' };
  });
  const phases = PHASES.map((p) => ({ ...p, modules: modules.filter((m) => m.phase === p.id) }));
  return { modules, milestones, phases };
}

// The module a student should work on next: the first open one.
export function nextModule(course) {
  return course.modules.find((m) => m.state === 'open') ?? null;
}
