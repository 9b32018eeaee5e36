// The one place the course pages meet the student build (web/js/student/: compiler-client, runner, results).
// Everything the lesson page needs goes through check(); swapping the toolchain changes this file only.
//
//   const checker = createChecker({onProgress: (text) => …});
//   await checker.warmUp(lessonId);  // compiler worker + artifacts loaded, the lesson's checks precompiled (slow the first time)
//   const r = await checker.check({lesson, files, earlier, timeLimitMs, onStage});
//   r = {stage: 'compile'|'link'|'run'|'unavailable', ok, summary: {passed, failed, skipped, total},
//        checks: [{name, status: 'pass'|'fail'|'skip', reason, message, failures: [{expr, expected, got, file, line, message}]}],
//        diagnostics: [{file, line, column, severity, message}], message, status, stdout, stderr, timings: {name: ms}}

const STUDENT = new URL('../student/', import.meta.url);

const PHASE = { artifacts: 'Loading the engine objects', compiler: 'Loading the compiler', warmup: 'Warming up the compiler' };

function progressText(p) {
  const what = PHASE[p.phase] ?? (p.phase ? `Loading (${p.phase})` : 'Loading the compiler');
  if (p.phase === 'compiler' && p.total) return `${what}: ${Math.round((100 * (p.done ?? 0)) / p.total)}%`;
  return p.total && p.done >= p.total ? `${what}: done` : `${what}…`;
}

function normalizeCase(c) {
  const status = c.status === 'passed' ? 'pass' : c.status === 'skipped' ? 'skip' : 'fail';
  let message = c.messages?.join('\n') || null;
  if (c.status === 'crashed') message = [`crashed: ${c.trap?.message ?? 'the program stopped in this check'}`, message].filter(Boolean).join('\n');
  if (c.status === 'timeout') message = 'did not finish within the time limit';
  return {
    name: c.name,
    status,
    reason: c.reason ?? null,
    message,
    failures: (c.failures ?? []).map((f) => ({
      expr: f.expression, expected: f.expected, got: f.got ?? (f.expected == null ? f.decomposition : null),
      file: f.file, line: f.line, message: f.message,
    })),
  };
}

function msTimings(t) {
  return Object.fromEntries(Object.entries(t ?? {}).filter(([, v]) => typeof v === 'number' && v > 0));
}

export function createChecker({ onProgress = () => {} } = {}) {
  let compilerPromise = null;
  const compiler = () => {
    compilerPromise ??= import(new URL('compiler-client.mjs', STUDENT).href).then(async (mod) => {
      const c = mod.createCompiler({ onProgress: (p) => onProgress(progressText(p)) });
      await c.ready;
      return c;
    });
    return compilerPromise;
  };

  return {
    // Loads the compiler and compiles the lesson's check files ahead of the first Run.
    async warmUp(lessonId) {
      const c = await compiler();
      if (lessonId && c.prepare) {
        onProgress('Preparing the checks…');
        await c.prepare(lessonId).catch((error) => console.warn(`prepare ${lessonId}: ${error.message}`));
      }
      return c;
    },
    async check({ lesson, files, earlier = {}, timeLimitMs = 10000, onStage = () => {} }) {
      let c;
      try {
        c = await compiler();
      } catch (error) {
        return {
          stage: 'unavailable', ok: false, checks: [], diagnostics: [],
          message: `The in-browser compiler did not load: ${error.message}`,
        };
      }
      onStage('Compiling…');
      const built = await c.build({ files, lesson: lesson.id, framework: earlier });
      const diagnostics = (built.diagnostics ?? []).map(({ file, line, column, severity, message }) => ({ file, line, column, severity, message }));
      if (!built.ok) {
        return {
          stage: built.stage === 'link' ? 'link' : 'compile', ok: false, checks: [], diagnostics, timings: msTimings(built.timings),
          message: diagnostics.length ? null : (built.output ?? '').slice(-2000) || 'the build failed without a message',
        };
      }
      onStage('Running the checks…');
      const [{ runProgram }, { parseResults }] = await Promise.all([
        import(new URL('runner.mjs', STUDENT).href), import(new URL('results.mjs', STUDENT).href)]);
      const run = await runProgram(built.wasm, { timeLimitMs });
      const results = parseResults(run);
      const s = results.summary;
      return {
        stage: 'run',
        ok: results.ok,
        summary: { passed: s.passed, failed: s.failed + s.crashed, skipped: s.skipped, total: s.total },
        checks: results.cases.map(normalizeCase),
        diagnostics,
        message: results.problems.join('\n') || null,
        status: run.status,
        stdout: run.stdout,
        stderr: run.stderr.split('\n').filter((l) => !l.startsWith('[tt] {')).join('\n'),
        timings: { ...msTimings(built.timings), run: run.timeMs },
      };
    },
  };
}
