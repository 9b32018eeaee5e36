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

// A display name the board can show: 1-40 characters, no control characters. → error message or null.
export function nameProblem(name) {
  const n = name.trim();
  if (!n) return 'choose a display name (it is all the board shows about you)';
  if (n.length > 40) return `the display name is ${n.length} characters; at most 40`;
  if (/[\u0000-\u001f\u007f]/.test(n)) return 'the display name has control characters';
  return null;
}
