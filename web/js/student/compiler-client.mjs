// The handle on the one long-lived compiler worker. Pages and tests use it through session.mjs (createSession), which
// owns one CompilerClient; this layer only compiles and links.
//
//   const compiler = createCompiler({onProgress: ({phase, done, total}) => …});
//   await compiler.ready;                       // artifacts + compiler loaded, warm-up compile done
//   compiler.prepare('01_setup', files);        // optional: compile checks (+ files) before the first Run
//   compiler.compileAhead(files);               // optional: the edited files, while the student types
//   const r = await compiler.build({files: {'engine/core/profile.cpp': text}, lesson: '01_setup'});
//   // r = {ok, stage, diagnostics: [{file, line, column, severity, message, notes}], output, wasm, timings}
//   const run = await runProgram(r.wasm, {files: await compiler.fixtures()});   // the fixtures the checks read
//
// build() request fields:
//   files      {path: text}  the student's file(s) for this module (must be engine sources of the build)
//   lesson     lesson id ("01_setup"): its check files are fetched from the student folder (cached)
//   checks     {path: text}  explicit check sources instead of (or in addition to) the lesson's
//   framework  {path: text}  "your framework": earlier modules' files from the student, replacing the reference
//   program    true: `checks` is a program with its own main() (doctest's main is not linked)
// Unchanged files (checks, framework files) are compiled once per visit and cached by content in the worker.
//
// Compile time limit (compileTimeLimitMs, per file, default 60 s; a number of ms, or a function giving it when a compile
// starts, so that its owner may change it between Runs): a compile runs synchronously inside the worker,
// so a file that takes too long (a runaway template or constexpr recursion, a huge file) is ended by terminating
// the worker. The request whose compile that was (the oldest pending: the worker serves them in order) rejects with
// an Error whose code is 'compile-timeout' (file, limitMs), "compiling tensor.cpp took longer than 60 s: …"; those
// queued behind it never started, and reject with code 'compiler-restarted' (their owner sends them again, e.g. a Run
// of fixed code waiting behind a compile ahead of the runaway text); onExpired(error) is called, and this client is
// spent: the owner (session.mjs) starts a fresh one.
//
// Works in a page (module Worker) and in Node (worker_threads; studentBase/clangUrl default to the repo's files).
import { makeLoader, startWorker } from './worker-port.mjs';

export const DEFAULT_COMPILE_TIME_LIMIT_MS = 60_000;

const inNode = typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined';

function defaults() {
  if (inNode) {
    const dir = process.env.TT_STUDENT_DIR;
    const root = new URL('../../../', import.meta.url);
    return {
      studentBase: dir ? new URL(`file://${dir.startsWith('/') ? dir : `${process.cwd()}/${dir}`}/`).href
        : new URL('build/student/', root).href,
      clangUrl: new URL('node_modules/@yowasp/clang/gen/bundle.js', root).href,
    };
  }
  // Site layout: <site>/js/student/ (this file), <site>/student/, <site>/vendor/clang/
  return {
    studentBase: new URL('../../student/', import.meta.url).href,
    clangUrl: new URL('../../vendor/clang/bundle.js', import.meta.url).href,
  };
}

export function createCompiler({
  studentBase, clangUrl, onProgress = () => {}, workerUrl, compileTimeLimitMs = DEFAULT_COMPILE_TIME_LIMIT_MS,
  onExpired = () => {},
} = {}) {
  const d = defaults();
  const base = studentBase ? new URL(studentBase, inNode ? undefined : document.baseURI).href : d.studentBase;
  const clang = clangUrl ? new URL(clangUrl, inNode ? undefined : document.baseURI).href : d.clangUrl;
  return new CompilerClient(base, clang, onProgress, workerUrl ?? new URL('./compiler-worker.mjs', import.meta.url),
    { compileTimeLimitMs, onExpired });
}

// "60 s", "2.5 s"
const seconds = (ms) => `${Number((ms / 1000).toFixed(1))} s`;

export class CompilerClient {
  constructor(studentBase, clangUrl, onProgress, workerUrl, { compileTimeLimitMs = DEFAULT_COMPILE_TIME_LIMIT_MS, onExpired = () => {} } = {}) {
    this.compileTimeLimitMs = compileTimeLimitMs;
    this.onExpired = onExpired;
    this.watchdog = null;  // the timer of the compile under way
    this.expired = null;   // the compile-timeout Error once the limit has ended this client's worker
    this.studentBase = studentBase;
    this.load = makeLoader(studentBase);
    this.pending = new Map();
    this.nextId = 1;
    this.checkCache = new Map();
    this.ready = (async () => {
      this.worker = await startWorker(workerUrl);
      return new Promise((resolve, reject) => {
        this.worker.onerror = (e) => {
          const err = new Error(`compiler worker failed: ${e.message ?? e}`);
          reject(err);
          for (const p of this.pending.values()) p.reject(err);
          this.pending.clear();
        };
        this.worker.onmessage = ({ data }) => {
          if (data.type === 'progress') onProgress(data);
          else if (data.type === 'compiling') this.watch(data);
          else if (data.type === 'build-progress') this.pending.get(data.id)?.onProgress?.(data);
          else if (data.type === 'ready') {
            this.info = data.info;
            this.fixtures().then(() => resolve(data.info), reject);
          }
          else if (data.type === 'init-error') reject(new Error(data.message));
          else {
            const p = this.pending.get(data.id);
            if (!p) return;
            this.pending.delete(data.id);
            if (data.type === 'result') p.resolve(data.result);
            else p.reject(new Error(data.message));
          }
        };
        this.worker.postMessage({ type: 'init', studentBase, clangUrl });
      });
    })();
    this.ready.catch(() => {});
  }

