// Compiling as the student types: a moment after the last edit the lesson's files go to the compiler, so that Run
// finds them compiled and only links (a warm Run of lesson 01 was 0.84 s of compile in a 1.2 s Run), and a compile
// error shows on its line before Run is pressed.
//
//   const ahead = compileAhead({compile: (files) => session.compileAhead(files), files: () => editor.values(),
//                               busy: () => Boolean(running), onResult: (result, sent) => …});
//   editor onChange → ahead.edited();   Run → ahead.ran(files)
//
// One compile ahead at a time: an edit made while one runs is compiled after it, so the compiler is never more than
// one stale file behind the student. None starts while busy() (a Run compiles the files itself); it is tried again
// a moment later. Files exactly as last sent, or as a Run took them, are not sent again (a Run's text that ran past
// the compile time limit is not compiled once more behind the student's back). onResult(result, sent): the compiler's answer ({path: {ok, cached, ms, diagnostics}}) and the files
// it was given.
export const AHEAD_DELAY_MS = 500;

export function compileAhead({ compile, files, busy = () => false, onResult = () => {}, delayMs = AHEAD_DELAY_MS }) {
  let timer = null;
  let inFlight = null;
  let again = false;
  let last = null;  // the files last compiled, ahead or by a Run, as one string
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(start, delayMs);
  };
  function start() {
    timer = null;
    if (busy()) return schedule();
    if (inFlight) { again = true; return; }
    const sent = files(), key = JSON.stringify(sent);
    if (key === last) return;
    last = key;
    inFlight = Promise.resolve(compile(sent))
      .then((result) => { if (result) onResult(result, sent); }, () => {})  // a failure here is the next Run's to report
      .finally(() => {
        inFlight = null;
        if (again) { again = false; schedule(); }
      });
  }
  return {
    edited: schedule,
    ran(files) { last = JSON.stringify(files); },
    // resolves once nothing is waiting or compiling (tests and benchmarks)
    async settled() {
      while (timer || inFlight) await (inFlight ?? new Promise((resolve) => setTimeout(resolve, delayMs)));
    },
  };
}
