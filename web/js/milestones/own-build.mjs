// "Your own compiled modules" on the milestone page: the inference program (apps/infer_main.cpp, the same source
// bench/mlp-latency.mjs times) is built and run by the page's student session (web/js/student/session.mjs) as a
// `program`, linked with the student's own files of the modules 02-05 they have passed (the progress store's code;
// modules not passed use the reference objects), on the MNIST MLP's safetensors and a batch of held-out images given
// as read-only files. Its predictions and latency are set against the reference engine's on the same images.
import { createSession, progressText } from '../student/session.mjs';
import { fetchBytes } from './assets.mjs';

export const OWN_MODULES = ['02', '03', '04', '05'];
const SAMPLE_SECONDS = 0.02;

// The page's one session (one compiler worker), started by the first own build; its progress goes to the status
// line of the build in progress.
let session = null;
let showStatus = () => {};
export function pageSession(onStatus = null) {
  if (onStatus) showStatus = onStatus;
  session ??= createSession({ onProgress: (p) => showStatus(progressText(p)) });
  return session;
}

// The student's code of the modules (02-05 by default) that have passed → {framework, own: ['02', ...]}
export function studentFramework(state, modules = OWN_MODULES) {
  const framework = {}, own = [];
  for (const id of modules) {
    const m = state.modules[id];
    if (m?.passedAt && Object.keys(m.code ?? {}).length) {
      Object.assign(framework, m.code);
      own.push(id);
    }
  }
  return { framework, own };
}

const argmaxRows = (z, classes) => Array.from({ length: z.length / classes }, (_, b) => {
  let best = 0;
  for (let k = 1; k < classes; k++) if (z[b * classes + k] > z[b * classes + best]) best = k;
  return best;
});

// Reference engine: predictions and the median ms per batch, timed in C++ by tt::time_forward (models/classifier.h) —
// the loop the student's compiled program runs too, on one thread, with the same warm-up and sample length.
export function referenceRun(model, x, batch, classes) {
  const probs = model.predict(x, batch);
  return { predictions: argmaxRows(probs, classes), ms: model.timeForward(x, batch, SAMPLE_SECONDS) };
}

// A session result that did not run to a clean exit → {ok: false, stage, message} (the first compile error, or the
// trap's message with the last lines of stderr); null when it did.
export function failure(r) {
  if (r.stage !== 'run') {
    const d = r.diagnostics.find((e) => e.severity === 'error') ?? r.diagnostics[0];
    const first = d ? `${d.file ?? 'linker'}${d.line ? `:${d.line}:${d.column}` : ''}: ${d.message}`
      : (r.message ?? '').trim().split('\n').slice(0, 3).join('\n');
    return { ok: false, stage: r.stage, message: first };
  }
  if (!r.ok) {
    const why = r.problems.join('\n') || `${r.status}, exit code ${r.exitCode}`;
    const err = r.stderr.trim().split('\n').filter(Boolean).slice(-3).join('\n');
    return { ok: false, stage: 'run', message: `${why}${err ? `\n${err}` : ''}` };
  }
  return null;
}

// → {ok: true, predictions, ms, buildMs} or {ok: false, stage: 'unavailable'|'compile'|'link'|'run', message}
export async function studentRun({ framework, card, x, batch, onStatus }) {
  showStatus = onStatus;
  const source = new TextDecoder().decode(await fetchBytes('apps/infer_main.cpp'));
  const weights = await fetchBytes(`assets/${card.weights}`);
  onStatus(`Compiling the inference program with your modules (${Object.keys(framework).length} files)…`);
  let r;
  try {
    r = await pageSession().buildAndRun({
      program: { 'apps/infer_main.cpp': source }, framework, timeLimitMs: 60000, onStage: onStatus,
      runFiles: {
        '/fixtures/weights.safetensors': weights,
        '/fixtures/x.f32': new Uint8Array(x.buffer.slice(x.byteOffset, x.byteOffset + x.byteLength)),
      },
      args: [card.architecture, card.input_shape, '/fixtures/weights.safetensors', '/fixtures/x.f32', String(batch), String(SAMPLE_SECONDS)],
    });
  } catch (error) {
    return { ok: false, stage: 'compile', message: error.message };
  }
  const failed = failure(r);
  if (failed) return failed;
  let out;
  try {
    out = JSON.parse(r.stdout.trim().split('\n').pop());
  } catch {
    return { ok: false, stage: 'run', message: `unexpected output: ${r.stdout.slice(0, 300)}` };
  }
  return { ok: true, predictions: out.predictions, ms: out.seconds * 1000, buildMs: r.timings.build };
}

// The stdout of a Run, line by line as it streams: one JSON message per line (the training programs' protocol).
export function lineReader(onLine) {
  let pending = '';
  return (fd, text) => {
    if (fd !== 1) return;
    pending += text;
    let nl;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl).trim();
      pending = pending.slice(nl + 1);
      if (!line.startsWith('{')) continue;
      try { onLine(JSON.parse(line)); } catch { /* a line the program did not finish: the Run's result tells why */ }
    }
  };
}
