// Cutting lessons out of the engine's sources: every `// BEGIN SOLUTION hint` … `// END SOLUTION` region is the part
// of an engine file a student writes.
//
// The starter scheme: a region is replaced by one line, `TT_TODO("hint");`, at the marker's indentation. TT_TODO calls
// tt::fail, which is [[noreturn]], so a function whose body was cut still compiles without inventing a return value
// (no default-value guessing, no warning). The one rule for engine authors: code AFTER a region must not use a name
// declared INSIDE it (put whole function bodies, or self-contained blocks, in regions); the lessons test compiles
// every starter and every one-region variant, so a violation fails CI with the compiler's message.

const BEGIN = /^([ \t]*)\/\/\s*BEGIN SOLUTION\b[ \t]*(.*)$/;
const END = /^[ \t]*\/\/\s*END SOLUTION\b/;

// → [{begin, end, indent, hint}] with 0-based line numbers of the two marker lines.
export function findRegions(text, fileName = 'source') {
  const lines = text.split('\n');
  const regions = [];
  let open = null;
  lines.forEach((line, i) => {
    const b = BEGIN.exec(line);
    if (b) {
      if (open) throw new Error(`${fileName}:${i + 1}: BEGIN SOLUTION inside the region opened at line ${open.begin + 1}`);
      open = { begin: i, indent: b[1], hint: b[2].trim() };
    } else if (END.test(line)) {
      if (!open) throw new Error(`${fileName}:${i + 1}: END SOLUTION without a BEGIN SOLUTION`);
      regions.push({ ...open, end: i });
      open = null;
    }
  });
  if (open) throw new Error(`${fileName}:${open.begin + 1}: BEGIN SOLUTION is never closed`);
  return regions;
}

function cString(text) {
  return '"' + text.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';
}

// Stubs the regions whose index is in `which` (default: all) and drops the markers of the others, so the result
// differs from the reference only where stubbed. Line count changes; that is fine for starters.
export function makeStarter(text, { which = null, fileName = 'source' } = {}) {
  const regions = findRegions(text, fileName);
  const lines = text.split('\n');
  const out = [];
  let r = 0;
  for (let i = 0; i < lines.length; i++) {
    const region = regions[r];
    if (region && i === region.begin) {
      const stub = which === null || which.includes(r);
      if (stub) {
        out.push(`${region.indent}TT_TODO(${cString(region.hint || 'write this part')});`);
        i = region.end;
      }
      // an unstubbed region keeps its body; its marker lines are dropped below
      if (!stub) continue;
      r++;
      continue;
    }
    if (region && i === region.end) { r++; continue; }
    out.push(lines[i]);
  }
  return out.join('\n');
}
