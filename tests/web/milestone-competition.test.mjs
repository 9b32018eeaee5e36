// Milestone 4 and the class leaderboard in a real browser, against the real server: serve.py --leaderboard on a class
// folder made by `serve.py leaderboard-init` (hidden sets from build/hidden, evaluation by build/native/tt). From the
// milestone page a student prepares the MNIST model and quantizes it to int8 in the page, is refused with the
// server's own message for a wrong token, submits with the right one, and sees the submission evaluated and ranked; the leaderboard page, open since before the submission, shows it ranked
// with the accuracy the server computed without a reload; the student's history and the instructor's CSV export
// list it. A site served without --leaderboard says the leaderboard is not available and still offers the file; the
// course map links both pages. After the deadline both pages say the competition is frozen.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, launchBrowser, screenshot, seedPassedModules, siteDir } from './harness.mjs';
import { parseSafetensors } from '../../web/js/milestones/competition/safetensors.mjs';
import { formatMetric } from '../../web/js/milestones/competition/format.mjs';

const repo = path.resolve(import.meta.dirname, '../..');
const tt = process.env.TT_NATIVE ?? path.join(repo, 'build/native/tt');
const hidden = process.env.TT_HIDDEN_DIR ?? path.join(repo, 'build/hidden');
const MODULES_01_17 = Array.from({ length: 17 }, (_, i) => String(i + 1).padStart(2, '0'));
const card = JSON.parse(fs.readFileSync(path.join(repo, 'assets/mnist-mlp.json'), 'utf8'));

