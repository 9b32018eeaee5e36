// toolchain.mjs with a fake clang:
// - exercise(): the lesson page's extra compile and link while a new visitor reads (the compiler's code is still V8's
//   baseline code then). It must run the compiler for real even when the file's object is cached, link the result in
//   place of that file's reference object, and leave no trace in either object cache.
// - coldCompiler(): when the page runs that exercise (a first visit, or a warm-up well slower than this browser's best).
// - the lessons' prebuilt check and starter objects, loaded on first use (loadArtifacts loads only what every build
//   needs): each is loaded once, a failed load is retried, and a starter whose object cannot be loaded is compiled.
import test from 'node:test';
import assert from 'node:assert/strict';
import { COLD_WARMUP_RATIO, Toolchain, coldCompiler } from '../../web/js/student/toolchain.mjs';

const bytes = (text) => new TextEncoder().encode(text);

function fakeToolchain({ load = null } = {}) {
  const calls = [];
  const runClang = async (argv, tree) => {
    if (argv.includes('-c')) {
      const path = argv[argv.indexOf('-c') + 1];
      const source = path.split('/').reduce((node, part) => node[part], tree);
      calls.push({ kind: 'compile', path, source });
      return { 'out.o': bytes(`object of ${path}`) };
    }
    const objects = argv.filter((a) => a.startsWith('obj/')).map((name) => new TextDecoder().decode(tree.obj[name.slice(4)]));
    calls.push({ kind: 'link', objects });
    return { 'checks.wasm': bytes('wasm') };
  };
  const manifest = {
    compileFlags: ['-O2'], studentFlags: [], linkFlags: [], pch: { file: 'tt.pch', flag: ['-include-pch', 'tt.pch'] },
    doctestMain: 'objects/doctest_main.o',
    objects: { 'engine/core/a.cpp': 'objects/core/a.o', 'engine/core/b.cpp': 'objects/core/b.o' },
  };
  const objects = { 'objects/doctest_main.o': bytes('main'), 'objects/core/a.o': bytes('ref a'), 'objects/core/b.o': bytes('ref b') };
  const stored = new Map();
  const store = { get: async (k) => stored.get(k) ?? null, put: async (k, v) => { stored.set(k, v); } };
  manifest.checkObjects = { 'tests/engine/test_01.cpp': 'objects/checks/test_01.o' };
  manifest.starterObjects = { 'engine/core/a.cpp': { object: 'objects/starters/a.o', source: null, output: '' } };
  const toolchain = new Toolchain(runClang, { manifest, headers: {}, pch: bytes('pch'), objects, load }, { store });
  return { toolchain, calls, stored };
}

test('exercise() compiles the file for real even when it is cached, links it in place of its reference object, and caches nothing', async () => {
  const { toolchain, calls, stored } = fakeToolchain();
  const source = 'int a() { return 1; }\n';
  await toolchain.compile('engine/core/a.cpp', source);  // now cached in memory and in the store
  assert.equal(stored.size, 1);
  const memory = toolchain.objectCache.size;
  calls.length = 0;

  const r = await toolchain.exercise('engine/core/a.cpp', source);
  assert.equal(r.file, 'engine/core/a.cpp');
  assert.ok(r.compileMs >= 0 && r.linkMs >= 0);
  assert.equal(calls.length, 2, 'one compile and one link');
  assert.equal(calls[0].kind, 'compile');
  assert.equal(calls[0].path, 'engine/core/a.cpp');
  assert.ok(calls[0].source.startsWith(source) && calls[0].source !== source, 'a variant of the file, so no Run ever asks for it');
  assert.deepEqual(calls[1], { kind: 'link', objects: ['main', 'object of engine/core/a.cpp', 'ref b'] });
  assert.equal(stored.size, 1, 'nothing stored');
  assert.equal(toolchain.objectCache.size, memory, 'nothing cached in memory');

  // and the real file is still a cache hit afterwards
  calls.length = 0;
  const again = await toolchain.compile('engine/core/a.cpp', source);
  assert.equal(again.cached, true);
  assert.equal(calls.length, 0);
});

test('exercise() with a file that does not compile still links the reference objects', async () => {
  const { toolchain, calls } = fakeToolchain();
  const failing = async (argv, tree) => {
    if (argv.includes('-c')) throw Object.assign(new Error('exit 1'), { code: 1 });
    return calls.push({ kind: 'link', n: argv.filter((a) => a.startsWith('obj/')).length }) && { 'checks.wasm': bytes('wasm') };
  };
  toolchain.runClang = failing;
  const r = await toolchain.exercise('engine/core/a.cpp', 'int a( {\n');
  assert.equal(r.file, 'engine/core/a.cpp');
  assert.deepEqual(calls, [{ kind: 'link', n: 3 }], 'doctest main + both reference objects');
});

