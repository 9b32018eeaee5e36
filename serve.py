#!/usr/bin/env python3
"""Serves the built course (build/site) on 127.0.0.1:8000: the static files only, stdlib only, for a whole class.

- the right MIME types (.wasm as application/wasm, .mjs as JavaScript), precompressed .gz twins when the
  client accepts gzip (the in-browser compiler is 75 MB raw, 23 MB gzipped); `gzip;q=0` means no gzip;
- Cross-Origin-Opener/Embedder/Resource-Policy headers on every response, so pages are cross-origin isolated
  and may use threads (--no-isolate leaves them out: the single-threaded engine runs);
- HTTP/1.1 keep-alive, ETag/If-None-Match (304) and single byte ranges (206/416);
- a listen backlog of 256 and a timeout (--timeout, 30 s): a connection that sends no complete request head
  within it, or takes no data for that long while a file is sent, is closed, so idle and slow clients do not
  hold threads;
- nothing outside the site root: paths (and the .gz twins) are resolved and checked, traversal attempts get 404;
- when the site is not built, it says how to build it.

usage: python3 serve.py [--root DIR] [--host HOST] [--port PORT] [--timeout SECONDS] [--no-isolate]
                       [--leaderboard CLASS_DIR [--tt PATH]]
       python3 serve.py leaderboard-init CLASS_DIR [--tokens N] [--deadline ISO8601] [--per-day N] [--cifar SOURCE]
(--port 0 picks a free port; the first line printed is then "PORT n", for test harnesses)
With --leaderboard the class competition's API is served under /api/leaderboard/ (the leaderboard/ package next to
this file; docs/leaderboard.md); without it those paths are 404 and the site is static.
Hosting the site elsewhere: docs/hosting.md.
"""
import argparse
import email.utils
import http.server
import io
import os
import posixpath
import re
import socket
import sys
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))

MIME = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".md": "text/markdown; charset=utf-8",
    ".wasm": "application/wasm",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".ttf": "font/ttf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".txt": "text/plain; charset=utf-8",
    ".cpp": "text/plain; charset=utf-8",
    ".h": "text/plain; charset=utf-8",
    ".tar": "application/x-tar",
}

# Cache policy. Our own files (HTML, JSON manifests, scripts, the engine, lessons, student artifacts) change
# together on every `make site` and must match each other, so the browser revalidates them on every use
# (no-cache): an unchanged file costs one 304 thanks to the ETag. vendor/ holds third-party copies (the 75 MB
# compiler, Monaco, KaTeX) that change only when package-lock.json does: a browser may reuse them for an hour
# without asking (a lesson page loads ~100 of them), after which it revalidates; the hour bounds how long a
# stale copy can outlive an upgrade. HTML and JSON are never cached that way, wherever they are.
VENDOR_CACHE = "max-age=3600, must-revalidate"
REVALIDATE = "no-cache"

UNSATISFIABLE = "unsatisfiable"


def accepts_gzip(accept_encoding):
    """Whether an Accept-Encoding value admits gzip: named (or x-gzip) with q > 0, else covered by '*' with q > 0."""
    weights = {}
    for item in accept_encoding.split(","):
        name, _, params = item.partition(";")
        name = name.strip().lower()
        if not name:
            continue
        weight = 1.0
        for param in params.split(";"):
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value.strip())
                except ValueError:
                    weight = 0.0
        weights[name] = weight
    for name in ("gzip", "x-gzip"):
        if name in weights:
            return weights[name] > 0
    return weights.get("*", 0.0) > 0


def parse_range(header, size):
    """(first, last) byte of a single satisfiable range, UNSATISFIABLE, or None to send the whole file
    (several ranges, or a malformed header, which RFC 9110 says to ignore)."""
    m = re.fullmatch(r"\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*", header)
    if not m or m.group(1) == m.group(2) == "":
        return None
    try:
        first = int(m.group(1)) if m.group(1) else None
        last = int(m.group(2)) if m.group(2) else None
    except ValueError:  # more digits than int() accepts
        return None
    if first is None:  # suffix range: the last n bytes
        return UNSATISFIABLE if last == 0 or size == 0 else (max(0, size - last), size - 1)
    if first >= size:
        return UNSATISFIABLE
    if last is not None and last < first:
        return None
    return first, size - 1 if last is None else min(last, size - 1)


