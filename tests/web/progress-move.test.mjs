// Saved progress survives the engine's move into layer folders (engine/X.cpp → engine/LAYER/X.cpp), in real Chromium:
// a progress file exported before the move is imported through the settings dialog, lesson 02 opens with the
// imported code in its editor under the new paths, and a Run of that code passes every check.
//
// The fixture (tests/web/fixtures/progress-pre-move.json) is an export made by the progress store of commit 8aa564e,
// the last one before the move: modules 01 and 02 hold that commit's reference files under their old paths
// (`git show 8aa564e:engine/tensor.cpp` …), 01 passed, 02 not yet, and "build on my framework" chosen, so lesson 02
// links with the saved 01 file as well.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, launchBrowser, screenshot, siteDir } from './harness.mjs';

const KEY = 'tinytorch.progress';
const fixture = path.join(import.meta.dirname, 'fixtures/progress-pre-move.json');
const exported = JSON.parse(fs.readFileSync(fixture, 'utf8'));
const lessons = JSON.parse(fs.readFileSync(path.join(siteDir, 'lessons/index.json'), 'utf8'));
const lesson02 = lessons.find((l) => l.id === '02_tensor');
const studentBuilt = fs.existsSync(path.join(siteDir, 'student/manifest.json'));

test('a progress export from before the engine move imports, and lesson 02 passes with the imported code',
  { skip: studentBuilt && lesson02 && !lesson02.missing?.length ? false : 'lesson 02 or the student build is not in this site' },
  async (t) => {
    // The fixture really is pre-move: every saved file sits at engine/<name>.cpp, and lesson 02 now lives elsewhere.
    const saved02 = exported.modules['02'].code;
    assert.deepEqual(Object.keys(saved02).sort(), lesson02.files.map((f) => `engine/${path.basename(f)}`).sort());
    for (const f of lesson02.files) assert.notEqual(f, `engine/${path.basename(f)}`, `${f} did not move`);
    assert.deepEqual(Object.keys(exported.modules['01'].code), ['engine/profile.cpp']);
    assert.equal(exported.modules['02'].passedAt, null);

    const server = await startServer();
    t.after(() => server.close());
    const browser = await launchBrowser();
    t.after(() => browser.close());
    const { page } = browser;

    await page.goto(`${server.url}/`);
    await page.waitForSelector('#app[data-state=ready]');
    await page.click('#open-settings');
    await page.waitForSelector('dialog#settings[open]');
    await page.setInputFiles('#set-import-file', fixture);
    await page.waitForFunction(() => /Imported/.test(document.querySelector('.settings-status').textContent));
    await page.keyboard.press('Escape');
    const states = await page.$$eval('.module', (els) => Object.fromEntries(els.map((e) => [e.dataset.module, e.dataset.state])));
    assert.equal(states['01'], 'passed');
    assert.equal(states['02'], 'open');
    // stored under the new paths at once
    const stored = await page.evaluate((k) => JSON.parse(localStorage.getItem(k)), KEY);
    assert.deepEqual(Object.keys(stored.modules['02'].code).sort(), [...lesson02.files].sort());
    assert.deepEqual(Object.keys(stored.modules['01'].code), ['engine/core/profile.cpp']);
    assert.equal(stored.settings.buildOn, 'mine');

    await page.goto(`${server.url}/lesson.html?m=02`);
    await page.waitForSelector('#app[data-state=ready]');
    for (const file of lesson02.files) {
      const text = await page.evaluate((f) => window.ttEditor.value(f), file);
      assert.equal(text, saved02[`engine/${path.basename(file)}`], `the editor's ${file} is the imported code`);
    }
    assert.equal(await page.getAttribute('#module-state', 'data-state'), 'open');

    await page.waitForSelector('#run:not([disabled])', { timeout: 180_000 });
    await page.click('#run');
    await page.waitForSelector('#results[data-outcome]', { timeout: 300_000 });
    const results = await page.textContent('#results');
    assert.equal(await page.getAttribute('#results', 'data-outcome'), 'pass', results);
    const statuses = await page.$$eval('.check', (els) => els.map((e) => e.dataset.status));
    assert.ok(statuses.filter((s) => s === 'passed').length >= 20, statuses.join(' '));
    assert.deepEqual(statuses.filter((s) => s !== 'passed' && s !== 'skipped'), []);
    assert.equal(await page.getAttribute('#module-state', 'data-state'), 'passed');
    const after = await page.evaluate((k) => JSON.parse(localStorage.getItem(k)).modules['02'], KEY);
    assert.ok(after.passedAt, 'lesson 02 is recorded as passed');
    assert.equal(after.lastRun.ok, true);
    assert.equal(after.lastRun.summary.failed, 0);
    assert.equal(after.lastRun.summary.passed, statuses.filter((s) => s === 'passed').length);
    await screenshot(page, 'lesson-02-imported-pre-move');

    // one compiler worker for the page
    const workers = await page.evaluate(() => performance.getEntriesByType('resource')
      .filter((e) => /\/js\/student\/compiler-worker\.mjs$/.test(new URL(e.name).pathname)).length);
    assert.equal(workers, 1);
    assert.deepEqual(browser.offsite, []);
    assert.deepEqual(browser.consoleErrors, []);
  });