  lesson(id) {
    const l = this.info?.lessons.find((x) => x.id === id);
    if (!l) throw new Error(`unknown lesson "${id}" (known: ${this.info?.lessons.map((x) => x.id).join(', ')})`);
    return l;
  }

  // The lesson's starter files, {path: text}.
  async starter(id) {
    await this.ready;
    const l = this.lesson(id);
    const out = {};
    for (const [p, rel] of Object.entries(l.starters)) out[p] = new TextDecoder().decode(await this.load(rel));
    return out;
  }

  // The read-only files the checks open (PyTorch fixtures), {"/fixtures/02_tensor.txt": Uint8Array}, loaded once.
  fixtures() {
    this.fixturesPromise ??= (async () => {
      const f = this.info.fixtures ?? { dir: '/fixtures', files: {} };
      const entries = await Promise.all(Object.entries(f.files).map(async ([name, rel]) => [`${f.dir}/${name}`, await this.load(rel)]));
      return Object.fromEntries(entries);
    })();
    return this.fixturesPromise;
  }

  async lessonChecks(id) {
    if (!this.checkCache.has(id)) {
      const l = this.lesson(id);
      if (l.missing?.length) throw new Error(`lesson ${id} is not available in this build: missing ${l.missing.join(', ')}`);
      const entries = await Promise.all(Object.entries(l.checkSources).map(async ([p, rel]) =>
        [p, new TextDecoder().decode(await this.load(rel))]));
      this.checkCache.set(id, Object.fromEntries(entries));
    }
    return this.checkCache.get(id);
  }

  // Compiles the lesson's check files ahead of the first Run (call it when the lesson page opens), and the student's
  // current files if given (framework files too): the first Run then recompiles only what changed. → {path: ms}
  // exercise: when the compiler's code is cold, also compile and link the last of `files` once more, uncached (the
  // first Run then runs on optimized compiler code: toolchain.mjs exercise()); its timings come back as `exercise`.
  async prepare(lesson, files = {}, { exercise = false } = {}) {
    await this.ready;
    const l = this.lesson(lesson);
    const prebuilt = l.checks.every((p) => this.info.checkObjects?.[p]);
    const checks = prebuilt ? {} : await this.lessonChecks(lesson);
    const sources = { ...checks, ...files };
    // the prebuilt check objects are loaded now, not by the first Run
    const objects = prebuilt ? l.checks.map((p) => this.info.checkObjects[p]) : [];
    return this.request({ type: 'prepare', sources, exercise, objects });
  }

  // Compiles the student's files now, into the same caches a build reads (the lesson page calls it a moment after
  // each edit): the next build finds them compiled. One compile at a time in the worker, so a build sent meanwhile
  // waits for it, then reuses its object. → {path: {ok, cached, ms, diagnostics}}
  async compileAhead(files) {
    await this.ready;
    return this.request({ type: 'ahead', sources: files });
  }

  // A compile started ({phase: 'start', file}) or ended: the limit's timer runs in between.
  watch({ phase, file }) {
    clearTimeout(this.watchdog);
    this.watchdog = null;
    const limitMs = typeof this.compileTimeLimitMs === 'function' ? this.compileTimeLimitMs() : this.compileTimeLimitMs;
    if (phase === 'start' && limitMs > 0) this.watchdog = setTimeout(() => this.expire(file, limitMs), limitMs);
  }

  expire(file, limitMs) {
    const name = file.split('/').pop();
    const limit = seconds(limitMs);
    this.expired = Object.assign(new Error(`compiling ${name} took longer than ${limit}: the compiler was stopped and `
      + `a fresh one started. Something in ${name} makes the compiler work without end (a template or constexpr `
      + `recursion that never stops, a very large file); the limit is ${limit} per file.`),
    { code: 'compile-timeout', file, limitMs });
    this.terminate();
    const restarted = Object.assign(new Error(`the compiler was restarted (compiling ${name} ran past ${limit}) before `
      + 'this request started'), { code: 'compiler-restarted' });
    [...this.pending.values()].forEach((p, i) => p.reject(i === 0 ? this.expired : restarted));
    this.pending.clear();
    this.onExpired(this.expired);
  }

  request(msg, onProgress = null) {
    if (this.expired) return Promise.reject(this.expired);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress });
      this.worker.postMessage({ ...msg, id });
    });
  }

  // onProgress({phase: 'compile', done, total, file} | {phase: 'link'}) as the worker reaches each step
  async build({ files = {}, lesson = null, checks = {}, framework = {}, program = false, onProgress = null } = {}) {
    await this.ready;
    // a lesson's check files are linked from their prebuilt objects when the build has them
    const prebuilt = lesson ? this.lesson(lesson).checks.filter((p) => this.info.checkObjects?.[p] && !(p in checks)) : [];
    const lessonSources = lesson && prebuilt.length < this.lesson(lesson).checks.length ? await this.lessonChecks(lesson) : {};
    for (const p of prebuilt) delete lessonSources[p];
    const allChecks = { ...lessonSources, ...checks };
    const result = await this.request({
      type: 'build', request: { files, checks: allChecks, prebuiltChecks: prebuilt, framework, program },
    }, onProgress);
    return result;
  }

  terminate() {
    clearTimeout(this.watchdog);
    this.watchdog = null;
    this.worker?.terminate();
  }
}
