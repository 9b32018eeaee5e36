// Live leaderboard events (GET /api/leaderboard/events, server-sent events): `board` {task} when a ranking changed,
// `submission` {id, status} when a submission moved on. EventSource retries a dropped stream by itself; when the
// server refuses it (a restart answering 5xx, a proxy) the source closes for good, so this reopens it with a growing
// delay. Every (re)open calls onOpen: whatever changed while the stream was down is fetched again there.
//
// liveEvents(url, {onBoard, onSubmission, onOpen, onState}) → {close()}; onState('live' | 'reconnecting').
export function liveEvents(url, { onBoard = () => {}, onSubmission = () => {}, onOpen = () => {}, onState = () => {} } = {}) {
  let source = null, timer = null, closed = false, delay = 1000;
  const parse = (event) => {
    try { return JSON.parse(event.data); } catch { return null; }
  };
  const open = () => {
    source = new EventSource(url);
    source.onopen = () => {
      delay = 1000;
      onState('live');
      onOpen();
    };
    source.addEventListener('board', (e) => { const d = parse(e); if (d) onBoard(d); });
    source.addEventListener('submission', (e) => { const d = parse(e); if (d) onSubmission(d); });
    source.onerror = () => {
      onState('reconnecting');
      if (source.readyState !== EventSource.CLOSED || closed) return;  // the browser retries by itself
      timer = setTimeout(open, delay);
      delay = Math.min(delay * 2, 30_000);
    };
  };
  open();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      source?.close();
    },
  };
}
