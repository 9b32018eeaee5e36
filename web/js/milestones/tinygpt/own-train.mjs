// "Train on your own build": the training panel's messages (train, pause, resume, stop, export) answered by the
// student's own compiled modules 02-14 instead of the reference engine's worker (gpt-worker.mjs), with the same
// events, so the panel draws the same charts. The program is apps/train_gpt_main.cpp (the loop of
// models/gpt_trainer.h, which the reference engine runs too), built once by the page's student session
// (own-build.mjs) with the student's saved files of the modules they passed (reference objects for the rest), then
// run one chunk of steps per Run: each Run reads the corpus, the job and the last checkpoint as read-only files and
// writes the next checkpoint to /out, which comes back in the Run's outFiles and is kept in IndexedDB.
// Pause lets the chunk under way finish; Stop ends it at once (the last chunk's checkpoint stays); a reload resumes
// from the stored checkpoint. A trap in the student's code (a failed TT_CHECK) ends the training with its message.
import { openStore } from '../../course/shell.mjs';
import { failure, lineReader, pageSession, studentFramework } from '../own-build.mjs';
import { fetchBytes } from '../assets.mjs';
import { loadCheckpoint, saveCheckpoint } from './checkpoint-store.mjs';

export const GPT_MODULES = Array.from({ length: 13 }, (_, i) => String(i + 2).padStart(2, '0'));  // 02-14
const CHUNK_TIME_LIMIT_MS = 180000;
// Per file, for the training program's build: 13 modules' files on a shared machine may each take longer than a
// lesson Run's 60 s; a compile that never ends is still stopped.
const COMPILE_TIME_LIMIT_MS = 180000;

async function corpusText(corpus) {
  if (corpus.kind === 'own') return corpus.text;
  const response = await fetch(new URL(`../../../datasets/${corpus.name}`, import.meta.url));
  if (!response.ok) throw new Error(`${corpus.name}: HTTP ${response.status}`);
  return response.text();
}

