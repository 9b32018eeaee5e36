// Step 1 of the milestone page: which model, for which task. The chosen model is turned into its submission file
// (models.mjs), its size shown against the task's limit, optionally quantized to int8 (before/after sizes), checked by
// the engine worker as the server will load it, and offered as a download — all of which works on a static site.
// state.prepared = {task, kind, arch, bytes, checked, error} is what the submit panel sends.
import { h } from '../../course/shell.mjs';
import { modelCandidates, fromFile } from './models.mjs';
import { formatBytes, formatMs } from './format.mjs';
import { isQuantizedFile } from './quantize.mjs';

const $ = (id) => document.getElementById(id);

// The task a candidate belongs to: its data set names it, else the only task of its kind.
function taskFor(candidate, tasks) {
  return tasks.find((t) => t.id === candidate.dataset) ?? tasks.filter((t) => t.kind === candidate.kind)[0] ?? null;
}

export async function preparePanel(state, worker, onChange) {
  const tasks = state.tasks;
  $('task').replaceChildren(...tasks.map((t) => h('option', { value: t.id }, t.title ?? t.id)));
  const candidates = await modelCandidates();
  state.candidates = candidates.map(({ key, label, kind, dataset }) => ({ key, label, kind, dataset }));
  $('model').replaceChildren(...candidates.map((c) => h('option', { value: c.key }, c.label)),
    h('option', { value: 'file' }, 'a .safetensors file…'));
  let token = 0;  // the latest choice wins: a slow load of an earlier one is dropped

  const task = () => tasks.find((t) => t.id === $('task').value);
  const set = (prepared) => {
    state.prepared = prepared;
    $('download').disabled = !prepared?.bytes;
    $('quantize').disabled = !(prepared?.bytes && prepared.kind === 'classifier' && !prepared.quantized && state.canQuantize);
    onChange();
  };
  const describe = (p) => {
    const t = task();
    const over = t?.maxBytes && p.bytes.length > t.maxBytes;
    $('model-info').textContent = `${p.quantized ? 'int8' : 'float32'} file of ${formatBytes(p.bytes.length)}` +
      (t?.maxBytes ? ` (limit ${formatBytes(t.maxBytes)}${over ? ': too large' : ''})` : '') +
      (p.arch ? ` · ${p.arch}` : '');
    return !over;
  };

  async function check(p) {
    const t = task();
    const mine = ++token;
    $('check-result').className = '';
    const fitsSize = describe(p);
    if (t && t.kind !== p.kind) {
      p.error = `a ${p.kind === 'gpt' ? 'GPT' : 'classifier'} cannot enter the ${t.title ?? t.id} task`;
    } else if (!fitsSize) {
      p.error = `${formatBytes(p.bytes.length)} is over the ${formatBytes(t.maxBytes)} limit: quantize it or make it smaller`;
    } else {
      $('check-result').textContent = 'Checking the model with the engine…';
      const answer = await worker.ask({ type: 'check', kind: p.kind, arch: p.arch, inputShape: t?.input, bytes: p.bytes });
      if (mine !== token) return;
      if (answer.type === 'error') p.error = answer.message;
      else if (t?.classes && answer.classes !== undefined && answer.classes !== t.classes.length) {
        p.error = `the model has ${answer.classes} outputs; ${t.title ?? t.id} has ${t.classes.length} classes`;
      } else {
        p.checked = answer;
      }
    }
    if (p.error) {
      $('check-result').className = 'error';
      $('check-result').textContent = `Not ready: ${p.error}`;
    } else {
      const c = p.checked;
      $('check-result').className = 'ok';
      $('check-result').textContent = `Ready: the engine loads it — ${c.parameters.toLocaleString()} parameters` +
        (c.latencyMs != null ? `, ${formatMs(c.latencyMs)} per image in this browser (the server measures its own)` : '') +
        (c.note ? `; ${c.note}` : '') + '.';
    }
    set(p);
  }

  async function choose() {
    const key = $('model').value;
    $('file-row').hidden = key !== 'file';
    $('quant-result').textContent = '';
    set(null);
    try {
      let p;
      if (key === 'file') {
        const file = $('model-file').files[0];
        if (!file) { $('model-info').textContent = 'Pick a .safetensors file.'; $('check-result').textContent = ''; return; }
        const made = fromFile(new Uint8Array(await file.arrayBuffer()), file.name, $('model-arch').value);
        p = { ...made, name: file.name };
      } else {
        const c = candidates.find((x) => x.key === key);
        const t = taskFor(c, tasks);
        if (t) $('task').value = t.id;
        $('model-info').textContent = `Loading ${c.label}…`;
        p = { kind: c.kind, arch: c.arch, bytes: await c.load(), name: c.key };
      }
      p.quantized = isQuantizedFile(p.bytes);
      await check(p);
    } catch (error) {
      $('check-result').className = 'error';
      $('check-result').textContent = `Not ready: ${error.message}`;
      set({ error: error.message });
    }
  }

  $('model').onchange = choose;
  $('model-file').onchange = choose;
  $('model-arch').onchange = choose;
  $('task').onchange = () => { if (state.prepared?.bytes) check({ ...state.prepared, error: null, checked: null }); };
  $('quantize').onclick = async () => {
    const p = state.prepared, t = task();
    $('quantize').disabled = true;
    $('quant-result').textContent = 'Quantizing and measuring both forms on the shipped test split…';
    const answer = await worker.ask({ type: 'quantize', bytes: p.bytes, arch: p.arch, task: t.id });
    if (answer.type === 'error') {
      $('quant-result').textContent = answer.message;
      $('quantize').disabled = false;
      return;
    }
    const { fp32, int8 } = answer;
    const pct = (r) => `${(100 * r.correct / r.count).toFixed(2)}%`;
    state.quantization = { before: p.bytes.length, after: answer.bytes.length, fp32, int8 };
    $('quant-result').textContent = `float32 ${formatBytes(p.bytes.length)} → int8 ${formatBytes(answer.bytes.length)} ` +
      `(${(p.bytes.length / answer.bytes.length).toFixed(2)}× smaller); on ${int8.count} shipped test images ` +
      `${pct(fp32)} → ${pct(int8)}, ${formatMs(fp32.ms_b1)} → ${formatMs(int8.ms_b1)} per image here.`;
    // the quantizer ran the int8 file: it loads; the architecture and size are checked as for any file
    await check({ kind: p.kind, arch: p.arch, bytes: answer.bytes, name: `${p.name}-int8`, quantized: true });
  };
  $('download').onclick = () => {
    const p = state.prepared;
    const a = h('a', { href: URL.createObjectURL(new Blob([p.bytes], { type: 'application/octet-stream' })),
      download: `${task()?.id ?? 'model'}-submission${p.quantized ? '-int8' : ''}.safetensors` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  };
  // the student's own work first, then a model made for one of the server's tasks
  const fits = (c) => tasks.some((t) => t.id === c.dataset);
  const preferred = candidates.find((c) => c.key.startsWith('checkpoint:') && fits(c)) ?? candidates.find(fits) ?? candidates[0];
  if (preferred) $('model').value = preferred.key;
  await choose();
  return { task };
}
