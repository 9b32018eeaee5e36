// The TinyGPT page's engine worker: it owns the models (the pretrained one and the one trained in the page) so the
// page never blocks. The threaded engine when the page is cross-origin isolated (engine.mjs picks it).
//
// In:  {type: 'load', url}                                   the pretrained asset (safetensors with tt.gpt/tt.vocab)
//      {type: 'generate', model, prompt, tokens, temperature, topK, seed, useCache}   model: 'pretrained' | 'trained'
//      {type: 'stop-generate'}
//      {type: 'measure-cache', model, prompt, tokens, seed}  the same generation with and without the KV cache
//      {type: 'train', corpus, config, options, sliceSteps, evalEvery, sampleEvery, resume}
//      {type: 'pause'} {type: 'resume'} {type: 'stop'} {type: 'export'}
//      {type: 'costs', cnn, gptBatch?, cnnImages?, gptPositions?}   cnn: milestone 2's card (compare-measure.mjs)
// Out: {type: 'env' | 'loaded' | 'token' | 'generated' | 'cache-speed' | 'train-started' | 'progress' | 'validation' |
//       'sample' | 'checkpoint' | 'train-state' | 'weights' | 'costs' | 'error', ...}
import { loadEngine } from '../../engine.mjs';
import { saveCheckpoint, loadCheckpoint } from './checkpoint-store.mjs';
import { trainingStepTimes, cnnLearned, gptLearned } from './compare-measure.mjs';

const enginePromise = loadEngine();
enginePromise.then((M) => postMessage({ type: 'env', threads: M.numThreads(), build: M.environment().build }),
                   (error) => postMessage({ type: 'error', for: 'engine', message: error.message }));
const models = { pretrained: null, trained: null };
let generation = 0;  // bumped by stop-generate and by each new generate: a running loop sees it changed and ends
let training = null;  // { state: 'running' | 'paused' | 'stopped', ... }
// The page's own training run in this worker: the time inside gpt.step only (not evaluation, samples or checkpoints),
// for the comparison; and its corpus, the held-out text the comparison evaluates the trained model on.
let trainRun = null;  // { steps, ms, batch, block, text }

// A macrotask boundary without setTimeout's 4 ms clamp: lets queued messages (stop, pause) in between tokens.
const channel = new MessageChannel();
const waiting = [];
channel.port1.onmessage = () => waiting.shift()?.();
const yieldToMessages = () => new Promise((resolve) => { waiting.push(resolve); channel.port2.postMessage(0); });

function model(name) {
  const m = models[name];
  if (!m) throw new Error(name === 'trained' ? 'no model trained in the page yet' : 'the pretrained model is not loaded');
  return m;
}

const options = (job) => JSON.stringify({ temperature: job.temperature, topK: job.topK, seed: job.seed,
                                          useCache: job.useCache });

async function generate(job) {
  const my = ++generation;
  const gpt = model(job.model);
  gpt.start(job.prompt, options(job));
  const t0 = performance.now();
  let n = 0;
  for (; n < job.tokens && my === generation; n++) {
    const token = gpt.next();
    const seconds = (performance.now() - t0) / 1000;
    postMessage({ type: 'token', ...token, index: n, tokensPerSec: (n + 1) / seconds });
    await yieldToMessages();
  }
  const seconds = (performance.now() - t0) / 1000;
  postMessage({ type: 'generated', text: gpt.generated(), tokens: n, stopped: n < job.tokens,
                tokensPerSec: n / seconds, attention: gpt.attention() });
}

function measureCache(job) {
  const gpt = model(job.model);
  const run = (useCache) => {
    gpt.start(job.prompt, options({ ...job, useCache }));
    const t0 = performance.now();
    for (let i = 0; i < job.tokens; i++) gpt.next();
    const ms = performance.now() - t0;
    return { ms, tokensPerSec: job.tokens / (ms / 1000), text: gpt.generated() };
  };
  const cached = run(true), uncached = run(false);
  postMessage({ type: 'cache-speed', tokens: job.tokens, cached, uncached, ratio: uncached.ms / cached.ms });
}

async function corpusText(corpus) {
  if (corpus.kind === 'own') return corpus.text;
  const response = await fetch(new URL(`../../../datasets/${corpus.name}`, import.meta.url));
  if (!response.ok) throw new Error(`${corpus.name}: HTTP ${response.status}`);
  return response.text();
}