test('a lesson\'s prebuilt check object is loaded on first use, once, and a failed load is tried again', async () => {
  const loads = [];
  let fail = true;
  const load = async (file) => {
    loads.push(file);
    await new Promise((r) => setTimeout(r, 5));
    if (fail) throw new Error(`404 ${file}`);
    return bytes(`prebuilt ${file}`);
  };
  const { toolchain, calls } = fakeToolchain({ load });
  await assert.rejects(toolchain.object('objects/checks/test_01.o'), /404/);
  fail = false;
  const [a, b] = await Promise.all([toolchain.object('objects/checks/test_01.o'), toolchain.object('objects/checks/test_01.o')]);
  assert.equal(a, b);
  assert.deepEqual(loads, ['objects/checks/test_01.o', 'objects/checks/test_01.o'], 'one load for both calls after the failed one');
  assert.equal(await toolchain.object('objects/core/b.o'), toolchain.objects['objects/core/b.o'], 'engine objects are there from the start');
  assert.equal(loads.length, 2);

  const r = await toolchain.build({ files: { 'engine/core/a.cpp': 'int a();\n' }, prebuiltChecks: ['tests/engine/test_01.cpp'] });
  assert.equal(r.ok, true);
  assert.deepEqual(calls.at(-1), { kind: 'link', objects: ['main', 'object of engine/core/a.cpp', 'prebuilt objects/checks/test_01.o', 'ref b'] });
  assert.equal(loads.length, 2, 'loaded once for the whole visit');
});

test('a starter file takes its prebuilt object when it loads, and is compiled when it does not', async () => {
  const source = '// starter\nint a() { TT_TODO("a"); }\n';
  const digest = async (text) => Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))).slice(0, 12),
    (x) => x.toString(16).padStart(2, '0')).join('');
  for (const works of [true, false]) {
    const load = async (file) => { if (!works) throw new Error('offline'); return bytes(`prebuilt ${file}`); };
    const { toolchain, calls } = fakeToolchain({ load });
    toolchain.manifest.starterObjects['engine/core/a.cpp'].source = await digest(source);
    const r = await toolchain.compile('engine/core/a.cpp', source);
    assert.equal(r.ok, true);
    if (works) {
      assert.equal(r.cached, true);
      assert.equal(new TextDecoder().decode(r.object), 'prebuilt objects/starters/a.o');
      assert.equal(calls.length, 0);
    } else {
      assert.equal(r.cached, false);
      assert.deepEqual(calls.map((c) => c.kind), ['compile']);
    }
  }
});

test('coldCompiler(): cold on a first visit, or when the warm-up is well slower than the best one seen', () => {
  assert.equal(coldCompiler(1260, null), true);   // no warm-up recorded yet: a first visit
  assert.equal(coldCompiler(580, undefined), true);
  assert.equal(coldCompiler(580, 0), true);       // a broken record counts as none
  assert.equal(coldCompiler(1260, 580), true);    // Intel: code cache lost (a new visitor's time)
  assert.equal(coldCompiler(600, 580), false);    // from the code cache
  assert.equal(coldCompiler(2800, 1500), true);   // AMD: cold against the slowest cached warm-up seen there
  assert.equal(coldCompiler(1500, 650), true);
  assert.equal(coldCompiler(COLD_WARMUP_RATIO * 580, 580), false);  // the limit itself is not cold
  assert.equal(coldCompiler(COLD_WARMUP_RATIO * 580 + 1, 580), true);
});

// ahead(): the lesson page compiles the student's files a moment after each edit, so that the Run only links.
test('ahead() compiles into the caches a build reads, and reports each file\'s diagnostics', async () => {
  const { toolchain, calls, stored } = fakeToolchain();
  const failing = toolchain.runClang;
  toolchain.runClang = async (argv, tree, opts) => {
    const path = argv[argv.indexOf('-c') + 1];
    const source = argv.includes('-c') ? path.split('/').reduce((node, part) => node[part], tree) : '';
    if (source.includes('= ;')) {
      calls.push({ kind: 'compile', path, source });
      opts.stderr(bytes(`${path}:2:9: error: expected expression\n`));
      throw Object.assign(new Error('exit 1'), { code: 1 });
    }
    return failing(argv, tree, opts);
  };
  const good = 'int a() { return 1; }\n', bad = 'int a() { return 1; }\nint b = ;\n';
  const r = await toolchain.ahead({ 'engine/core/a.cpp': good, 'engine/core/b.cpp': bad });
  assert.deepEqual(Object.keys(r), ['engine/core/a.cpp', 'engine/core/b.cpp']);
  assert.equal(r['engine/core/a.cpp'].ok, true);
  assert.deepEqual(r['engine/core/a.cpp'].diagnostics, []);
  assert.equal(r['engine/core/b.cpp'].ok, false);
  assert.deepEqual(r['engine/core/b.cpp'].diagnostics.map((d) => [d.file, d.line, d.column, d.severity, d.message]),
    [['engine/core/b.cpp', 2, 9, 'error', 'expected expression']]);
  assert.equal(stored.size, 1, 'only the object that compiled is kept across visits');

  // The Run that follows compiles nothing: the good file from the cache, the failing one's errors from this visit's
  // memory, so the Run shows them at once.
  calls.length = 0;
  const built = await toolchain.build({ files: { 'engine/core/a.cpp': good, 'engine/core/b.cpp': bad } });
  assert.equal(calls.length, 0, JSON.stringify(calls));
  assert.equal(built.ok, false);
  assert.equal(built.stage, 'compile');
  assert.deepEqual(built.timings.cached, ['engine/core/a.cpp', 'engine/core/b.cpp']);
  assert.deepEqual(built.diagnostics.map((d) => [d.file, d.line]), [['engine/core/b.cpp', 2]]);
  // fixed: compiled and linked in place of its reference object
  const fixed = await toolchain.build({ files: { 'engine/core/a.cpp': good, 'engine/core/b.cpp': 'int b = 2;\n' } });
  assert.equal(fixed.ok, true);
  assert.deepEqual(calls.map((c) => c.kind), ['compile', 'link']);
  assert.deepEqual(calls[1].objects, ['main', 'object of engine/core/a.cpp', 'object of engine/core/b.cpp']);
});