export function ownTrainer() {
  const listeners = new Map();
  const emit = (type, fields = {}) => { for (const fn of listeners.get(type) ?? []) fn({ type, ...fields }); };
  let job = null;  // the training under way: {state: 'running' | 'pausing' | 'paused' | 'stopped', ...}

  async function train(request) {
    const saved = request.resume ? await loadCheckpoint() : null;
    if (request.resume && !saved) throw new Error('no checkpoint saved in this browser');
    const corpus = saved ? saved.corpus : request.corpus, config = saved ? saved.config : request.config;
    const options = saved ? saved.options : request.options;
    const text = await corpusText(corpus);
    const { framework, own } = studentFramework(openStore().state, GPT_MODULES);
    const reference = GPT_MODULES.filter((id) => !own.includes(id));
    const my = (job = { state: 'running', abort: new AbortController(), own, reference, checkpoint: saved?.bytes ?? null, weights: null });
    const status = (text) => emit('own-status', { text });
    status(`Your modules: ${own.join(', ') || 'none'}${reference.length ? `; reference objects for ${reference.join(', ')}` : ''}. Compiling the training program…`);
    const source = new TextDecoder().decode(await fetchBytes('apps/train_gpt_main.cpp'));
    const corpusBytes = new TextEncoder().encode(text);
    const maxSteps = options.maxSteps ?? 2000, evalEvery = request.evalEvery ?? 100;
    const jobFile = (until) => new TextEncoder().encode(JSON.stringify({
      config, options, until, slice: request.sliceSteps ?? 5, evalEvery, sampleEvery: request.sampleEvery ?? 2 * evalEvery,
    }));
    let step = saved?.step ?? 0, started = false, program = null, last = performance.now();
    const onLine = (m) => {
      if (my !== job) return;
      if (m.type === 'train-started') {
        if (!started) emit('train-started', { ...m, resumed: !!saved, options, engine: 'mine', own, reference });
        started = true;
      } else if (m.type === 'progress') {
        const now = performance.now();
        emit('progress', { ...m, sliceMs: now - last });
        last = now;
      } else if (m.type === 'validation' || m.type === 'sample') emit(m.type, m);
    };
    while (my.state !== 'stopped' && step < maxSteps) {
      if (my.state === 'paused') { await new Promise((r) => { my.wake = r; }); continue; }
      const until = Math.min(maxSteps, step + evalEvery);
      const runFiles = { '/fixtures/job.json': jobFile(until), '/fixtures/corpus.txt': corpusBytes,
                         ...(my.checkpoint ? { '/fixtures/checkpoint.safetensors': my.checkpoint } : {}) };
      const args = ['/fixtures/job.json', '/fixtures/corpus.txt', '/out/checkpoint.safetensors',
                    ...(my.checkpoint ? ['/fixtures/checkpoint.safetensors'] : [])];
      const common = { runFiles, args, timeLimitMs: CHUNK_TIME_LIMIT_MS, onOutput: lineReader(onLine), outputDir: '/out',
                       signal: my.abort.signal, maxOutputBytes: 1 << 20 };
      last = performance.now();
      let r;
      if (!program) {
        const session = pageSession(status);
        session.compileTimeLimitMs = Math.max(session.compileTimeLimitMs, COMPILE_TIME_LIMIT_MS);
        r = await pageSession(status).buildAndRun({ ...common, program: { 'apps/train_gpt_main.cpp': source }, framework,
                                                    keepProgram: true, onStage: status });
        if (r.program) program = r.program;
        if (r.stage === 'run' && r.ok) status(`Your build: compiled and linked in ${((r.timings.build ?? 0) / 1000).toFixed(1)} s; training.`);
      } else {
        r = await pageSession(status).run(program, common);
      }
      if (r.stage === 'stopped' || my.state === 'stopped') break;
      const failed = failure(r);
      if (failed) {
        my.state = 'stopped';
        const where = failed.stage === 'run' ? 'Your build stopped while training' : `Your code did not ${failed.stage === 'link' ? 'link' : 'compile'}`;
        emit('error', { for: 'train', engine: 'mine', stage: failed.stage, message: `${where}: ${failed.message}` });
        return;
      }
      my.checkpoint = r.outFiles['/out/checkpoint.safetensors'];
      my.weights = r.outFiles['/out/checkpoint.safetensors.weights'];
      if (!my.checkpoint) throw new Error('the training program wrote no checkpoint');
      step = until;
      await saveCheckpoint({ bytes: my.checkpoint, step, options, config, corpus, engine: 'mine', savedAt: new Date().toISOString() });
      emit('checkpoint', { step, bytes: my.checkpoint.length });
      if (my.state === 'pausing') {
        my.state = 'paused';
        emit('train-state', { state: 'paused', step });
      }
    }
    const finished = my.state !== 'stopped';
    my.state = 'stopped';
    emit('train-state', { state: finished ? 'finished' : 'stopped', step });
  }

  const handlers = {
    train,
    pause: () => {
      if (job?.state !== 'running') return;
      job.state = 'pausing';  // the chunk under way finishes first
      emit('train-state', { state: 'pausing' });
    },
    resume: () => {
      if (job?.state === 'pausing') { job.state = 'running'; return; }
      if (job?.state !== 'paused') return;
      job.state = 'running';
      emit('train-state', { state: 'running' });
      job.wake?.();
    },
    stop: () => {
      if (!job || job.state === 'stopped') return;
      job.state = 'stopped';
      job.abort.abort();
      job.wake?.();
    },
    export: () => {
      if (!job?.weights) throw new Error('no chunk of training has finished on your build yet');
      emit('weights', { bytes: job.weights.slice() });
    },
  };
  return {
    send(message) {
      Promise.resolve().then(() => handlers[message.type]?.(message)).catch((error) => {
        if (job && message.type === 'train') job.state = 'stopped';
        emit('error', { for: message.type, engine: 'mine', message: error.message });
      });
    },
    on(type, fn) { if (!listeners.has(type)) listeners.set(type, []); listeners.get(type).push(fn); },
  };
}
