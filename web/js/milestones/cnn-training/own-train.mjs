// "Train on your own build": a run trained by the student's own compiled modules 02-10 instead of the reference
// engine's worker (train-worker.mjs), with the worker's messages (progress, epoch, paused, stopped, error), so the page
// draws the same charts. The program is apps/train_cnn_main.cpp (the loop of models/cnn_trainer.h, which the
// reference engine runs too), built once by the page's student session (own-build.mjs) with the student's saved
// files of the modules they passed (reference objects for the rest), then run one chunk of steps per Run: each Run
// reads the job, the data (.ttds cut to the run's images) and the last checkpoint as read-only files and writes the
// next checkpoint to /out, which comes back in the Run's outFiles; the page keeps it in IndexedDB.
// A chunk ends at an epoch's end or after about CHUNK_SECONDS of training: Pause lets the chunk under way finish;
// Stop ends it at once (the last chunk's checkpoint stays). A trap in the student's code (a failed TT_CHECK) ends
// the run with its message.
import { openStore } from '../../course/shell.mjs';
import { failure, lineReader, pageSession, studentFramework } from '../own-build.mjs';
import { fetchBytes } from '../assets.mjs';

export const CNN_MODULES = Array.from({ length: 9 }, (_, i) => String(i + 2).padStart(2, '0'));  // 02-10
const CHUNK_SECONDS = 10;
const SLICE_SECONDS = 0.3;  // one progress line (a chart point) per this much training
const CHUNK_TIME_LIMIT_MS = 180000;
const COMPILE_TIME_LIMIT_MS = 180000;  // per file: a shared machine may take longer than a lesson Run's 60 s
const TTDS_HEADER = 32;

// The packed format of engine/data/datasets.h: "TTDS", u32 version 1, N, C, H, W, classes, 0; N labels; pixels.
export function packTtds(images, labels, shape, classes) {
  const out = new Uint8Array(TTDS_HEADER + labels.length + images.length);
  out.set([0x54, 0x54, 0x44, 0x53]);
  const view = new DataView(out.buffer);
  [1, labels.length, ...shape, classes, 0].forEach((v, i) => view.setUint32(4 + 4 * i, v, true));
  out.set(labels, TTDS_HEADER);
  out.set(images, TTDS_HEADER + labels.length);
  return out;
}

// The first `limit` images of a .ttds (0: all of it).
export function cutTtds(bytes, limit) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getUint32(8, true);
  if (!limit || limit >= n) return bytes;
  const [c, h, w, classes] = [12, 16, 20, 24].map((at) => view.getUint32(at, true));
  const size = c * h * w, labels = bytes.subarray(TTDS_HEADER, TTDS_HEADER + n);
  return packTtds(bytes.subarray(TTDS_HEADER + n, TTDS_HEADER + n + limit * size), labels.subarray(0, limit), [c, h, w], classes);
}

// The run's two sets as .ttds bytes: data is the worker's (datasets.mjs workerData), limits already applied to arrays.
async function runFilesOf(data, shape, classes) {
  if (data.kind === 'bundled') {
    const [train, test] = await Promise.all([fetchBytes(`datasets/${data.name}-train.ttds`), fetchBytes(`datasets/${data.name}-test.ttds`)]);
    return { train: cutTtds(train, data.trainLimit), validation: cutTtds(test, data.validationLimit) };
  }
  return { train: packTtds(data.train.images, data.train.labels, shape, classes),
    validation: packTtds(data.validation.images, data.validation.labels, shape, classes) };
}

