"""Server-sent events: every open /api/leaderboard/events stream gets each change (a bounded queue per client; a
client too slow to drain 1,000 events loses the oldest, then reloads the board on the next one it gets)."""
import json
import queue
import threading


class Hub:
    def __init__(self):
        self.lock = threading.Lock()
        self.clients = set()

    def subscribe(self):
        q = queue.Queue(maxsize=1000)
        with self.lock:
            self.clients.add(q)
        return q

    def unsubscribe(self, q):
        with self.lock:
            self.clients.discard(q)

    def publish(self, event, data):
        message = f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()
        with self.lock:
            clients = list(self.clients)
        for q in clients:
            try:
                q.put_nowait(message)
            except queue.Full:
                try:
                    q.get_nowait()
                    q.put_nowait(message)
                except (queue.Empty, queue.Full):
                    pass


def stream(handler, hub, heartbeat):
    """Serves one event stream on handler (serve.py's request handler) until the client goes away."""
    handler.close_connection = True  # no Content-Length: the stream ends with the connection
    handler.send_response(200)
    handler.send_header("Content-Type", "text/event-stream")
    handler.send_header("Cache-Control", "no-cache")
    handler.end_headers()
    q = hub.subscribe()
    try:
        handler.wfile.write(b"retry: 2000\n\n")
        handler.wfile.flush()
        while True:
            try:
                message = q.get(timeout=heartbeat)
            except queue.Empty:
                message = b": heartbeat\n\n"
            handler.wfile.write(message)
            handler.wfile.flush()
    except (ConnectionError, TimeoutError, OSError):
        pass
    finally:
        hub.unsubscribe(q)