function classFolder(...options) {
  assert.ok(fs.existsSync(tt), `${tt}: the native evaluator is not built (make native)`);
  assert.ok(fs.existsSync(path.join(hidden, 'mnist-hidden.ttds')), `${hidden}/mnist-hidden.ttds: the hidden sets are not built (make native)`);
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tt-class-')), 'class');
  execFileSync('python3', [path.join(repo, 'serve.py'), 'leaderboard-init', dir, '--tokens', '2', '--hidden', hidden, ...options], { encoding: 'utf8' });
  const rows = fs.readFileSync(path.join(dir, 'tokens.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  return { dir, student: rows.find((r) => r[1] === 'student')[0], instructor: rows.find((r) => r[1] === 'instructor')[0] };
}

async function openMilestonePage(page, url) {
  await page.goto(`${url}/milestone-competition.html`);
  await seedPassedModules(page, MODULES_01_17);
  await page.reload();
  await page.waitForFunction(() => ['ready', 'failed'].includes(document.body.dataset.state), null, { timeout: 60_000 });
  assert.equal(await page.getAttribute('body', 'data-state'), 'ready');
}

// Picks the MNIST asset and waits for the engine's check. → the page's prepared file.
async function prepareMnist(page) {
  await page.selectOption('#model', 'asset:mnist-mlp');
  await page.waitForFunction(() => window.ttCompetition.prepared?.checked || window.ttCompetition.prepared?.error, null, { timeout: 180_000 });
  assert.equal(await page.inputValue('#task'), 'mnist');
  assert.match(await page.textContent('#check-result'), new RegExp(`Ready: the engine loads it — ${card.parameters.toLocaleString('en-US')} parameters`));
  return page.evaluate(() => ({ ...window.ttCompetition.prepared, bytes: Array.from(window.ttCompetition.prepared.bytes) }));
}

test('milestone 4: a submission from the page is evaluated by the server and ranked live on the leaderboard', async (t) => {
  const klass = classFolder();
  const server = await startServer(siteDir, { args: ['--leaderboard', klass.dir, '--tt', tt] });
  t.after(() => server.close());
  const browser = await launchBrowser({ viewport: { width: 1280, height: 1400 } });
  t.after(() => browser.close());
  const { page, context, consoleErrors } = browser;

  // Locked until module 17 has passed.
  await page.goto(`${server.url}/milestone-competition.html`);
  await page.waitForFunction(() => document.body.dataset.state !== 'loading');
  assert.equal(await page.getAttribute('body', 'data-state'), 'locked');
  await openMilestonePage(page, server.url);
  assert.equal(await page.getAttribute('body', 'data-leaderboard'), 'open');
  assert.match(await page.textContent('#server-status'), /The class leaderboard is open: \d+ tasks, 10 submissions per task per day/);
  assert.equal(await page.textContent('header.site-header .crumb'), 'Milestone 4 · Competition');

  const prepared = await prepareMnist(page);
  let file = parseSafetensors(Uint8Array.from(prepared.bytes));
  assert.equal(file.metadata['tt.arch'], card.architecture, 'the page wrote the architecture into the file');
  // Every build of the site has module 16's bindings: the submission must be the quantized model, never a fallback.
  assert.equal(await page.evaluate(() => window.ttCompetition.canQuantize), true, 'the page can quantize to int8');
  {
    await page.click('#quantize');
    await page.waitForFunction(() => window.ttCompetition.prepared?.quantized && (window.ttCompetition.prepared.checked || window.ttCompetition.prepared.error), null, { timeout: 60_000 });
    const q = await page.evaluate(() => ({ ...window.ttCompetition.quantization, bytes: Array.from(window.ttCompetition.prepared.bytes) }));
    assert.equal(q.before, prepared.bytes.length);
    assert.equal(q.after, q.bytes.length);
    assert.ok(q.after < q.before / 3, `int8 is about 4x smaller: ${q.before} -> ${q.after}`);
    assert.equal(q.fp32.count, q.int8.count);
    assert.ok(q.int8.correct >= q.fp32.correct - 0.02 * q.fp32.count, `int8 keeps the accuracy: ${q.fp32.correct} -> ${q.int8.correct}`);
    file = parseSafetensors(Uint8Array.from(q.bytes));
    assert.ok('tt.quant' in file.metadata);
  }
  t.diagnostic(`submitted model: int8 (quantized in the page), ${(await page.evaluate(() => window.ttCompetition.prepared.bytes.length))} bytes`);

  // The leaderboard, open in a second tab before anything is submitted: an empty MNIST board, live.
  const board = await context.newPage();
  await board.goto(`${server.url}/leaderboard.html`);
  await board.waitForFunction(() => document.body.dataset.state === 'ready' && window.ttLeaderboard.live === 'live', null, { timeout: 30_000 });
  assert.equal(await board.getAttribute('#tab-mnist', 'aria-selected'), 'true');
  await board.waitForFunction(() => window.ttLeaderboard.boards.mnist);
  assert.equal(await board.locator('#board tbody tr').count(), 0);
  assert.equal(await board.isVisible('#board-empty'), true);
  await board.evaluate(() => { window.openedBeforeTheSubmission = true; });

  // A wrong token: the page shows the server's own message.
  const refusal = await fetch(`${server.url}/api/leaderboard/submissions?task=mnist&name=Ada`, { method: 'POST',
    headers: { Authorization: 'Bearer not-a-token', 'Content-Type': 'application/octet-stream' }, body: Buffer.from(prepared.bytes) });
  assert.equal(refusal.status, 401);
  const { error: serverSays } = await refusal.json();
  await page.fill('#name', 'Ada');
  await page.fill('#token', 'not-a-token');
  await page.click('#submit');
  await page.waitForFunction(() => document.getElementById('submit-error').textContent !== '');
  assert.equal(await page.textContent('#submit-error'), serverSays);

  // The right token: uploaded, evaluated, ranked — followed live on the page.
  await page.fill('#token', klass.student);
  await page.click('#submit');
  await page.waitForFunction(() => window.ttCompetition.submission?.finished, null, { timeout: 120_000 });
  const mine = await page.evaluate(() => window.ttCompetition.submission);
  assert.equal(mine.status, 'done', JSON.stringify(mine));
  const truth = await (await fetch(`${server.url}/api/leaderboard/submissions/${mine.id}`)).json();
  assert.equal(truth.status, 'done');
  assert.deepEqual(mine.result, truth.result, 'the page shows the result the server computed');
  assert.ok(truth.result.accuracy > 0.9, `the MNIST MLP classifies the hidden digits: ${truth.result.accuracy}`);
  assert.equal(truth.result.bytes, await page.evaluate(() => window.ttCompetition.prepared.bytes.length));
  assert.equal(mine.rank, 1);
  assert.equal(await page.textContent('#submission-status'), 'done');
  assert.equal(await page.textContent('#submission-result [data-field="accuracy (public part)"]'), formatMetric(truth.result.accuracy, 'accuracy'));
  assert.match(await page.textContent('#submission-rank'), /^Rank 1 of 1 on the MNIST digits board\.$/);
  assert.deepEqual(await page.evaluate(() => [localStorage.getItem('tinytorch.leaderboard.name'), localStorage.getItem('tinytorch.leaderboard.token')]),
                   ['Ada', klass.student], 'the name and token are remembered');
  await screenshot(page, 'milestone-competition');

  // The leaderboard tab updated itself: the entry, ranked first with the server's accuracy, winner of all four.
  await board.waitForSelector(`#board tbody tr[data-id="${mine.id}"]`, { timeout: 30_000 });
  assert.equal(await board.evaluate(() => window.openedBeforeTheSubmission), true, 'no reload');
  const served = await (await fetch(`${server.url}/api/leaderboard/board?task=mnist`)).json();
  assert.deepEqual(served.entries.map((e) => [e.rank, e.id, e.name, e.accuracy]), [[1, mine.id, 'Ada', truth.result.accuracy]]);
  const row = board.locator(`#board tbody tr[data-id="${mine.id}"]`);
  assert.equal(await row.locator('td').first().textContent(), '1');
  assert.equal(await row.locator('td[data-field=score]').textContent(), formatMetric(served.entries[0].accuracy, 'accuracy'));
  assert.equal(await row.locator('.trophy').count(), 4, 'the only entry wins every category');
  assert.match(await row.getAttribute('class'), /winner/);
  assert.match(await board.textContent('#winners [data-category=accuracy]'), /Ada/);
  assert.equal(await board.locator('#unranked tbody tr').count(), 0);

  // My submissions (the tab was opened before the token was first used: it is typed here) and the instructor's CSV.
  await board.fill('#mine-token', klass.student);
  await board.click('#mine-show');
  await board.waitForSelector(`#mine-table tbody tr[data-id="${mine.id}"]`);
  assert.match(await board.textContent(`#mine-table tbody tr[data-id="${mine.id}"]`), /mnistAdadone/);
  await board.click('#instructor summary');
  await board.fill('#export-token', klass.student);
  await board.click('#export');
  await board.waitForFunction(() => document.getElementById('export-error').textContent !== '');
  assert.equal(await board.textContent('#export-error'), 'the CSV export needs the instructor token');
  await board.fill('#export-token', klass.instructor);
  const [download] = await Promise.all([board.waitForEvent('download'), board.click('#export')]);
  const csv = fs.readFileSync(await download.path(), 'utf8').trim().split(/\r?\n/).map((l) => l.split(','));
  assert.equal(download.suggestedFilename(), 'leaderboard-mnist.csv');
  assert.deepEqual(csv[0].slice(0, 3), ['id', 'task', 'name']);
  assert.deepEqual(csv.slice(1).map((r) => [r[0], r[2], Number(r[6])]), [[mine.id, 'Ada', truth.result.accuracy]]);
  await screenshot(board, 'leaderboard');

  // Keyboard: the task tabs move with the arrow keys.
  await board.focus('#tab-mnist');
  await board.keyboard.press('ArrowRight');
  const second = await board.evaluate(() => document.activeElement.dataset.task);
  assert.notEqual(second, 'mnist');
  assert.equal(await board.getAttribute(`#tab-${second}`, 'aria-selected'), 'true');
  // the refused token (401) and the student's token at the export (403) are logged by the browser as failed loads
  assert.deepEqual(consoleErrors.filter((e) => !/status of 40[13]/.test(e)), []);
});

test('milestone 4 on a static site: the leaderboard is not available, the model file can still be prepared', async (t) => {
  const server = await startServer(siteDir);
  t.after(() => server.close());
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const { page, consoleErrors } = browser;
  await openMilestonePage(page, server.url);
  assert.equal(await page.getAttribute('body', 'data-leaderboard'), 'unavailable');
  assert.match(await page.textContent('#server-status'), /The leaderboard is not available on this site: it is served as static files/);
  await prepareMnist(page);
  assert.equal(await page.isDisabled('#submit'), true);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  const file = parseSafetensors(new Uint8Array(fs.readFileSync(await download.path())));
  assert.equal(file.metadata['tt.arch'], card.architecture);
  assert.deepEqual([...file.tensors.keys()], ['1.bias', '1.weight', '3.bias', '3.weight']);

  // The course map links both pages from the milestone's card, as it links the other milestones.
  await page.goto(`${server.url}/`);
  await page.waitForFunction(() => document.getElementById('app').dataset.state === 'ready', null, { timeout: 60_000 });
  assert.equal(await page.getAttribute('[data-milestone=competition]', 'data-state'), 'unlocked');
  assert.deepEqual(await page.$$eval('[data-milestone=competition] a', (as) => as.map((a) => [a.getAttribute('href'), a.textContent])),
                   [['leaderboard.html', 'Leaderboard'], ['milestone-competition.html', 'Open →']]);
  assert.equal(await page.getAttribute('#continue #open-milestone', 'href'), 'milestone-competition.html');

  await page.goto(`${server.url}/leaderboard.html`);
  await page.waitForFunction(() => document.body.dataset.state === 'unavailable');
  assert.match(await page.textContent('#banner'), /The leaderboard is not available on this site/);
  assert.equal(await page.isHidden('#board-area'), true);
  // the 404s of the probe are the expected answer of a static site, not errors of the page
  assert.deepEqual(consoleErrors.filter((e) => !/status of 404/.test(e)), []);
});

test('milestone 4 after the deadline: the page and the board say the competition is frozen; the server refuses an upload', async (t) => {
  const klass = classFolder('--deadline', '2026-01-01T00:00:00Z');
  const server = await startServer(siteDir, { args: ['--leaderboard', klass.dir, '--tt', tt] });
  t.after(() => server.close());
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const { page, consoleErrors } = browser;
  await openMilestonePage(page, server.url);
  assert.equal(await page.getAttribute('body', 'data-leaderboard'), 'frozen');
  assert.match(await page.textContent('#server-status'), /^The leaderboard is frozen; deadline .*2026.*: no more submissions\./);
  await page.waitForFunction(() => window.ttCompetition.prepared?.checked, null, { timeout: 180_000 });
  assert.equal(await page.isDisabled('#submit'), true, 'a checked model cannot be submitted after the deadline');
  const refused = await fetch(`${server.url}/api/leaderboard/submissions?task=mnist&name=Ada`, { method: 'POST',
    headers: { Authorization: `Bearer ${klass.student}`, 'Content-Type': 'application/octet-stream' },
    body: Buffer.from(await page.evaluate(() => Array.from(window.ttCompetition.prepared.bytes))) });
  assert.equal(refused.status, 403);

  await page.goto(`${server.url}/leaderboard.html`);
  await page.waitForFunction(() => document.body.dataset.state === 'ready' && window.ttLeaderboard.boards.mnist);
  assert.equal(await page.evaluate(() => window.ttLeaderboard.boards.mnist.final), true);
  assert.match(await page.textContent('#banner'), /^Final ranking: the competition closed at .*2026.*; scores are on the private part of the test set\.$/);
  assert.match(await page.textContent('#board-title'), /final, private part/);
  assert.deepEqual(consoleErrors, []);
});
