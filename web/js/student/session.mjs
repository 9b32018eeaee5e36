// The student build's one API: a page (or a test, or a benchmark) creates one session, and every compile-and-run goes
// through buildAndRun. The session owns the page's single compiler worker (compiler-client.mjs); each Run gets a fresh
// runner worker (runner.mjs); the output is parsed by results.mjs, whose field names the result keeps unchanged.
//
//   const session = createSession({onProgress: (p) => status(progressText(p))});
//   await session.warmUp('01_setup');          // compiler loaded, the lesson's checks compiled ahead (optional)
//   await session.compileAhead(files);         // the student's edited files, compiled while they read (optional)
//   const r = await session.buildAndRun({lesson: '01_setup', files: {'engine/core/profile.cpp': text}});
//
// buildAndRun request (what to build: `lesson` and/or `checks`, or `program`):
//   files       {path: text}  the student's engine file(s) (each must be an engine source of the build)
//   framework   {path: text}  "your framework": earlier modules' files, replacing the reference objects too
//   lesson      lesson id ("02_tensor"): its check files (prebuilt objects when the build has them)
//   checks      {path: text}  doctest check sources, instead of or besides the lesson's
//   program     {path: text}  a program with its own main() (no doctest main; no checks); ok = exit code 0
//   runFiles    {"/fixtures/x": Uint8Array}  read-only files for the Run, besides the build's fixtures
//   args        [text]        program arguments
//   timeLimitMs, maxOutputBytes, onStage(text) ("Compiling file 1 of 2: tensor.cpp…", "Linking…", "Running…"),
//   onOutput(fd, text)
//   signal      an AbortSignal (the Stop button): the result comes back at once with stage 'stopped'; a compile that
//               is under way finishes in the worker (its object is cached for the next Run), a Run's worker is ended
// A file whose compile runs past session.compileTimeLimitMs (per file; default 60 s; may be changed between Runs, which
// is the tests' hook) ends the compiler worker: the result has stage 'compile' and message "compiling tensor.cpp took
// longer than 60 s: …", and a fresh compiler starts at once for the next Run.
//   raw         true: also return {raw: {build, run}}, the compiler's and the runner's own records
//   outputDir   a writable folder for the Run ('/out'): the files the program wrote there are the result's outFiles
//               ({"/out/checkpoint.safetensors": Uint8Array}; none when it trapped or did not finish)
//   keepProgram true: the result also carries `program`, the linked wasm, for session.run (the next chunk of a long
//               job runs the same build again without compiling or linking)
// session.run(program, {runFiles, args, timeLimitMs, maxOutputBytes, onOutput, signal, outputDir}) → the same result
// (stage 'run' or 'stopped') for a program kept from an earlier buildAndRun.
// → one result, the same vocabulary from results.mjs through the pages to the progress store:
//   {stage: 'compile'|'link'|'run'|'stopped'|'unavailable', ok,
//    summary: {passed, failed, crashed, skipped, total}, checks: [results.mjs check], problems: [text],
//    diagnostics: [{file, line, column, severity, message, notes}],
//    message: why there was no run (compiler unavailable; build output when it has no diagnostics), else null,
//    status: 'exited'|'timeout'|'error' (runner), exitCode, stdout, stderr, traps, truncated,
//    timings: {compile: {path: ms}, cached: [path], link, build, run, total}}
// A request that names a file the build does not have rejects with an Error that says so.
import { DEFAULT_COMPILE_TIME_LIMIT_MS, createCompiler } from './compiler-client.mjs';
import { DEFAULT_TIME_LIMIT_MS, runProgram } from './runner.mjs';
import { parseResults } from './results.mjs';

const PHASE = {
  artifacts: 'Loading the engine objects', compiler: 'Loading the compiler', warmup: 'Warming up the compiler',
  checks: 'Preparing the checks',
};

// A compiler progress report ({phase, done, total}) as one line of status text.
export function progressText(p) {
  const what = PHASE[p.phase] ?? (p.phase ? `Loading (${p.phase})` : 'Loading the compiler');
  if (p.phase === 'compiler' && p.total) return `${what}: ${Math.round((100 * (p.done ?? 0)) / p.total)}%`;
  return p.total && p.done >= p.total ? `${what}: done` : `${what}…`;
}

