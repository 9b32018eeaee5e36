// Runs a linked student program in a fresh worker per Run, with a time limit; the page never shares a thread (or a
// DOM) with student code.
//
//   const run = await runProgram(wasm, {timeLimitMs: 10000});
//   // run = {status: 'exited'|'timeout'|'stopped'|'error', exitCode, stdout, stderr, events, traps, truncated, timeMs,
//   //        rounds, memoryBytes, message, rejected (malformed result events), outFiles}
//   const results = parseResults(run);   // results.mjs
//
// Options: timeLimitMs (default 10 s, for the whole Run), args (extra program arguments), files (read-only files the
// program may open, {"/fixtures/x.txt": Uint8Array}; nothing else is readable), maxOutputBytes (per
// stream, default 256 KiB; the rest is counted and dropped), doctest (default true: the program is a doctest runner,
// resumed after a trapping case), onOutput(fd, text) and onEvent(event) for live display, signal (an AbortSignal: the
// Stop button; the worker is terminated at once and the run ends 'stopped'), workerUrl, outputDir (a writable folder,
// e.g. '/out': the files the program writes there come back in outFiles, {"/out/x": Uint8Array}, when it exits; a Run
// that traps or times out returns none).
import { startWorker } from './worker-port.mjs';

export const DEFAULT_TIME_LIMIT_MS = 10000;

export async function runProgram(wasm, {
  timeLimitMs = DEFAULT_TIME_LIMIT_MS, args = [], files = {}, maxOutputBytes = 256 * 1024, doctest = true,
  onOutput = () => {}, onEvent = () => {}, signal = null, workerUrl = new URL('./runner-worker.mjs', import.meta.url),
  outputDir = null,
} = {}) {
  const t0 = performance.now();
  const worker = await startWorker(workerUrl);
  const out = { 1: [], 2: [] };
  const events = [];
  const traps = [];
  return new Promise((resolve) => {
    let finished = false;
    const finish = (fields) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', stop);
      worker.terminate();
      resolve({
        status: 'exited', exitCode: null, stdout: out[1].join(''), stderr: out[2].join(''), events, traps,
        truncated: { stdout: 0, stderr: 0 }, rounds: 0, memoryBytes: 0, message: '', outFiles: {},
        timeMs: Math.round(performance.now() - t0), ...fields,
      });
    };
    const timer = setTimeout(() => finish({
      status: 'timeout',
      message: `stopped after ${(timeLimitMs / 1000).toFixed(1)} s: the time limit for a Run (an infinite loop, or far too much work)`,
    }), timeLimitMs);
    const stop = () => finish({ status: 'stopped', message: 'stopped: you pressed Stop' });
    if (signal?.aborted) return stop();
    signal?.addEventListener('abort', stop);
    worker.onerror = (e) => finish({ status: 'error', message: `runner worker failed: ${e.message ?? e}` });
    worker.onmessage = ({ data }) => {
      if (data.type === 'out') { out[data.fd].push(data.text); onOutput(data.fd, data.text); }
      else if (data.type === 'event') { events.push(data.event); onEvent(data.event); }
      else if (data.type === 'trap') {
        // the case that was running: the last 'start' not yet followed by its 'end'
        const last = [...events].reverse().find((e) => ['start', 'end', 'done'].includes(e.event));
        const running = last?.event === 'start' ? last : null;
        traps.push({ ...data.trap, case: running?.name ?? null, file: running?.file ?? null, line: running?.line ?? null });
      } else if (data.type === 'done') {
        const truncated = { stdout: data.dropped[1], stderr: data.dropped[2] };
        const outFiles = traps.length ? {} : data.outFiles ?? {};
        finish({ status: 'exited', exitCode: data.exitCode, rounds: data.rounds, memoryBytes: data.memoryBytes, truncated, rejected: data.rejected ?? 0, outFiles });
      } else if (data.type === 'failed') finish({ status: 'error', message: data.message });
    };
    const bytes = wasm instanceof Uint8Array ? wasm.slice() : new Uint8Array(wasm);
    worker.postMessage({ type: 'run', wasm: bytes, args, files, maxOutputBytes, doctest, outputDir }, [bytes.buffer]);
  });
}
