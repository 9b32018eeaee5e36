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

// What an import may hold. A student's file is a few KiB; a saved run keeps 4000 characters of output and 50
// diagnostics (runRecord); localStorage holds about 5 MB per site, and an import must fit beside nothing else.
export const LIMITS = Object.freeze({
  fileChars: 4_000_000,   // the whole progress file
  codeChars: 200_000,     // one engine file's code
  textChars: 20_000,      // one text field of a saved run (output, a message)
  listItems: 2_000,       // checks, diagnostics, problems, failures of a saved run
});

const STAGES = ['compile', 'link', 'run', 'stopped', 'unavailable'];
const CHECK_STATUSES = ['passed', 'failed', 'crashed', 'timeout', 'stopped', 'skipped'];
const SUMMARY_KEYS = ['passed', 'failed', 'crashed', 'skipped', 'total'];
const SHOWN = 8;  // problems listed in one message; the rest are counted

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const show = (v) => {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
};

// The problems of one saved run (a module's lastRun, already in today's names), as ["where: what"]. The lesson page
// and the map render these fields, so each must have the type they expect.
function runProblems(run, where) {
  const out = [];
  const bad = (field, what) => out.push(`${where}.${field}: ${what}`);
  const text = (field, v, { nullable = true } = {}) => {
    if (v === undefined || (nullable && v === null)) return;
    if (typeof v !== 'string') bad(field, `expected text, got ${show(v)}`);
    else if (v.length > LIMITS.textChars) bad(field, `${v.length} characters, more than ${LIMITS.textChars}`);
  };
  const count = (field, v, { nullable = true } = {}) => {
    if (v === undefined || (nullable && v === null)) return;
    if (!Number.isInteger(v) || v < 0) bad(field, `expected a whole number ≥ 0, got ${show(v)}`);
  };
  const list = (field, v, each) => {
    if (v === undefined) return;
    if (!Array.isArray(v)) return bad(field, `expected a list, got ${show(v)}`);
    if (v.length > LIMITS.listItems) return bad(field, `${v.length} entries, more than ${LIMITS.listItems}`);
    v.forEach((item, i) => each(`${field}[${i}]`, item));
  };
  if (!isObject(run)) return [`${where}: expected an object or null, got ${show(run)}`];
  if (run.at !== undefined && (typeof run.at !== 'string' || Number.isNaN(Date.parse(run.at)))) bad('at', `${show(run.at)} is not a date`);
  if (run.ok !== undefined && typeof run.ok !== 'boolean') bad('ok', `expected true or false, got ${show(run.ok)}`);
  if (run.stage !== undefined && !STAGES.includes(run.stage)) bad('stage', `${show(run.stage)} is not one of ${STAGES.join(', ')}`);
  for (const k of ['message', 'status', 'stdout', 'stderr']) text(k, run[k]);
  if (run.summary !== undefined && run.summary !== null) {
    if (!isObject(run.summary)) bad('summary', `expected an object, got ${show(run.summary)}`);
    else for (const k of SUMMARY_KEYS) count(`summary.${k}`, run.summary[k]);
  }
  list('problems', run.problems, (f, v) => text(f, v, { nullable: false }));
  list('diagnostics', run.diagnostics, (f, d) => {
    if (!isObject(d)) return bad(f, `expected an object, got ${show(d)}`);
    text(`${f}.file`, d.file);
    text(`${f}.severity`, d.severity);
    text(`${f}.message`, d.message);
    count(`${f}.line`, d.line);
    count(`${f}.column`, d.column);
    list(`${f}.notes`, d.notes, (g, n) => { if (!isObject(n)) bad(g, `expected an object, got ${show(n)}`); else text(`${g}.message`, n.message); });
  });
  list('checks', run.checks, (f, c) => {
    if (!isObject(c)) return bad(f, `expected an object, got ${show(c)}`);
    text(`${f}.name`, c.name, { nullable: false });
    if (c.name === undefined) bad(`${f}.name`, 'missing');
    if (!CHECK_STATUSES.includes(c.status)) bad(`${f}.status`, `${show(c.status)} is not one of ${CHECK_STATUSES.join(', ')}`);
    text(`${f}.file`, c.file);
    count(`${f}.line`, c.line);
    text(`${f}.reason`, c.reason);
    list(`${f}.messages`, c.messages, (g, m) => text(g, m, { nullable: false }));
    list(`${f}.failures`, c.failures, (g, x) => {
      if (!isObject(x)) return bad(g, `expected an object, got ${show(x)}`);
      for (const k of ['file', 'kind', 'expression', 'decomposition', 'got', 'expected', 'message']) text(`${g}.${k}`, x[k]);
      count(`${g}.line`, x.line);
    });
    if (c.trap !== undefined && c.trap !== null) {
      if (!isObject(c.trap)) bad(`${f}.trap`, `expected an object, got ${show(c.trap)}`);
      else {
        for (const k of ['kind', 'message', 'errorFile']) text(`${f}.trap.${k}`, c.trap[k]);
        count(`${f}.trap.errorLine`, c.trap.errorLine);
      }
    }
  });
  return out;
}