async function train(job) {
  const M = await enginePromise;
  let saved = job.resume ? await loadCheckpoint() : null;
  if (job.resume && !saved) throw new Error('no checkpoint saved in this browser');
  const corpus = saved ? saved.corpus : job.corpus, config = saved ? saved.config : job.config;
  const opts = saved ? saved.options : job.options;
  const text = await corpusText(corpus);
  models.trained?.delete();
  models.trained = null;
  const gpt = saved ? M.TinyGPT.fromCheckpoint(saved.bytes)
                    : M.TinyGPT.create(JSON.stringify(config), M.TinyGPT.vocabOf(text), opts.seed ?? 0);
  const split = JSON.parse(gpt.setCorpus(text, JSON.stringify(opts)));
  if (saved) gpt.loadCheckpoint(saved.bytes);
  models.trained = gpt;
  training = { state: 'running' };
  trainRun = { steps: 0, ms: 0, batch: split.batch ?? opts.batch, block: JSON.parse(gpt.config()).block_size, text };
  postMessage({ type: 'train-started', split, config: JSON.parse(gpt.config()), vocab: gpt.vocab(), parameters: gpt.parameterCount(),
                step: gpt.stepsDone(), resumed: !!saved, options: opts });
  const evalEvery = job.evalEvery ?? 100, sampleEvery = job.sampleEvery ?? 200, slice = job.sliceSteps ?? 5;
  const maxSteps = opts.maxSteps ?? 2000;
  const samplePrompt = text.includes('\n') ? '\n' : [...text][0];  // a character the vocabulary has
  let last = performance.now();
  while (training.state !== 'stopped' && gpt.stepsDone() < maxSteps) {
    if (training.state === 'paused') { await new Promise((r) => { training.wake = r; }); continue; }
    const stepsNow = Math.min(slice, maxSteps - gpt.stepsDone());
    const s0 = performance.now();
    const r = gpt.step(stepsNow);
    const now = performance.now();
    trainRun.steps += stepsNow;
    trainRun.ms += now - s0;
    postMessage({ type: 'progress', ...r, maxSteps, sliceMs: now - last });
    last = now;
    const step = r.step;
    if (step % evalEvery < slice || step >= maxSteps) {
      postMessage({ type: 'validation', step, loss: gpt.evaluate() });
      const bytes = gpt.saveCheckpoint();
      await saveCheckpoint({ bytes, step, options: opts, config, corpus, savedAt: new Date().toISOString() });
      postMessage({ type: 'checkpoint', step, bytes: bytes.length });
    }
    if (step % sampleEvery < slice) {
      gpt.start(samplePrompt, JSON.stringify({ temperature: 0.8, seed: step }));
      let s = '';
      for (let i = 0; i < 120; i++) s += gpt.next().text;
      postMessage({ type: 'sample', step, text: s });
    }
    await new Promise((r) => setTimeout(r, 0));  // pause / stop arrive here
  }
  const finished = training.state !== 'stopped';
  training.state = 'stopped';
  postMessage({ type: 'train-state', state: finished ? 'finished' : 'stopped', step: gpt.stepsDone() });
}

async function costs(job) {
  const M = await enginePromise;
  const gpt = models.trained ?? models.pretrained;
  const config = job.gptConfig ?? JSON.parse(gpt.config());
  const T = Math.min(job.T ?? config.block_size, config.block_size);
  const g = JSON.parse(M.gptCosts(JSON.stringify(config), T));
  const c = JSON.parse(M.classifierCosts(job.cnn.architecture, job.cnn.input_shape));
  const memory = JSON.parse(M.trainingMemoryReport(job.cnn.architecture, job.cnn.input_shape, 1));
  c.activation_bytes = memory.step.activation_bytes;
  // measured here: a training step of each (the GPT column's config at its batch), what each learned
  const trained = gpt === models.trained;
  const text = trained ? trainRun.text.slice(-60000)
                       : (await corpusText({ kind: 'austen', name: 'austen.txt' })).slice(-60000);
  const timing = await trainingStepTimes(M, { cnnCard: job.cnn, gptConfig: config, gptVocab: gpt.vocab(),
                                              gptBatch: trained ? trainRun.batch : (job.gptBatch ?? 16), text });
  const learned = { cnn: await cnnLearned(M, job.cnnImages ?? 1000), gpt: gptLearned(gpt, text, job.gptPositions ?? 200) };
  const pageRun = trainRun?.steps ? { steps: trainRun.steps, msPerStep: trainRun.ms / trainRun.steps, batch: trainRun.batch,
                                     block: trainRun.block } : null;
  postMessage({ type: 'costs', gpt: g, cnn: c, memoryReport: memory, model: trained ? 'trained' : 'pretrained', timing,
                learned, pageRun });
}

const handlers = {
  async load(job) {
    const M = await enginePromise;
    const response = await fetch(job.url);
    if (!response.ok) throw new Error(`${job.url}: HTTP ${response.status}`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    models.pretrained?.delete();
    models.pretrained = M.TinyGPT.fromSafetensors(bytes, job.url.split('/').pop());
    const g = models.pretrained;
    postMessage({ type: 'loaded', config: JSON.parse(g.config()), vocab: g.vocab(), parameters: g.parameterCount() });
  },
  generate,
  'stop-generate': () => { generation++; },
  'measure-cache': measureCache,
  train,
  pause: () => { if (training?.state === 'running') { training.state = 'paused'; postMessage({ type: 'train-state', state: 'paused' }); } },
  resume: () => {
    if (training?.state !== 'paused') return;
    training.state = 'running';
    postMessage({ type: 'train-state', state: 'running' });
    training.wake?.();
  },
  stop: () => { if (training && training.state !== 'stopped') { training.state = 'stopped'; training.wake?.(); } },
  export: () => {
    const bytes = model('trained').exportWeights();
    postMessage({ type: 'weights', bytes }, [bytes.buffer]);
  },
  costs,
};

onmessage = async ({ data: job }) => {
  try {
    const handler = handlers[job.type];
    if (!handler) throw new Error(`unknown message '${job.type}'`);
    await handler(job);
  } catch (error) {
    // The threaded build (tt_web_mt) currently delivers engine errors as a bare WebAssembly.Exception, without the
    // C++ message: say at least that much.
    const message = error?.message ?? `the engine failed (${error?.constructor?.name ?? typeof error}, no message)`;
    postMessage({ type: 'error', for: job.type, message });
  }
};
