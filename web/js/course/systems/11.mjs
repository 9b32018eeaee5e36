// Module 11's systems panel: the character tokenizer and byte-level BPE at vocabularies 260 .. 8192, trained and
// run by the reference engine on the course's own text (every lesson.md): sequence length, speed, memory.
import { fmtTime, has, missing } from './measure.mjs';
import { courseCorpus } from './corpus.mjs';

export async function measure(M) {
  if (!has(M, 'tokenizerReport')) return missing('the tokenizers (tokenizerReport)');
  const corpus = await courseCorpus();
  const r = JSON.parse(M.tokenizerReport(corpus));
  const int = (n) => Math.round(n).toLocaleString('en');
  const rows = r.rows.map((row) => [
    row.tokenizer === 'char' ? `characters (${row.vocab})` : `BPE ${row.vocab}`,
    int(row.tokens), row.chars_per_token.toFixed(2), fmtTime(row.encode_ms), int(row.tokens_per_s),
    row.mb_per_s.toFixed(2), M.formatBytes(row.id_bytes), M.formatBytes(row.table_bytes),
  ]);
  const ranOut = r.train.learned < r.train.requested
    ? ` The corpus ran out of pairs that occur twice at ${int(r.train.learned)} ids, so larger vocabularies stop there.` : '';
  return {
    tables: [{
      caption: `The course text (${M.formatBytes(r.corpus.bytes)}, ${int(r.corpus.chars)} characters) encoded by each tokenizer`,
      columns: ['tokenizer (vocabulary)', 'tokens', 'chars/token', 'encode time', 'tokens/s', 'MB/s', 'ids (uint16)', `table [V, ${r.dim}] fp32`],
      rows,
    }],
    note: `BPE merges learned once up to ${int(r.train.requested)} ids in ${fmtTime(r.train.ms)}; each smaller vocabulary is a prefix of those merges.${ranOut} ` +
      'A bigger vocabulary makes sequences shorter (fewer positions for attention to pay for) but the embedding table and the output layer grow with V.',
  };
}
