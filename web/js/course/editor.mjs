// The C++ editor: Monaco's AMD build (vendor/monaco/vs), one model per file the student edits, compiler
// diagnostics as markers, Ctrl/Cmd+Enter to run. Monaco's loader must come after every UMD script on the page
// (Chart.js, KaTeX): it defines a global `define` those scripts would otherwise register with.

const VS = new URL('../../vendor/monaco/vs', import.meta.url).href;
let monacoPromise = null;

export function loadMonaco() {
  monacoPromise ??= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = `${VS}/loader.js`;
    script.onerror = () => reject(new Error('could not load the editor (vendor/monaco/vs/loader.js)'));
    script.onload = () => {
      window.require.config({ paths: { vs: VS } });
      window.require(['vs/editor/editor.main'], () => resolve(window.monaco), reject);
    };
    document.head.append(script);
  });
  return monacoPromise;
}

const SEVERITY = { error: 8, warning: 4, note: 2, info: 2 };

// files: [{path, text}]; onChange(path, text); onRun()
export async function createEditor(element, { files, onChange, onRun }) {
  const monaco = await loadMonaco();
  const models = new Map();
  for (const f of files) {
    const model = monaco.editor.createModel(f.text, 'cpp', monaco.Uri.parse(`file:///${f.path}`));
    model.onDidChangeContent(() => onChange(f.path, model.getValue()));
    models.set(f.path, model);
  }
  const editor = monaco.editor.create(element, {
    model: models.get(files[0].path),
    automaticLayout: true,
    fontSize: 14,
    minimap: { enabled: false },
    scrollBeyondLastLine: false,
    tabSize: 4,
    insertSpaces: true,
    renderWhitespace: 'selection',
    wordWrap: 'on',  // a TT_TODO's hint is one long line: keep it readable
    ariaLabel: 'C++ editor. Ctrl+Enter runs the checks; Ctrl+M makes Tab move the focus out of the editor.',
  });
  editor.addAction({
    id: 'tt.run',
    label: 'Run the checks',
    keybindings: [monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter],
    run: () => onRun(),
  });
  // Tab would trap keyboard users inside the editor; Monaco's own toggle is Ctrl+M, say so in the aria label.

  return {
    monaco,
    editor,
    show(path) { editor.setModel(models.get(path)); editor.focus(); },
    current() { return editor.getModel().uri.path.slice(1); },
    value(path) { return models.get(path).getValue(); },
    values() { return Object.fromEntries([...models].map(([p, m]) => [p, m.getValue()])); },
    setValue(path, text) { models.get(path).setValue(text); },
    // diagnostics: [{file, line, column, severity, message}] — only the student's files get markers. owner: 'clang'
    // (the compiler's, from a Run or a compile ahead) or 'checks' (where a Run's checks stopped), each replaced on
    // its own; paths: the files whose markers are replaced (all by default).
    setDiagnostics(diagnostics, { owner = 'clang', paths = [...models.keys()] } = {}) {
      for (const path of paths) {
        const model = models.get(path);
        if (!model) continue;
        const mine = diagnostics.filter((d) => d.file && (d.file === path || path.endsWith(d.file) || d.file.endsWith(path)));
        monaco.editor.setModelMarkers(model, owner, mine.map((d) => ({
          severity: SEVERITY[d.severity] ?? 8,
          message: d.message,
          startLineNumber: d.line || 1,
          startColumn: d.column || 1,
          endLineNumber: d.line || 1,
          endColumn: model.getLineMaxColumn(Math.min(d.line || 1, model.getLineCount())),
        })));
      }
    },
    reveal(path, line, column = 1) {
      if (models.has(path)) editor.setModel(models.get(path));
      editor.revealLineInCenter(line);
      editor.setPosition({ lineNumber: line, column });
      editor.focus();
    },
  };
}
