// What a C++ source of the engine (or of its checks) says about itself, read from its text: the leading comment, the
// module it names there, its includes, and the regions students write (hint + enclosing function, never the body).
// One reader for the lesson pages' "where this code lives" (engine-map.json, scripts/build-site.mjs) and for
// engine/README.md (scripts/engine-readme.mjs).

// The leading `//` comment block, joined into one line ("" when the file starts with code).
export function summaryOf(text) {
  const out = [];
  for (const line of text.split('\n')) {
    const m = /^\/\/ ?(.*)$/.exec(line);
    if (!m) break;
    out.push(m[1]);
  }
  return out.join(' ').trim();
}

// "// Module 06 — …" → {kind: 'module', number: '06'}; "// Milestone 1 — …" → {kind: 'milestone', number: '1'};
// a first line naming neither → null.
export function declaredModule(text) {
  const first = text.split('\n', 1)[0];
  const m = /^\/\/ (Module|Milestone) (\d+)\b/.exec(first);
  if (!m) return null;
  return m[1] === 'Module' ? { kind: 'module', number: m[2].padStart(2, '0') } : { kind: 'milestone', number: m[2] };
}

export function includesOf(text) {
  return [...text.matchAll(/^#include "([^"]+)"/gm)].map((m) => m[1]);
}

// The `// BEGIN SOLUTION hint` regions: [{line, hint, function}]. The last function-looking line before a region
// names it: "Tensor Tensor::reshape(...) const {" → "Tensor::reshape".
export function regionsOf(text) {
  const regions = [];
  let fn = null;
  text.split('\n').forEach((line, i) => {
    const sig = /^[A-Za-z_][\w:<>,*& ]*?\b([A-Za-z_][\w:]*(?:operator\S+)?)\s*\([^;]*$/.exec(line);
    if (sig && !/^\s/.test(line) && !/^(if|for|while|switch|return)\b/.test(line)) fn = sig[1];
    const b = /^\s*\/\/\s*BEGIN SOLUTION\b\s*(.*)$/.exec(line);
    if (b) regions.push({ line: i + 1, hint: b[1].trim(), function: fn });
  });
  return regions;
}

// One file's entry of engine-map.json: {path, lines, summary, includes, text (headers), regions (.cpp),
// cases (checks)}.
export function describeSource(rel, text) {
  const entry = { path: rel, lines: text.split('\n').length, summary: summaryOf(text), includes: includesOf(text) };
  if (rel.endsWith('.h')) entry.text = text;
  if (rel.endsWith('.cpp')) entry.regions = regionsOf(text);
  if (rel.startsWith('tests/')) entry.cases = [...text.matchAll(/TEST_CASE\("([^"]+)"/g)].map((m) => m[1]);
  return entry;
}