class _HeadDeadline(io.RawIOBase):
    """Socket reads under a deadline while a request head arrives: a client trickling bytes (or sending nothing)
    is cut off when the deadline passes, not just when one read stalls."""

    def __init__(self, raw, sock, timeout):
        super().__init__()
        self.raw, self.sock, self.timeout = raw, sock, timeout
        self.deadline = None

    def readable(self):
        return True

    def readinto(self, buffer):
        if self.deadline is not None:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("request head not received in time")
            self.sock.settimeout(min(left, self.timeout))
        return self.raw.readinto(buffer)

    def close(self):
        self.raw.close()
        super().close()


class SiteServer(http.server.ThreadingHTTPServer):
    # A class opening the page at once: the default backlog of 5 drops connections (the kernel caps this value
    # at net.core.somaxconn).
    request_queue_size = 256
    daemon_threads = True

    def handle_error(self, request, client_address):
        # Browsers drop connections mid-response all the time (navigation, cancelled fetches): not worth a traceback.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class SiteHandler(http.server.BaseHTTPRequestHandler):
    server_version = "TinyTorchServe/2"
    protocol_version = "HTTP/1.1"
    root = ""  # set by main()
    isolate = True  # send COOP/COEP/CORP (main(): --no-isolate turns it off)
    timeout = 30.0  # seconds (main(): --timeout); StreamRequestHandler applies it to the socket
    leaderboard = None  # main(): a leaderboard.api.Leaderboard with --leaderboard CLASS_DIR

    def setup(self):
        super().setup()
        self.body_may_be_unread = False
        self.head_reader = _HeadDeadline(self.rfile.detach(), self.connection, self.timeout)
        self.rfile = io.BufferedReader(self.head_reader)

    def handle_one_request(self):
        self.head_reader.deadline = time.monotonic() + self.timeout
        try:
            if not self.rfile.peek(1):  # the client closed the connection
                self.close_connection = True
                return
        except (TimeoutError, ConnectionError):  # an idle keep-alive connection ran out its time: routine
            self.close_connection = True
            return
        super().handle_one_request()

    def parse_request(self):
        ok = super().parse_request()
        # The head is in; from now on the timeout bounds each wait for the client to take data.
        self.head_reader.deadline = None
        self.connection.settimeout(self.timeout)
        if ok and (self.headers.get("Content-Length", "0").strip() != "0" or "Transfer-Encoding" in self.headers):
            self.close_connection = True  # request bodies are never read, so the stream cannot carry another request
            self.body_may_be_unread = True
        return ok

    def finish(self):
        super().finish()
        if self.body_may_be_unread:
            self.linger()

    def linger(self, seconds=5.0, limit=16 << 20):
        """Read and drop what is left of a request body after answering it (a 404, 401, 413...), then close.

        Closing a socket with unread bytes in it makes the kernel send a reset, which can destroy the answer on its
        way and fail the client's upload mid-send; so the server half-closes and lets the client finish, up to a
        time and byte bound (a client still sending after those is cut off)."""
        try:
            self.connection.shutdown(socket.SHUT_WR)
            end, dropped = time.monotonic() + seconds, 0
            while dropped < limit:
                left = end - time.monotonic()
                if left <= 0:
                    break
                self.connection.settimeout(left)
                chunk = self.connection.recv(65536)
                if not chunk:
                    break
                dropped += len(chunk)
        except OSError:  # the client went away or timed out: nothing more to protect
            pass

    def end_headers(self):
        # Here rather than per response, so that errors carry them too (404, 416, the base class's 400/501): an
        # error page opened in a tab or a frame is a document of the site, and must stay as isolated as the rest.
        if self.isolate:
            self.send_header("Cross-Origin-Opener-Policy", "same-origin")
            self.send_header("Cross-Origin-Embedder-Policy", "require-corp")
            self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        super().end_headers()

    def api(self, method):
        """True when the request was for the leaderboard API (answered here; 404 when it is not enabled)."""
        if not self.path.startswith("/api/leaderboard/") and self.path.split("?")[0] != "/api/leaderboard":
            return False
        if self.leaderboard is None:
            self.close_connection = method == "POST"
            self.send_text(404, "Not found (the leaderboard is not enabled: serve.py --leaderboard CLASS_DIR)\n")
        else:
            self.leaderboard.handle(self, method)
        return True

    def do_GET(self):
        if not self.api("GET"):
            self.respond(with_body=True)

    def do_HEAD(self):
        if not self.api("HEAD"):
            self.respond(with_body=False)

    def do_POST(self):
        if not self.api("POST"):  # the site itself is static: what the base class answers without do_POST
            self.send_error(501, f"Unsupported method ({self.command!r})")

    def inside_root(self, path):
        """path's real location when it lies inside the root, else None (symlinks pointing out are refused)."""
        real = os.path.realpath(path)
        return real if real == self.root or real.startswith(self.root + os.sep) else None

    def resolve(self):
        """The file a request names, or None when it does not exist or lies outside the root."""
        path = urllib.parse.urlsplit(self.path).path
        path = urllib.parse.unquote(path, errors="strict")
        if "\x00" in path or "\\" in path:
            return None
        parts = [p for p in path.split("/") if p not in ("", ".")]
        if any(p == ".." for p in parts):
            return None
        full = self.inside_root(os.path.join(self.root, *parts))
        if full and os.path.isdir(full):
            full = self.inside_root(os.path.join(full, "index.html"))
        return full if full and os.path.isfile(full) else None

    def gzip_twin(self, full):
        """The .gz twin to send instead of full, if the client accepts gzip and a fresh twin lies inside the root."""
        if not accepts_gzip(self.headers.get("Accept-Encoding", "")):
            return None
        gz = self.inside_root(full + ".gz")
        try:
            return gz if gz and os.path.isfile(gz) and os.path.getmtime(gz) >= os.path.getmtime(full) else None
        except OSError:
            return None

    def send_text(self, code, text, headers=()):
        body = text.encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        if all(name != "Cache-Control" for name, _ in headers):
            self.send_header("Cache-Control", REVALIDATE)
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def not_modified(self, etag, mtime):
        inm = self.headers.get("If-None-Match")
        if inm is not None:  # takes precedence over If-Modified-Since (RFC 9110 13.2.2)
            tags = [t.strip() for t in inm.split(",")]
            return "*" in tags or any(t.removeprefix("W/") == etag for t in tags)
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                return int(email.utils.parsedate_to_datetime(since).timestamp()) >= int(mtime)
            except (TypeError, ValueError, OverflowError):
                pass
        return False

    def respond(self, with_body):
        try:
            full = self.resolve()
        except UnicodeDecodeError:
            full = None
        if full is None:
            self.send_text(404, "Not found\n")
            return
        ext = posixpath.splitext(full)[1].lower()
        ctype = MIME.get(ext, "application/octet-stream")
        gz = self.gzip_twin(full)
        try:
            f = open(gz or full, "rb")
        except OSError:
            self.send_text(404, "Not found\n")
            return
        with f:
            stat = os.fstat(f.fileno())
            size = stat.st_size
            # Per representation: the gzip twin and the plain file must never share a tag (ranges, caches).
            etag = f'"{stat.st_mtime_ns:x}-{size:x}{"-gz" if gz else ""}"'
            last_modified = email.utils.formatdate(stat.st_mtime, usegmt=True)
            rel = os.path.relpath(full, self.root).replace(os.sep, "/")
            cache = VENDOR_CACHE if rel.startswith("vendor/") and ext not in (".html", ".json") else REVALIDATE
            validators = [("ETag", etag), ("Last-Modified", last_modified), ("Cache-Control", cache),
                          ("Vary", "Accept-Encoding")]
            if self.not_modified(etag, stat.st_mtime):
                self.send_response(304)
                # RFC 9110 8.6: a 304 may carry the length the 200 would have; it never has a body.
                self.send_header("Content-Length", str(size))
                for name, value in validators:
                    self.send_header(name, value)
                self.end_headers()
                return
            first, length, status = 0, size, 200
            wanted = self.headers.get("Range")
            if_range = self.headers.get("If-Range")
            if wanted and (if_range is None or if_range.strip() in (etag, last_modified)):
                span = parse_range(wanted, size)
                if span == UNSATISFIABLE:
                    self.send_text(416, "Range not satisfiable\n", [("Content-Range", f"bytes */{size}")] + validators)
                    return
                if span:
                    first, length, status = span[0], span[1] - span[0] + 1, 206
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(length))
            if gz:
                self.send_header("Content-Encoding", "gzip")
            if status == 206:
                self.send_header("Content-Range", f"bytes {first}-{first + length - 1}/{size}")
            self.send_header("Accept-Ranges", "bytes")
            for name, value in validators:
                self.send_header(name, value)
            self.end_headers()
            if not with_body or length == 0:
                return
            try:
                # sendfile: the kernel copies; with a socket timeout set, each wait for the client is bounded.
                sent = self.connection.sendfile(f, first, length)
            except ConnectionError:
                sent = None
            if sent != length:  # client gone or file shrank under us: the framing is broken, end the connection
                self.close_connection = True

    def log_message(self, fmt, *args):
        if os.environ.get("TT_SERVE_QUIET"):
            return
        super().log_message(fmt, *args)