// A build step ({phase: 'compile', done, total, file} | {phase: 'link'}) as status text.
export function buildStageText(p) {
  if (p.phase === 'link') return 'Linking…';
  const name = (p.file ?? '').split('/').pop();
  return p.total > 1 ? `Compiling file ${p.done + 1} of ${p.total}: ${name}…` : `Compiling ${name}…`;
}

// The promise's value, or null as soon as the signal aborts (the promise itself runs on).
function untilAborted(promise, signal) {
  if (!signal) return promise;
  if (signal.aborted) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const abort = () => resolve(null);
    signal.addEventListener('abort', abort, { once: true });
    promise.then((v) => { signal.removeEventListener('abort', abort); resolve(v); },
      (e) => { signal.removeEventListener('abort', abort); reject(e); });
  });
}

const emptySummary = () => ({ passed: 0, failed: 0, crashed: 0, skipped: 0, total: 0 });

function noRun(stage, fields) {
  return {
    stage, ok: false, summary: emptySummary(), checks: [], problems: [], diagnostics: [], message: null,
    status: null, exitCode: null, stdout: '', stderr: '', traps: [], truncated: null, ...fields,
  };
}

// options: {onProgress({phase, done, total}), studentBase, clangUrl, compileTimeLimitMs} (see compiler-client.mjs)
export function createSession(options = {}) {
  return new StudentSession(options);
}

export class StudentSession {
  constructor({ onProgress = () => {}, studentBase, clangUrl, compileTimeLimitMs = DEFAULT_COMPILE_TIME_LIMIT_MS } = {}) {
    this.onProgress = onProgress;
    this.compileTimeLimitMs = compileTimeLimitMs;
    this.compilerOptions = { studentBase, clangUrl, compileTimeLimitMs: () => this.compileTimeLimitMs };
    this.compilerPromise = null;
    this.info = null;
  }

  // The one compiler worker, started on first use; a failed start is retried on the next call. A worker ended by the
  // compile time limit is replaced at once, so the next Run finds a compiler loading or ready.
  compiler() {
    if (!this.compilerPromise) {
      const replace = () => {
        if (this.compilerPromise !== started) return;
        this.compilerPromise = null;
        this.compiler().catch(() => {});
      };
      const started = (async () => {
        const c = createCompiler({ ...this.compilerOptions, onProgress: (p) => this.onProgress(p), onExpired: replace });
        try {
          this.info = await c.ready;
        } catch (error) {
          c.terminate();
          throw error;
        }
        return c;
      })();
      started.catch(() => { if (this.compilerPromise === started) this.compilerPromise = null; });
      this.compilerPromise = started;
    }
    return this.compilerPromise;
  }

  // Loads the compiler; with a lesson id, compiles its checks (and `files`, e.g. the student's saved code) ahead of
  // the first Run; with exercise, a cold compiler also compiles and links the last file once more (the lesson page,
  // while the student reads: compiler-client.mjs prepare).
  // → {clang, lessons, artifactsMs, clangMs, warmupMs, totalMs, …, prepared: {path: ms, exercise?}}
  async warmUp(lessonId = null, files = {}, { exercise = false } = {}) {
    const c = await this.compiler();
    let prepared = {};
    if (lessonId) {
      this.onProgress({ phase: 'checks', done: 0, total: 1 });
      try {
        prepared = await c.prepare(lessonId, files, { exercise });
      } catch (error) {
        // one of the saved files ran past the compile time limit: the next Run says so; wait for the fresh compiler
        if (error.code !== 'compile-timeout') throw error;
        await this.compiler();
        return { ...this.info, prepared, compileTimeout: error.message };
      }
      this.onProgress({ phase: 'checks', done: 1, total: 1 });
    }
    this.prepared = prepared;  // for the benchmarks: what the warm-up compiled, and the exercise's timings
    return { ...this.info, prepared };
  }

  // Compiles the student's files as they stand (the lesson page: a moment after the typing stops), so that the next
  // Run only links them; a Run pressed meanwhile waits for this compile and reuses it.
  // → {path: {ok, cached, ms, diagnostics}} (diagnostics as a Run's), or null when the compile ran past the time limit
  // (the next Run reports it).
  async compileAhead(files) {
    const c = await this.compiler();
    try {
      return await c.compileAhead(files);
    } catch (error) {
      if (error.code === 'compile-timeout') return null;
      throw error;
    }
  }

  // The manifest's lessons ([{id, files, checks, starters, missing, …}]), once the compiler is ready.
  async lessons() {
    await this.compiler();
    return this.info.lessons;
  }

