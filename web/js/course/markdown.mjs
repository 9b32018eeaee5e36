// Lesson text: Markdown (marked) with TeX math (KaTeX, loaded as a UMD script before Monaco's loader):
// $…$ inline and $$…$$ on their own lines. Math is rendered at parse time, so marked never sees TeX's backslashes.
import { Marked } from '../../vendor/marked.esm.js';

function renderMath(tex, displayMode) {
  if (!globalThis.katex) return `<code class="math-tex">${tex}</code>`;
  return globalThis.katex.renderToString(tex, { displayMode, throwOnError: false, output: 'html' });
}

const math = {
  extensions: [
    {
      name: 'mathBlock',
      level: 'block',
      start: (src) => src.match(/^\$\$/m)?.index,
      tokenizer(src) {
        const m = /^\$\$([\s\S]+?)\$\$[ \t]*(?:\n|$)/.exec(src);
        if (m) return { type: 'mathBlock', raw: m[0], text: m[1].trim() };
      },
      renderer: (token) => `<div class="math">${renderMath(token.text, true)}</div>\n`,
    },
    {
      name: 'mathInline',
      level: 'inline',
      start: (src) => src.indexOf('$'),
      tokenizer(src) {
        // may wrap onto the next line of the paragraph, never across a blank line
        const m = /^\$(?!\s)((?:\\.|[^$\\])+?)(?<!\s)\$(?!\d)/.exec(src);
        if (m && !m[1].includes('\n\n')) return { type: 'mathInline', raw: m[0], text: m[1] };
      },
      renderer: (token) => renderMath(token.text, false),
    },
  ],
};

const marked = new Marked({ gfm: true }, math);

export function renderMarkdown(text) {
  return marked.parse(text);
}