def positive_seconds(text):
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return value


def leaderboard_init(argv):
    from leaderboard import classdir
    parser = argparse.ArgumentParser(prog="serve.py leaderboard-init",
                                     description="Create a class folder for the leaderboard (docs/leaderboard.md).")
    parser.add_argument("class_dir")
    parser.add_argument("--tokens", type=int, default=30, help="student tokens to create (30)")
    parser.add_argument("--deadline", help="ISO 8601 UTC time when the board freezes, e.g. 2027-01-31T23:59:00Z")
    parser.add_argument("--per-day", type=int, help="submissions per token, task and UTC day (10)")
    parser.add_argument("--hidden", default=os.path.join(HERE, "build", "hidden"),
                        help="the hidden sets (build/hidden, written by datasets/pack.py)")
    parser.add_argument("--cifar", metavar="SOURCE",
                        help="CIFAR-10's hidden set from the official binary archive (cifar-10-binary.tar.gz), its "
                             "cifar-10-batches-bin folder or test_batch.bin, instead of build/hidden")
    args = parser.parse_args(argv)
    if args.deadline:
        from leaderboard.api import parse_deadline
        try:
            parse_deadline(args.deadline)
        except ValueError:
            parser.error(f"--deadline {args.deadline!r} is not an ISO 8601 time")
    classdir.init(args.class_dir, args.hidden, args.tokens, args.deadline, args.per_day, cifar=args.cifar)
    return 0


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "leaderboard-init":
        return leaderboard_init(sys.argv[2:])
    parser = argparse.ArgumentParser(description="Serve the built TinyTorch course.")
    parser.add_argument("--root", default=os.path.join(HERE, "build", "site"), help="site folder (build/site)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (8000; 0 picks a free one)")
    parser.add_argument("--timeout", type=positive_seconds, default=SiteHandler.timeout,
                        help="seconds a client may take to send a request head, or stall while receiving (30)")
    parser.add_argument("--no-isolate", action="store_true",
                        help="omit COOP/COEP/CORP: pages are not cross-origin isolated and run the "
                             "single-threaded engine")
    parser.add_argument("--leaderboard", metavar="CLASS_DIR",
                        help="also serve the class competition's API from this folder (serve.py leaderboard-init)")
    parser.add_argument("--tt", default=os.path.join(HERE, "build", "native", "tt"),
                        help="the native tool that evaluates submissions (build/native/tt)")
    parser.add_argument("--heartbeat", type=positive_seconds, default=15.0, help=argparse.SUPPRESS)
    args = parser.parse_args()

    root = os.path.realpath(args.root)
    if not os.path.isfile(os.path.join(root, "index.html")):
        print(f"serve.py: no built site in {root}\n"
              f"Build it first:   make site      (or 'make serve' to set up, build and serve in one step)",
              file=sys.stderr)
        return 1
    SiteHandler.root = root
    SiteHandler.isolate = not args.no_isolate
    SiteHandler.timeout = args.timeout
    if args.leaderboard:
        from leaderboard.api import Leaderboard
        SiteHandler.leaderboard = Leaderboard(args.leaderboard, os.path.realpath(args.tt), heartbeat=args.heartbeat)
    try:
        server = SiteServer((args.host, args.port), SiteHandler)
    except OSError as e:
        print(f"serve.py: cannot listen on {args.host}:{args.port}: {e.strerror}"
              f" (is another server running? try --port)", file=sys.stderr)
        return 1
    port = server.server_address[1]
    if args.port == 0:
        print(f"PORT {port}", flush=True)
    print(f"Serving {root} at http://{args.host}:{port}/  (Ctrl+C to stop)", flush=True)
    if args.leaderboard:
        print(f"Leaderboard of {os.path.realpath(args.leaderboard)} at http://{args.host}:{port}/api/leaderboard/",
              flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
