#!/usr/bin/env python3
"""Serves the built course (build/site) on 127.0.0.1:8000: the static files only, stdlib only.

- the right MIME types (.wasm as application/wasm, .mjs as JavaScript), precompressed .gz twins when the
  client accepts gzip (the in-browser compiler is 75 MB raw, 23 MB gzipped);
- Cross-Origin-Opener/Embedder-Policy headers, so pages are cross-origin isolated and may use threads;
- nothing outside the site root: paths are resolved and checked, traversal attempts get 404;
- when the site is not built, it says how to build it.

usage: python3 serve.py [--root DIR] [--host HOST] [--port PORT]   (--port 0 picks a free port; the first
line printed is then "PORT n", for test harnesses)
"""
import argparse
import email.utils
import http.server
import os
import posixpath
import sys
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


class SiteHandler(http.server.BaseHTTPRequestHandler):
    server_version = "TinyTorchServe/1"
    root = ""  # set by main()
    isolate = True  # send COOP/COEP (main(): --no-isolate turns it off)

    def do_GET(self):
        self.respond(with_body=True)

    def do_HEAD(self):
        self.respond(with_body=False)

    def resolve(self):
        """The file a request names, or None when it does not exist or lies outside the root."""
        path = urllib.parse.urlsplit(self.path).path
        path = urllib.parse.unquote(path, errors="strict")
        if "\x00" in path or "\\" in path:
            return None
        parts = [p for p in path.split("/") if p not in ("", ".")]
        if any(p == ".." for p in parts):
            return None
        full = os.path.realpath(os.path.join(self.root, *parts))
        if full != self.root and not full.startswith(self.root + os.sep):
            return None
        if os.path.isdir(full):
            full = os.path.join(full, "index.html")
        return full if os.path.isfile(full) else None

    def respond(self, with_body):
        try:
            full = self.resolve()
        except UnicodeDecodeError:
            full = None
        if full is None:
            self.send_error(404, "Not found")
            return
        ext = posixpath.splitext(full)[1].lower()
        ctype = MIME.get(ext, "application/octet-stream")
        send = full
        gz = full + ".gz"
        encoding = None
        if "gzip" in self.headers.get("Accept-Encoding", "") and os.path.isfile(gz) \
                and os.path.getmtime(gz) >= os.path.getmtime(full):
            send, encoding = gz, "gzip"
        stat = os.stat(send)
        last_modified = email.utils.formatdate(stat.st_mtime, usegmt=True)
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                if int(email.utils.parsedate_to_datetime(since).timestamp()) >= int(stat.st_mtime):
                    self.send_response(304)
                    self.send_common_headers(last_modified)
                    self.end_headers()
                    return
            except (TypeError, ValueError, OverflowError):
                pass
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(stat.st_size))
        if encoding:
            self.send_header("Content-Encoding", encoding)
        self.send_common_headers(last_modified)
        self.end_headers()
        if with_body:
            with open(send, "rb") as f:
                try:
                    while chunk := f.read(1 << 20):
                        self.wfile.write(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    pass

    def send_common_headers(self, last_modified):
        self.send_header("Last-Modified", last_modified)
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Vary", "Accept-Encoding")
        if self.isolate:
            self.send_header("Cross-Origin-Opener-Policy", "same-origin")
            self.send_header("Cross-Origin-Embedder-Policy", "require-corp")
            self.send_header("Cross-Origin-Resource-Policy", "same-origin")

    def log_message(self, fmt, *args):
        if os.environ.get("TT_SERVE_QUIET"):
            return
        super().log_message(fmt, *args)


def main():
    parser = argparse.ArgumentParser(description="Serve the built TinyTorch course.")
    parser.add_argument("--root", default=os.path.join(HERE, "build", "site"), help="site folder (build/site)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (8000; 0 picks a free one)")
    parser.add_argument("--no-isolate", action="store_true",
                        help="omit COOP/COEP: pages are not cross-origin isolated and run the single-threaded engine")
    args = parser.parse_args()

    root = os.path.realpath(args.root)
    if not os.path.isfile(os.path.join(root, "index.html")):
        print(f"serve.py: no built site in {root}\n"
              f"Build it first:   make site      (or 'make serve' to set up, build and serve in one step)",
              file=sys.stderr)
        return 1
    SiteHandler.root = root
    SiteHandler.isolate = not args.no_isolate
    try:
        server = http.server.ThreadingHTTPServer((args.host, args.port), SiteHandler)
    except OSError as e:
        print(f"serve.py: cannot listen on {args.host}:{args.port}: {e.strerror}"
              f" (is another server running? try --port)", file=sys.stderr)
        return 1
    port = server.server_address[1]
    if args.port == 0:
        print(f"PORT {port}", flush=True)
    print(f"Serving {root} at http://{args.host}:{port}/  (Ctrl+C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
