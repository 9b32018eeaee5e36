// The student's progress: code per module and file, the last run's results, when each module passed, and the
// settings. Model code: no DOM. It persists through any Storage-like object (localStorage in the page, a Map in
// tests) as one JSON document, written on a short debounce after every edit so a crash loses at most that window.
// Export/import use the same document, so a file exported on one machine restores everything on another.
// Every document read (storage or import) passes validateProgress, which also carries code saved under an engine
// file's old path to its new one (moved-files.mjs).
import { MOVED_FILES } from './moved-files.mjs';

export const STORAGE_KEY = 'tinytorch.progress';
export const SCHEMA = 'tinytorch-progress';
export const VERSION = 1;

export const DEFAULT_SETTINGS = Object.freeze({
  timeLimitSeconds: 10,   // a Run that takes longer is stopped (fresh runner worker, terminated)
  buildOn: 'reference',   // 'reference': link your file with the reference engine; 'mine': with your own earlier modules
});

export function emptyProgress() {
  return { schema: SCHEMA, version: VERSION, modules: {}, settings: { ...DEFAULT_SETTINGS } };
}

// Checks a parsed document and returns a clean copy; throws an Error that says what is wrong.
export function validateProgress(doc) {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new Error('progress file: expected a JSON object');
  if (doc.schema !== SCHEMA) throw new Error(`progress file: "schema" must be "${SCHEMA}", got ${JSON.stringify(doc.schema)}`);
  if (doc.version !== VERSION) throw new Error(`progress file: version ${JSON.stringify(doc.version)} is not supported (expected ${VERSION})`);
  if (!doc.modules || typeof doc.modules !== 'object') throw new Error('progress file: "modules" must be an object');
  const out = emptyProgress();
  for (const [id, m] of Object.entries(doc.modules)) {
    if (!/^\d\d$/.test(id)) throw new Error(`progress file: module id ${JSON.stringify(id)} is not two digits`);
    if (!m || typeof m !== 'object') throw new Error(`progress file: module ${id} must be an object`);
    const code = {};
    for (const [file, text] of Object.entries(m.code ?? {})) {
      if (typeof text !== 'string') throw new Error(`progress file: module ${id}, file ${file}: code must be a string`);
      // under both paths (saved before and after the move): the new path's text is the later edit
      if (!(file in MOVED_FILES) || !(MOVED_FILES[file] in (m.code ?? {}))) code[currentPath(file)] = text;
    }
    if (m.passedAt != null && Number.isNaN(Date.parse(m.passedAt))) {
      throw new Error(`progress file: module ${id}: passedAt ${JSON.stringify(m.passedAt)} is not a date`);
    }
    out.modules[id] = { code, passedAt: m.passedAt ?? null, lastRun: upgradeRun(m.lastRun ?? null) };
  }
  const s = doc.settings ?? {};
  const limit = Number(s.timeLimitSeconds ?? DEFAULT_SETTINGS.timeLimitSeconds);
  if (!(limit >= 1 && limit <= 600)) throw new Error(`progress file: timeLimitSeconds must be 1-600, got ${s.timeLimitSeconds}`);
  const buildOn = s.buildOn ?? DEFAULT_SETTINGS.buildOn;
  if (buildOn !== 'reference' && buildOn !== 'mine') throw new Error(`progress file: buildOn must be "reference" or "mine", got ${JSON.stringify(buildOn)}`);
  out.settings = { timeLimitSeconds: limit, buildOn };
  return out;
}

// Where an engine file lives now.
export function currentPath(file) {
  return MOVED_FILES[file] ?? file;
}

// A last run as today's pages read it: diagnostics at the files' current paths, and a run saved before the page used
// results.mjs's names (checks 'pass'/'fail'/'skip', failures' `expr`, one `message`) in today's names.
const OLD_STATUS = { pass: 'passed', fail: 'failed', skip: 'skipped' };
function upgradeRun(run) {
  if (!run || typeof run !== 'object') return null;
  const out = { ...run };
  if (Array.isArray(run.diagnostics)) out.diagnostics = run.diagnostics.map((d) => ({ ...d, file: d?.file && currentPath(d.file) }));
  if (Array.isArray(run.checks) && run.checks.some((c) => c?.status in OLD_STATUS)) {
    out.problems = run.problems ?? [];
    out.summary = run.summary && { crashed: 0, ...run.summary };
    out.checks = run.checks.map(({ status, message, failures, ...c }) => ({
      ...c, status: OLD_STATUS[status] ?? status, messages: message ? [message] : [],
      failures: (failures ?? []).map(({ expr, ...f }) => ({ ...f, expression: f.expression ?? expr ?? null })),
    }));
  }
  return out;
}

