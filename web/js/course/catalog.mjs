// The course's shape: 17 modules in four phases and the four milestones they unlock. Pure data, no DOM.
// What a module is — its title, blurb, engine files and checks — is written once, in lessons/NN_name/lesson.json,
// and reaches the pages through the lesson index (lessons/index.json, written by scripts/build-site.mjs). This file
// only orders the modules into phases and says what each phase unlocks.

export const PHASES = [
  { id: 'foundation', title: 'Foundation', modules: ['01', '02', '03', '04', '05'] },
  { id: 'training', title: 'Training & Vision', modules: ['06', '07', '08', '09', '10'] },
  { id: 'language', title: 'Language', modules: ['11', '12', '13', '14'] },
  { id: 'systems', title: 'Systems', modules: ['15', '16', '17'] },
];

// Every module in course order, by id; its lesson.json fills in the rest.
export const MODULES = PHASES.flatMap((p) => p.modules.map((id) => ({ id })));

// A milestone opens when every module up to and including `after` has passed; that module's lesson.json lists
// `milestone-<id>` in its "unlocks" (tests/node/course-catalog.test.mjs keeps the two in agreement). `page`: its
// page in the site; the map links it only when the site build lists it (site-pages.json), so a milestone without a
// page yet shows no link. `also`: a page that goes with the milestone and is open to everyone, locked or not (the
// class leaderboard can be watched before one's own model is ready).
export const MILESTONES = [
  { id: 'inference', title: 'Pretrained inference', after: '05', page: 'milestone-inference.html',
    blurb: 'Run XOR, MNIST and CNN models on your own framework' },
  { id: 'cnn-training', title: 'CNN training', after: '10', page: 'milestone-cnn-training.html',
    blurb: 'Train a CNN with live loss and accuracy charts' },
  { id: 'tinygpt', title: 'TinyGPT', after: '14', page: 'milestone-tinygpt.html',
    blurb: 'Train and sample a small GPT in the page' },
  { id: 'competition', title: 'Competition', after: '17', page: 'milestone-competition.html',
    blurb: 'Submit an optimised model to the class leaderboard', also: { page: 'leaderboard.html', label: 'Leaderboard' } },
];

export function phaseOf(id) {
  return PHASES.find((p) => p.modules.includes(id)) ?? null;
}

// "01_setup" → "01"
export function moduleIdOfLesson(lesson) {
  const key = String(lesson.id ?? lesson.dir ?? '');
  const m = /(\d\d)/.exec(key.split('/').pop());
  return m ? m[1] : null;
}
