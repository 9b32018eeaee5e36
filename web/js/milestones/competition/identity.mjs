// What the browser remembers for the leaderboard, in localStorage and nothing else: the class token (given by the
// instructor; it identifies the student's submissions to the server) and the display name the student chose. No
// other personal data is asked for or kept. The instructor's token (CSV export) is kept apart from the student's.
const KEYS = { token: 'tinytorch.leaderboard.token', name: 'tinytorch.leaderboard.name',
  instructor: 'tinytorch.leaderboard.instructor' };

const read = (key) => {
  try { return localStorage.getItem(key) ?? ''; } catch { return ''; }
};
const write = (key, value) => {
  try {
    if (value) localStorage.setItem(key, value);
    else localStorage.removeItem(key);
  } catch { /* storage disabled: the fields still work for this visit */ }
};

export const identity = {
  token: () => read(KEYS.token),
  name: () => read(KEYS.name),
  instructorToken: () => read(KEYS.instructor),
  remember({ token, name }) {
    if (token !== undefined) write(KEYS.token, token.trim());
    if (name !== undefined) write(KEYS.name, name.trim());
  },
  rememberInstructor: (token) => write(KEYS.instructor, token.trim()),
};

// Whether a display name is there at all. → error message or null. What a name may contain is the server's rule
// (its 400 names it), not repeated here.
export function nameProblem(name) {
  return name.trim() ? null : 'choose a display name (it is all the board shows about you)';
}
