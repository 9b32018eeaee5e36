// The settings dialog: run time limit, which engine the student's file is linked with, export/import of all
// progress as one JSON file, and reset (behind a confirmation). Every page opens it from the header's button.
import { h, loadLessonIndex } from './shell.mjs';
import { LIMITS, lessonFiles } from './progress.mjs';

function download(name, text) {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function installSettings(store, { button, onChanged = () => {} }) {
  const s = store.settings();
  const status = h('div', { class: 'settings-status', role: 'status', 'aria-live': 'polite' });
  const timeLimit = h('input', { id: 'set-time-limit', type: 'number', min: '1', max: '600', step: '1', value: s.timeLimitSeconds });
  const radio = (value, label, help) => h('label', { class: 'radio' },
    h('input', { type: 'radio', name: 'build-on', value, checked: s.buildOn === value }),
    h('span', {}, h('strong', {}, label), h('small', {}, help)));
  const importInput = h('input', { id: 'set-import-file', type: 'file', accept: 'application/json,.json', class: 'visually-hidden' });
  const confirmBox = h('div', { class: 'confirm', hidden: true, role: 'alertdialog', 'aria-labelledby': 'confirm-title' },
    h('p', { id: 'confirm-title' }, 'Erase all saved code, results and unlocks in this browser? Export first if you may want them back.'),
    h('div', { class: 'row' },
      h('button', { type: 'button', class: 'danger', id: 'set-reset-confirm', onclick: () => {
        store.resetAll();
        confirmBox.hidden = true;
        say('Progress erased.');
        onChanged();
      } }, 'Yes, erase my progress'),
      h('button', { type: 'button', id: 'set-reset-cancel', onclick: () => { confirmBox.hidden = true; } }, 'Cancel')));

  const dialog = h('dialog', { id: 'settings', 'aria-labelledby': 'settings-title' },
    h('form', { method: 'dialog', class: 'settings' },
      h('header', {}, h('h2', { id: 'settings-title' }, 'Settings'),
        h('button', { type: 'submit', class: 'icon', 'aria-label': 'Close settings' }, '×')),
      h('fieldset', {}, h('legend', {}, 'Running your code'),
        h('label', { for: 'set-time-limit' }, 'Time limit per run (seconds)'), timeLimit),
      h('fieldset', {}, h('legend', {}, 'Build your file on'),
        radio('reference', 'The reference engine', 'Your module’s file, linked with the course’s own engine for everything else.'),
        radio('mine', 'My framework', 'Your files from earlier modules replace the reference ones too.')),
      h('fieldset', {}, h('legend', {}, 'Your progress'),
        h('div', { class: 'row' },
          h('button', { type: 'button', id: 'set-export', onclick: () => {
            download(`tinytorch-progress-${new Date().toISOString().slice(0, 10)}.json`, store.exportJSON());
            say('Progress exported.');
          } }, 'Export…'),
          h('label', { class: 'button', for: 'set-import-file', tabindex: '0', onkeydown: (e) => {
            if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); importInput.click(); }
          } }, 'Import…'), importInput,
          h('button', { type: 'button', class: 'danger', id: 'set-reset', onclick: () => { confirmBox.hidden = false; } }, 'Reset progress…')),
        confirmBox),
      status));

  // One line; or a refused import's message: its "- " lines (the problems found) as a list after the first line.
  function say(text, isError = false) {
    const lines = text.split('\n');
    const items = lines.filter((l) => l.startsWith('- ')).map((l) => h('li', {}, l.slice(2)));
    const other = lines.filter((l) => !l.startsWith('- '));
    status.replaceChildren(other[0], items.length ? h('ul', { class: 'settings-problems' }, items) : '',
      ...other.slice(1).map((l) => h('p', {}, l)));
    status.classList.toggle('error', isError);
  }
  timeLimit.addEventListener('change', () => {
    try {
      store.updateSettings({ timeLimitSeconds: Number(timeLimit.value) });
      say(`Runs stop after ${timeLimit.value} s.`);
      onChanged();
    } catch (error) {
      say(error.message, true);
    }
  });
  dialog.addEventListener('change', (event) => {
    if (event.target.name !== 'build-on') return;
    store.updateSettings({ buildOn: event.target.value });
    say(event.target.value === 'mine' ? 'Runs link your own earlier modules.' : 'Runs link the reference engine.');
    onChanged();
  });
  importInput.addEventListener('change', async () => {
    const file = importInput.files[0];
    if (!file) return;
    try {
      // not even read: a file this large cannot be a progress file (UTF-8 takes at most 4 bytes a character)
      if (file.size > 4 * LIMITS.fileChars) {
        throw new Error(`${file.name} is ${(file.size / 2 ** 20).toFixed(0)} MiB: too large for a progress file. Nothing was imported.`);
      }
      // Module ids and file names are checked against the course's (without the index, only their form is).
      const lessons = await loadLessonIndex().then(lessonFiles, () => null);
      store.importJSON(await file.text(), { lessons });
      say(`Imported ${file.name}.`);
      onChanged();
    } catch (error) {
      say(error.message, true);
    }
    importInput.value = '';
  });
  // keep the form in step with imports/resets
  store.subscribe((state) => {
    timeLimit.value = state.settings.timeLimitSeconds;
    for (const r of dialog.querySelectorAll('input[name=build-on]')) r.checked = r.value === state.settings.buildOn;
  });
  document.body.append(dialog);
  button.addEventListener('click', () => { status.textContent = ''; confirmBox.hidden = true; dialog.showModal(); });
  return dialog;
}
