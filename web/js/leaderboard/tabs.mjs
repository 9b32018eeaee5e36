// One tab per task (WAI-ARIA tabs): click or Enter/Space selects, Left/Right/Home/End move between tabs, and only the
// selected tab is in the Tab order. tabs(container, items [{id, label}], onSelect(id)) → {select(id)}.
import { h } from '../course/shell.mjs';

export function tabs(container, items, onSelect) {
  const buttons = items.map((item) => h('button', { type: 'button', role: 'tab', id: `tab-${item.id}`,
    'aria-controls': 'board-panel', dataset: { task: item.id } }, item.label));
  container.replaceChildren(...buttons);
  const select = (id, focus = false) => {
    for (const b of buttons) {
      const on = b.dataset.task === id;
      b.setAttribute('aria-selected', String(on));
      b.tabIndex = on ? 0 : -1;
      if (on && focus) b.focus();
    }
    document.getElementById('board-panel')?.setAttribute('aria-labelledby', `tab-${id}`);
    onSelect(id);
  };
  container.addEventListener('click', (e) => {
    const b = e.target.closest('[role=tab]');
    if (b) select(b.dataset.task);
  });
  container.addEventListener('keydown', (e) => {
    const i = buttons.indexOf(document.activeElement);
    if (i < 0) return;
    const to = { ArrowRight: (i + 1) % buttons.length, ArrowLeft: (i - 1 + buttons.length) % buttons.length,
      Home: 0, End: buttons.length - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    select(buttons[to].dataset.task, true);
  });
  return { select };
}