// Starts training: post(message) gets the worker's messages plus {type: 'own-status', text}, {type: 'checkpoint',
// step, epoch, checkpoint} after every chunk and {type: 'own-finished', step, checkpoint} at the end.
// ready: the worker's answer to the same setup (step, epoch, stepsPerEpoch). → {pause, resume, stop}
export function ownTraining({ setup, data, classes, ready, checkpoint = null, post }) {
  const my = { state: 'running', abort: new AbortController(), checkpoint, wake: null };
  const status = (text) => post({ type: 'own-status', text });
  const fail = (message) => post({ type: 'error', during: 'start', message });

  async function train() {
    const { framework, own } = studentFramework(openStore().state, CNN_MODULES);
    const reference = CNN_MODULES.filter((id) => !own.includes(id));
    status(`Your modules: ${own.join(', ') || 'none'}${reference.length ? `; reference objects for ${reference.join(', ')}` : ''}. Compiling the training program…`);
    const source = new TextDecoder().decode(await fetchBytes('apps/train_cnn_main.cpp'));
    const sets = await runFilesOf(data, setup.inputShape.split('x').map(Number), classes.length);
    let program = null, stepsPerSec = 0, images = 0, busy = 0, chunkSteps = 20;
    let info = { step: ready.step, epoch: ready.epoch, stepsPerEpoch: ready.stepsPerEpoch };  // the last 'ready' line
    let done = null;  // the last chunk's 'chunk-done' line
    const onLine = (m) => {
      if (m.type === 'ready') info = m;
      else if (m.type === 'chunk-done') done = m;
      else if (m.type === 'progress') {
        images += m.samples;
        busy += m.seconds;
        const imagesPerSec = images / Math.max(busy, 1e-9);
        stepsPerSec = imagesPerSec / setup.options.batchSize;
        post({ ...m, imagesPerSec, eta: ((m.totalSteps - m.step) * setup.options.batchSize) / imagesPerSec });
      } else if (m.type === 'epoch') post(m);
    };
    for (;;) {
      if (my.state === 'paused') {
        post({ type: 'paused', step: info.step, epoch: info.epoch });
        await new Promise((resolve) => { my.wake = resolve; });
      }
      if (my.state === 'stopped') break;
      const { step, stepsPerEpoch: spe } = info;
      if (stepsPerSec > 0) chunkSteps = Math.max(1, Math.round(CHUNK_SECONDS * stepsPerSec));
      const until = Math.min((Math.floor(step / spe) + 1) * spe, step + chunkSteps);
      const slice = stepsPerSec > 0 ? Math.max(1, Math.round(SLICE_SECONDS * stepsPerSec)) : 2;
      const job = new TextEncoder().encode(JSON.stringify({ architecture: setup.architecture, inputShape: setup.inputShape,
        options: setup.options, until, slice }));
      const runFiles = { '/fixtures/job.json': job, '/fixtures/train.ttds': sets.train, '/fixtures/validation.ttds': sets.validation,
        ...(my.checkpoint ? { '/fixtures/checkpoint.safetensors': my.checkpoint } : {}) };
      const args = ['/fixtures/job.json', '/fixtures/train.ttds', '/fixtures/validation.ttds', '/out/checkpoint.safetensors',
        ...(my.checkpoint ? ['/fixtures/checkpoint.safetensors'] : [])];
      const common = { runFiles, args, timeLimitMs: CHUNK_TIME_LIMIT_MS, onOutput: lineReader(onLine), outputDir: '/out',
        signal: my.abort.signal, maxOutputBytes: 1 << 20 };
      let r;
      done = null;
      if (!program) {
        const session = pageSession(status);
        session.compileTimeLimitMs = Math.max(session.compileTimeLimitMs, COMPILE_TIME_LIMIT_MS);
        r = await session.buildAndRun({ ...common, program: { 'apps/train_cnn_main.cpp': source }, framework,
          keepProgram: true, onStage: status });
        if (r.program) program = r.program;
        if (r.stage === 'run' && r.ok) status(`Your build (modules ${own.join(', ') || 'none'}): compiled and linked in ${((r.timings.build ?? 0) / 1000).toFixed(1)} s; training.`);
      } else {
        r = await pageSession(status).run(program, common);
      }
      if (r.stage === 'stopped' || my.state === 'stopped') break;
      const failed = failure(r);
      if (failed) {
        my.state = 'failed';
        const where = failed.stage === 'run' ? 'Your build stopped while training' : `Your code did not ${failed.stage === 'link' ? 'link' : 'compile'}`;
        return fail(`${where}: ${failed.message}`);
      }
      my.checkpoint = r.outFiles['/out/checkpoint.safetensors'];
      if (!done || !my.checkpoint) return fail('Your build stopped while training: the program wrote no checkpoint');
      info = { ...info, step: done.step, epoch: Math.floor(done.step / info.stepsPerEpoch) };
      post({ type: 'checkpoint', step: done.step, epoch: info.epoch, checkpoint: my.checkpoint.slice() });
      if (done.finished) return post({ type: 'own-finished', step: done.step, checkpoint: my.checkpoint.slice() });
      if (my.state === 'pausing') my.state = 'paused';
    }
    post({ type: 'stopped', step: info.step, epoch: info.epoch });
  }

  train().catch((error) => { my.state = 'failed'; fail(error.message); });
  return {
    pause() { if (my.state === 'running') my.state = 'pausing'; },
    resume() {
      if (my.state === 'pausing') my.state = 'running';
      else if (my.state === 'paused') { my.state = 'running'; my.wake?.(); }
    },
    stop() {
      if (!['running', 'pausing', 'paused'].includes(my.state)) return;
      my.state = 'stopped';
      my.abort.abort();
      my.wake?.();
    },
  };
}