// One error for a list of problems: the first few named, the rest counted.
function problemsError(problems) {
  if (problems.length === 1) return new Error(`progress file: ${problems[0]}`);
  const listed = problems.slice(0, SHOWN).map((p) => `\n- ${p}`).join('');
  const more = problems.length > SHOWN ? `\n- and ${problems.length - SHOWN} more` : '';
  return new Error(`progress file: ${problems.length} problems:${listed}${more}`);
}

// The course's modules and their files, as validateProgress wants them, from lessons/index.json's entries:
// {"01": ["engine/core/profile.cpp"], …}.
export function lessonFiles(lessons) {
  return Object.fromEntries(lessons.map((l) => [String(l.number).padStart(2, '0'), [...(l.files ?? [])]]));
}

// Checks a parsed document field by field and returns a clean copy; throws one Error listing every problem found
// (error.problems holds them all). options:
//   lessons  {"01": [file, …]} (lessonFiles): module ids and file names must be the course's (old engine paths are
//            read under their new ones); without it only their form is checked
//   repair   true (storage reads): a saved run with problems is dropped (set to null) instead of refusing the document:
//            it is only a display of an old result, and the code beside it must not be lost over it
export function validateProgress(doc, { lessons = null, repair = false } = {}) {
  if (!isObject(doc)) throw new Error('progress file: expected a JSON object');
  if (doc.schema !== SCHEMA) throw new Error(`progress file: "schema" must be "${SCHEMA}", got ${show(doc.schema)}`);
  if (doc.version !== VERSION) throw new Error(`progress file: version ${show(doc.version)} is not supported (expected ${VERSION})`);
  if (!isObject(doc.modules)) throw new Error('progress file: "modules" must be an object');
  const problems = [];
  const out = emptyProgress();
  // in module order, whatever the file's ("99" would come first: JavaScript lists integer-like keys first)
  for (const [id, m] of Object.entries(doc.modules).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const where = `module ${id}`;
    if (!/^\d\d$/.test(id)) { problems.push(`module id ${show(id)} is not two digits`); continue; }
    if (lessons && !(id in lessons)) { problems.push(`${where}: the course has no module ${id}`); continue; }
    if (!isObject(m)) { problems.push(`${where}: must be an object, got ${show(m)}`); continue; }
    const code = {};
    if (m.code !== undefined && !isObject(m.code)) problems.push(`${where}: "code" must be an object of file: text, got ${show(m.code)}`);
    const files = isObject(m.code) ? m.code : {};
    for (const [file, text] of Object.entries(files)) {
      if (typeof text !== 'string') { problems.push(`${where}, file ${file}: code must be a string, got ${show(text)}`); continue; }
      if (text.length > LIMITS.codeChars) { problems.push(`${where}, file ${file}: ${text.length} characters, more than ${LIMITS.codeChars}`); continue; }
      if (lessons && !lessons[id].includes(currentPath(file))) {
        problems.push(`${where}, file ${file}: not a file of module ${id} (its files: ${lessons[id].join(', ') || 'none'})`);
        continue;
      }
      // under both paths (saved before and after the move): the new path's text is the later edit
      if (!(file in MOVED_FILES) || !(MOVED_FILES[file] in files)) code[currentPath(file)] = text;
    }
    if (m.passedAt != null && (typeof m.passedAt !== 'string' || Number.isNaN(Date.parse(m.passedAt)))) {
      problems.push(`${where}: passedAt ${show(m.passedAt)} is not a date`);
    }
    let lastRun = m.lastRun == null ? null : upgradeRun(m.lastRun);
    const runIssues = lastRun === null ? [] : runProblems(lastRun, `${where}: lastRun`);
    if (runIssues.length && repair) lastRun = null;
    else problems.push(...runIssues);
    out.modules[id] = { code, passedAt: m.passedAt ?? null, lastRun };
  }
  if (doc.settings !== undefined && !isObject(doc.settings)) problems.push(`"settings" must be an object, got ${show(doc.settings)}`);
  const s = isObject(doc.settings) ? doc.settings : {};
  const limit = s.timeLimitSeconds ?? DEFAULT_SETTINGS.timeLimitSeconds;
  if (!(typeof limit === 'number' && limit >= 1 && limit <= 600)) problems.push(`timeLimitSeconds must be 1-600, got ${show(s.timeLimitSeconds)}`);
  const buildOn = s.buildOn ?? DEFAULT_SETTINGS.buildOn;
  if (buildOn !== 'reference' && buildOn !== 'mine') problems.push(`buildOn must be "reference" or "mine", got ${show(buildOn)}`);
  if (problems.length) throw Object.assign(problemsError(problems), { problems });
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
  if (!isObject(run)) return run;  // validateProgress says what is wrong with it
  const out = { ...run };
  if (Array.isArray(run.diagnostics)) {
    out.diagnostics = run.diagnostics.map((d) => (isObject(d) ? { ...d, file: d.file && currentPath(d.file) } : d));
  }
  if (Array.isArray(run.checks) && run.checks.some((c) => isObject(c) && c.status in OLD_STATUS)) {
    out.problems = run.problems ?? [];
    out.summary = isObject(run.summary) ? { crashed: 0, ...run.summary } : run.summary;
    out.checks = run.checks.map((check) => {
      if (!isObject(check)) return check;
      const { status, message, failures, ...c } = check;
      return {
        ...c, status: OLD_STATUS[status] ?? status, messages: message ? [message] : [],
        failures: Array.isArray(failures)
          ? failures.map((f) => (isObject(f) ? (({ expr, ...rest }) => ({ ...rest, expression: rest.expression ?? expr ?? null }))(f) : f))
          : failures,
      };
    });
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
      return validateProgress(JSON.parse(text), { repair: true });
    } catch (error) {
      // A damaged document must not lock the student out; keep it aside so nothing is silently destroyed.
      try {
        this.storage.setItem(`${STORAGE_KEY}.damaged`, text);
      } catch {
        // no room for the copy: the original stays where it is until the next save
      }
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
    this.state = validateProgress({ ...this.state, settings: { ...this.state.settings, ...patch } }, { repair: true });
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

  // Replaces all progress with the file's, all or nothing: the file is checked field by field (with `lessons`, see
  // validateProgress: module ids and file names against the course's), and it is written to storage before it is
  // adopted, so a file refused by the storage (over its quota) leaves the previous progress in place, in memory and
  // in storage. Throws an Error that lists what was wrong (error.problems) and changes nothing.
  importJSON(text, { lessons = null } = {}) {
    const unchanged = 'Nothing was imported; your progress is unchanged.';
    if (typeof text !== 'string') throw new Error(`progress file: expected text. ${unchanged}`);
    if (text.length > LIMITS.fileChars) {
      throw new Error(`progress file: ${text.length} characters, more than the ${LIMITS.fileChars} a progress file can have. ${unchanged}`);
    }
    let doc;
    try {
      doc = JSON.parse(text);
    } catch (error) {
      throw new Error(`progress file: not valid JSON (${error.message}). ${unchanged}`);
    }
    let state;
    try {
      state = validateProgress(doc, { lessons });
    } catch (error) {
      error.message += `\n${unchanged}`;
      throw error;
    }
    try {
      this.storage.setItem(STORAGE_KEY, JSON.stringify(state));
    } catch (error) {
      throw new Error(`progress file: the browser's storage refused it (${error.name ?? 'Error'}: ${error.message}). ${unchanged}`);
    }
    if (this.timer) this.clearTimer(this.timer);
    this.timer = null;
    this.state = state;
    this.emit();
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