  // A lesson's starter files, {path: text}.
  async starter(lessonId) {
    return (await this.compiler()).starter(lessonId);
  }

  async buildAndRun({
    files = {}, framework = {}, lesson = null, checks = {}, program = null, runFiles = {}, args = [],
    timeLimitMs = DEFAULT_TIME_LIMIT_MS, maxOutputBytes, onStage = () => {}, onOutput, signal = null, raw = false,
    outputDir = null, keepProgram = false,
  } = {}) {
    if (program && (lesson || Object.keys(checks).length)) {
      throw new Error('buildAndRun: a program has its own main(); pass either program or lesson/checks, not both');
    }
    if (!program && !lesson && !Object.keys(checks).length) {
      throw new Error('buildAndRun: nothing to run: pass lesson, checks or program');
    }
    const t0 = performance.now();
    const stopped = () => noRun('stopped', {
      message: 'Stopped: you pressed Stop.', timings: { total: Math.round(performance.now() - t0) },
    });
    let c;
    let built;
    // A build queued behind another request whose compile ran past the limit (a compile ahead of runaway text the
    // student has since fixed) never started: it goes to the fresh compiler.
    for (let attempt = 1; ; attempt++) {
      try {
        c = await untilAborted(this.compiler(), signal);
      } catch (error) {
        return noRun('unavailable', { message: `The in-browser compiler did not load: ${error.message}` });
      }
      if (!c) return stopped();
      onStage('Compiling…');
      try {
        built = await untilAborted(c.build({
          files, framework, lesson, checks: program ?? checks, program: Boolean(program), onProgress: (p) => onStage(buildStageText(p)),
        }), signal);
        break;
      } catch (error) {
        if (error.code === 'compiler-restarted' && attempt < 3) continue;
        if (error.code !== 'compile-timeout' && error.code !== 'compiler-restarted') throw error;
        return noRun('compile', { message: error.message, timings: { total: Math.round(performance.now() - t0) } });
      }
    }
    if (!built) return stopped();
    const timings = { ...built.timings, build: built.timings.total };
    if (!built.ok) {
      timings.total = Math.round(performance.now() - t0);
      const result = noRun(built.stage === 'link' ? 'link' : 'compile', {
        diagnostics: built.diagnostics, timings,
        message: built.diagnostics.length ? null : built.output.slice(-2000) || 'the build failed without a message',
      });
      return raw ? { ...result, raw: { build: built, run: null } } : result;
    }
    onStage(program ? 'Running the program…' : 'Running the checks…');
    const run = await runProgram(program && keepProgram ? built.wasm.slice() : built.wasm, {
      timeLimitMs, args, files: { ...(await c.fixtures()), ...runFiles }, doctest: !program, onOutput, signal, outputDir,
      ...(maxOutputBytes ? { maxOutputBytes } : {}),
    });
    const result = this.#result(run, Boolean(program), built.diagnostics, timings, t0);
    if (program && keepProgram) result.program = built.wasm;
    return raw ? { ...result, raw: { build: built, run } } : result;
  }

  // Runs a program kept from buildAndRun({program, keepProgram: true}) again (a fresh worker, as every Run).
  async run(program, {
    runFiles = {}, args = [], timeLimitMs = DEFAULT_TIME_LIMIT_MS, maxOutputBytes, onOutput, signal = null, outputDir = null,
  } = {}) {
    const t0 = performance.now();
    const c = await this.compiler();
    const run = await runProgram(program.slice(), {
      timeLimitMs, args, files: { ...(await c.fixtures()), ...runFiles }, doctest: false, onOutput, signal, outputDir,
      ...(maxOutputBytes ? { maxOutputBytes } : {}),
    });
    return this.#result(run, true, [], {}, t0);
  }

  #result(run, program, diagnostics, timings, t0) {
    const parsed = parseResults(run, { program });
    return {
      stage: run.status === 'stopped' ? 'stopped' : 'run', ...parsed, diagnostics, message: null,
      status: run.status, exitCode: run.exitCode, stdout: run.stdout, stderr: run.stderr, traps: run.traps,
      truncated: run.truncated, outFiles: run.outFiles ?? {},
      timings: { ...timings, run: run.timeMs, total: Math.round(performance.now() - t0) },
    };
  }

  terminate() {
    const p = this.compilerPromise;
    this.compilerPromise = null;
    p?.then((c) => c.terminate(), () => {});
  }
}
