// The class leaderboard's HTTP API (serve.py --leaderboard CLASS_DIR; the contract is docs/leaderboard.md): one
// function per endpoint. Errors are thrown as LeaderboardError carrying the server's own message and status, so a
// page can show "wrong class token" exactly as the server words it. On a static site (no --leaderboard) the paths
// are 404: available() says so before anything else is asked.
const base = new URL('../../../api/leaderboard/', import.meta.url);

export class LeaderboardError extends Error {
  constructor(message, status) {
    super(message);
    this.name = 'LeaderboardError';
    this.status = status;
  }
}

const auth = (token) => (token ? { Authorization: `Bearer ${token}` } : {});

async function request(path, { method = 'GET', token = null, body = null, headers = {} } = {}) {
  let response;
  try {
    response = await fetch(new URL(path, base), { method, body, headers: { ...auth(token), ...headers }, cache: 'no-store' });
  } catch (error) {
    throw new LeaderboardError(`the leaderboard server cannot be reached (${error.message})`, 0);
  }
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON: a static server's 404 page, a proxy's error */ }
  if (!response.ok) {
    throw new LeaderboardError(json?.error ?? `HTTP ${response.status} from ${method} /api/leaderboard/${path}`, response.status);
  }
  if (json === null) throw new LeaderboardError(`${method} /api/leaderboard/${path}: the answer is not JSON`, response.status);
  return json;
}

// → the tasks document ({tasks, deadline, frozen, perDay}), or null when this site has no leaderboard (404).
export async function available() {
  try {
    return await request('tasks');
  } catch (error) {
    if (error.status === 404) return null;
    throw error;
  }
}

export const tasks = () => request('tasks');

// bytes: the safetensors file (Uint8Array). → {id, status}
export function submit({ task, name, token, bytes }) {
  const query = new URLSearchParams({ task, name });
  return request(`submissions?${query}`, { method: 'POST', token, body: bytes,
    headers: { 'Content-Type': 'application/octet-stream' } });
}

export const submission = (id) => request(`submissions/${encodeURIComponent(id)}`);
export const board = (task) => request(`board?${new URLSearchParams({ task })}`);
export const mine = (token) => request('mine', { token });

// The instructor's CSV export is fetched with the token in a header (never in a URL, which would land in logs and
// history) and handed to the browser as a download. → {blob, filename}
export async function exportCsv(task, token) {
  let response;
  try {
    response = await fetch(new URL(`export.csv?${new URLSearchParams({ task })}`, base), { headers: auth(token), cache: 'no-store' });
  } catch (error) {
    throw new LeaderboardError(`the leaderboard server cannot be reached (${error.message})`, 0);
  }
  if (!response.ok) {
    const text = await response.text();
    let message = `HTTP ${response.status}`;
    try { message = JSON.parse(text).error ?? message; } catch { /* keep the status */ }
    throw new LeaderboardError(message, response.status);
  }
  return { blob: await response.blob(), filename: `leaderboard-${task}.csv` };
}

export const eventsUrl = () => new URL('events', base).href;
