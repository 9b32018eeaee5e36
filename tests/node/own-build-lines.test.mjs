// The own-build trainers (milestones 2 and 3) read the program's stdout as JSON lines while it streams: chunks end
// anywhere, stderr is not the protocol, and a line that is not a JSON object is skipped, not fatal.
import test from 'node:test';
import assert from 'node:assert/strict';
import { lineReader } from '../../web/js/milestones/own-build.mjs';

test('lineReader: messages split across chunks arrive whole, once, in order', () => {
  const got = [];
  const read = lineReader((m) => got.push(m));
  read(1, '{"type":"ready","step":0}\n{"type":"pro');
  assert.deepEqual(got, [{ type: 'ready', step: 0 }]);
  read(1, 'gress","loss":2.5}');
  assert.equal(got.length, 1, 'no message before its newline');
  read(1, '\n  {"type":"done"}  \n');
  assert.deepEqual(got, [{ type: 'ready', step: 0 }, { type: 'progress', loss: 2.5 }, { type: 'done' }]);
});

test('lineReader: stderr, plain text and a cut-off JSON line are skipped', () => {
  const got = [];
  const read = lineReader((m) => got.push(m));
  read(2, '{"type":"from-stderr"}\n');
  read(1, 'warning: not a message\n{"type":"cut\n[1,2]\n{"type":"ok"}\n');
  assert.deepEqual(got, [{ type: 'ok' }]);
});
