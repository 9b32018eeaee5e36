// "Your own compiled modules" on the milestone page: the inference program (apps/infer_main.cpp, the same source
// bench/mlp-latency.mjs times) is compiled in the page's compiler worker with `program: true`, linked with the
// student's own files of the modules 02-05 they have passed (the progress store's code; modules not passed use the
// reference objects), and run with runProgram on the MNIST MLP's safetensors and a batch of held-out images given as
// WASI files. Its predictions and latency are set against the reference engine's on the same images.
import { fetchBytes } from './assets.mjs';

const STUDENT = new URL('../student/', import.meta.url);
const SITE = new URL('../../', import.meta.url);
export const OWN_MODULES = ['02', '03', '04', '05'];
const SAMPLE_SECONDS = 0.02;

let compilerPromise = null;
function compiler(onStatus) {
  compilerPromise ??= import(new URL('compiler-client.mjs', STUDENT).href).then(async ({ createCompiler }) => {
    const c = createCompiler({ onProgress: ({ phase, done, total }) =>
      onStatus(`Loading the compiler: ${phase}${total ? ` ${done}/${total}` : ''}…`) });
    await c.ready;
    return c;
  });
  compilerPromise.catch(() => { compilerPromise = null; });
  return compilerPromise;
}

// The student's code of the modules 02-05 that have passed → {framework, own: ['02', ...]}
export function studentFramework(state) {
  const framework = {}, own = [];
  for (const id of OWN_MODULES) {
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

// Reference engine: predictions and the median ms per batch of Classifier.predict (warm, several samples).
export function referenceRun(model, x, batch, classes) {
  const probs = model.predict(x, batch);
  for (let i = 0; i < 3; i++) model.predict(x, batch);
  let t = performance.now(), reps = 0;
  while (performance.now() - t < 20) { model.predict(x, batch); reps++; }
  const per = (performance.now() - t) / reps, n = Math.max(1, Math.round(SAMPLE_SECONDS * 1000 / per));
  const samples = [];
  for (let s = 0; s < 7; s++) {
    t = performance.now();
    for (let r = 0; r < n; r++) model.predict(x, batch);
    samples.push((performance.now() - t) / n);
  }
  samples.sort((a, b) => a - b);
  return { predictions: argmaxRows(probs, classes), ms: samples[3] };
}

// → {ok: true, predictions, ms, buildMs} or {ok: false, stage: 'compile'|'link'|'run', message}
export async function studentRun({ framework, card, x, batch, onStatus }) {
  const c = await compiler(onStatus);
  onStatus(`Compiling the inference program with your modules (${Object.keys(framework).length} files)…`);
  const source = new TextDecoder().decode(await fetchBytes('apps/infer_main.cpp'));
  let built;
  try {
    built = await c.build({ checks: { 'apps/infer_main.cpp': source }, framework, program: true });
  } catch (error) {
    return { ok: false, stage: 'compile', message: error.message };
  }
  if (!built.ok) {
    const d = (built.diagnostics ?? []).find((e) => e.severity === 'error') ?? built.diagnostics?.[0];
    const first = d ? `${d.file ?? 'linker'}${d.line ? `:${d.line}:${d.column}` : ''}: ${d.message}`
      : (built.output ?? '').trim().split('\n').slice(0, 3).join('\n') || 'the build failed without a message';
    return { ok: false, stage: built.stage === 'link' ? 'link' : 'compile', message: first };
  }
  onStatus('Running your build on the held-out images…');
  const weights = await fetchBytes(`assets/${card.weights}`);
  const { runProgram } = await import(new URL('runner.mjs', STUDENT).href);
  const files = { '/fixtures/weights.safetensors': weights, '/fixtures/x.f32': new Uint8Array(x.buffer.slice(x.byteOffset, x.byteOffset + x.byteLength)) };
  const run = await runProgram(built.wasm, { doctest: false, timeLimitMs: 60000, files,
    args: [card.architecture, card.input_shape, '/fixtures/weights.safetensors', '/fixtures/x.f32', String(batch), String(SAMPLE_SECONDS)] });
  if (run.status !== 'exited' || run.exitCode !== 0) {
    const trap = run.traps?.[0];
    const why = trap ? `${trap.kind}: ${trap.message}` : run.status === 'timeout' ? 'stopped at the time limit'
      : `${run.status}, exit code ${run.exitCode}${run.message ? ` (${run.message})` : ''}`;
    const err = (run.stderr ?? '').trim().split('\n').filter(Boolean).slice(-3).join('\n');
    return { ok: false, stage: 'run', message: `${why}${err ? `\n${err}` : ''}` };
  }
  let out;
  try {
    out = JSON.parse(run.stdout.trim().split('\n').pop());
  } catch {
    return { ok: false, stage: 'run', message: `unexpected output: ${run.stdout.slice(0, 300)}` };
  }
  return { ok: true, predictions: out.predictions, ms: out.seconds * 1000, buildMs: built.timings?.total };
}
