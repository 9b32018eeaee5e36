// clang / wasm-ld output → [{file, line, column, severity, message, notes}] for editor markers.
//
// Kept: diagnostics in the student's files, the check files and the engine headers of the header pack ("include/…").
// Notes located in system headers (libc++, wasi-libc: absolute paths) are dropped: they point at code the student
// never wrote. An error reported INSIDE a system header (a template instantiated with a wrong type) is moved to the
// deepest "requested here" note in the student's own code (or the previous one, when clang elides the chain),
// keeping its message; exact repeats are dropped. Linker errors (undefined symbols) have file null.
const LINE = /^(.+?):(\d+):(\d+): (fatal error|error|warning|note|remark): (.*)$/;
const TOOL = /^(wasm-ld|clang\+\+|clang|ld): (error|warning): (.*)$/;

const isSystem = (file) => file.startsWith('/') || file.startsWith('<');

export function parseDiagnostics(text, { userFiles = [] } = {}) {
  const out = [];
  let current = null;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const m = LINE.exec(line);
    if (m) {
      const [, file, l, c, sev, message] = m;
      const d = { file, line: Number(l), column: Number(c), severity: sev === 'fatal error' ? 'error' : sev, message };
      if (sev === 'note') {
        if (current) current.allNotes.push(d);
        continue;
      }
      current = { ...d, allNotes: [] };
      out.push(current);
      continue;
    }
    const t = TOOL.exec(line);
    if (t) {
      // "linker command failed" only repeats that the errors above happened
      if (/linker command failed/.test(t[3])) continue;
      current = { file: null, line: 0, column: 0, severity: t[2], message: t[3], allNotes: [] };
      out.push(current);
      continue;
    }
    // ">>> referenced by …" lines of wasm-ld belong to the previous linker error
    if (current && current.file === null && /^>>> /.test(line)) current.message += `\n${line.slice(4)}`;
  }
  const user = new Set(userFiles);
  const isUser = (f) => user.has(f) || (!isSystem(f) && !f.startsWith('include/'));
  let lastSite = null;  // clang elides repeated "requested here" chains: reuse the last one
  const seen = new Set();
  const result = [];
  for (let { allNotes, ...d } of out) {
    if (d.file && isSystem(d.file)) {
      const site = allNotes.filter((n) => isUser(n.file)).at(-1) ?? lastSite;
      if (site) {
        lastSite = site;
        d = { ...d, file: site.file, line: site.line, column: site.column, message: `${d.message} (in a library header)` };
      }
    }
    const notes = allNotes.filter((n) => !isSystem(n.file)).map(({ file, line, column, message }) => ({ file, line, column, message }));
    const key = `${d.file}:${d.line}:${d.column}:${d.severity}:${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    result.push({ ...d, notes });
  }
  return result;
}

// Only the diagnostics that belong in one file's editor.
export function diagnosticsFor(diagnostics, file) {
  return diagnostics.filter((d) => d.file === file);
}

// Warnings that, in a Run whose program trapped, most likely explain the trap: reading a variable before it is set
// and the like compile fine but give garbage indices or sizes at run time. The flag clang appends ("[-Wuninitialized]")
// names the kind; a missing return is an error already (-Werror=return-type), kept here for builds without it.
const TRAP_CAUSES = new RegExp('\\[-W(?:error,-W)?(?:' + ['uninitialized', 'sometimes-uninitialized', 'conditional-uninitialized',
  'return-type', 'array-bounds', 'division-by-zero', 'shift-count-overflow', 'shift-count-negative', 'dangling',
  'return-stack-address', 'null-dereference'].join('|') + ')\\]');

export function likelyCauses(diagnostics) {
  return diagnostics.filter((d) => d.severity === 'warning' && d.file && TRAP_CAUSES.test(d.message));
}