// The fields of a session result (web/js/student/session.mjs) a module keeps as its last run, output trimmed.
const KEEP_OUTPUT = 4000;
const KEEP_DIAGNOSTICS = 50;
function runRecord(result) {
  const keep = ['ok', 'stage', 'summary', 'checks', 'problems', 'message', 'status'];
  const record = Object.fromEntries(keep.filter((k) => result[k] !== undefined).map((k) => [k, result[k]]));
  if (result.diagnostics) record.diagnostics = result.diagnostics.slice(0, KEEP_DIAGNOSTICS);
  for (const k of ['stdout', 'stderr']) if (typeof result[k] === 'string') record[k] = result[k].slice(-KEEP_OUTPUT);
  return record;
}

export class ProgressStore {
  // storage: {getItem, setItem, removeItem}; delayMs: debounce for code edits.
  constructor(storage, { delayMs = 300, now = () => new Date(),
    setTimer = (fn, ms) => setTimeout(fn, ms), clearTimer = (id) => clearTimeout(id) } = {}) {
    this.storage = storage;
    this.delayMs = delayMs;
    this.now = now;
    this.setTimer = setTimer;
    this.clearTimer = clearTimer;
    this.timer = null;
    this.listeners = new Set();
    this.state = this.read();
  }

  read() {
    const text = this.storage.getItem(STORAGE_KEY);
    if (!text) return emptyProgress();
    try {
      return validateProgress(JSON.parse(text));
    } catch (error) {
      // A damaged document must not lock the student out; keep it aside so nothing is silently destroyed.
      this.storage.setItem(`${STORAGE_KEY}.damaged`, text);
      console.warn(`progress: stored document ignored (${error.message}); a copy is in ${STORAGE_KEY}.damaged`);
      return emptyProgress();
    }
  }

  // Re-reads storage (another tab wrote it).
  reload() {
    this.state = this.read();
    this.emit();
  }

  subscribe(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  emit() {
    for (const fn of this.listeners) fn(this.state);
  }

  module(id) {
    return this.state.modules[id] ?? { code: {}, passedAt: null, lastRun: null };
  }

  ensure(id) {
    return (this.state.modules[id] ??= { code: {}, passedAt: null, lastRun: null });
  }

  code(id, file) {
    return this.state.modules[id]?.code?.[file] ?? null;
  }

  // Every edit: kept in memory at once, written after delayMs of quiet (or at flush()).
  setCode(id, file, text) {
    this.ensure(id).code[file] = text;
    this.schedule();
  }

  resetCode(id, file) {
    delete this.ensure(id).code[file];
    this.writeNow();
  }

  // result: a session result (buildAndRun), kept in its own names. A passing run marks the module passed (first
  // date kept).
  recordRun(id, result) {
    const m = this.ensure(id);
    const at = this.now().toISOString();
    m.lastRun = { at, ...runRecord(result) };
    if (result.ok && !m.passedAt) m.passedAt = at;
    this.writeNow();
  }

  settings() {
    return { ...this.state.settings };
  }

  updateSettings(patch) {
    this.state = validateProgress({ ...this.state, settings: { ...this.state.settings, ...patch } });
    this.writeNow();
  }

  schedule() {
    if (this.timer) this.clearTimer(this.timer);
    this.timer = this.setTimer(() => this.writeNow(), this.delayMs);
  }

  flush() {
    if (this.timer) this.writeNow();
  }

  writeNow() {
    if (this.timer) this.clearTimer(this.timer);
    this.timer = null;
    this.storage.setItem(STORAGE_KEY, JSON.stringify(this.state));
    this.emit();
  }

  exportJSON() {
    return JSON.stringify({ ...this.state, exportedAt: this.now().toISOString() }, null, 1);
  }

  // Replaces all progress with the file's; throws (and changes nothing) when the file is not valid.
  importJSON(text) {
    let doc;
    try {
      doc = JSON.parse(text);
    } catch (error) {
      throw new Error(`progress file: not valid JSON (${error.message})`);
    }
    this.state = validateProgress(doc);
    this.writeNow();
  }

  resetAll() {
    this.state = emptyProgress();
    this.writeNow();
  }
}

// A Storage stand-in for tests and for pages where localStorage is unavailable (privacy mode): memory only.
export class MemoryStorage {
  constructor() { this.map = new Map(); }
  getItem(k) { return this.map.has(k) ? this.map.get(k) : null; }
  setItem(k, v) { this.map.set(k, String(v)); }
  removeItem(k) { this.map.delete(k); }
}
