// Real-browser test harness: serves the built site with serve.py and drives Debian's Chromium via playwright-core.
// Every request that leaves the loopback interface is aborted and recorded: the course must work offline.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { chromium } from 'playwright-core';

const repo = path.resolve(import.meta.dirname, '../..');
export const siteDir = process.env.TT_SITE_DIR ?? path.join(repo, 'build/site');
export const screenshotDir = path.join(repo, 'build/screenshots');

// Starts serve.py on a free port; resolves to { url, close }. args: more serve.py options (e.g. --timeout).
export async function startServer(root = siteDir, { isolate = true, args = [] } = {}) {
  const flags = [...(isolate ? [] : ['--no-isolate']), ...args];
  const proc = spawn('python3', [path.join(repo, 'serve.py'), '--root', root, '--port', '0', ...flags], {
    env: { ...process.env, TT_SERVE_QUIET: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const lines = readline.createInterface({ input: proc.stdout });
  const port = await new Promise((resolve, reject) => {
    lines.on('line', (line) => { const m = /^PORT (\d+)/.exec(line); if (m) resolve(Number(m[1])); });
    proc.on('exit', (code) => reject(new Error(`serve.py exited with ${code}: ${stderr}`)));
  });
  return { url: `http://127.0.0.1:${port}`, close: () => proc.kill() };
}

// Launches headless Chromium with a fresh profile; resolves to { context, page, offsite, consoleErrors, close }.
// profile: a profile folder to use (and keep) instead, e.g. a second visit with the first one's caches and storage.
// httpCache: Playwright's request interception (which records `offsite`) turns the browser's HTTP cache off, and with
// it the compiled-code cache of wasm and scripts: a benchmark of a second visit needs them, so with httpCache true
// nothing is intercepted and Chromium's host resolver keeps the page offline instead (`offsite` stays empty).
export async function launchBrowser({ viewport = { width: 1280, height: 800 }, profile: kept = null, httpCache = false } = {}) {
  const profile = kept ?? fs.mkdtempSync(path.join(os.tmpdir(), 'tt-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    viewport,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync',
           ...(httpCache ? ['--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1'] : [])],
  });
  const offsite = [];
  if (!httpCache) {
    await context.route('**/*', (route) => {
      const { hostname } = new URL(route.request().url());
      if (hostname === '127.0.0.1' || hostname === 'localhost') return route.continue();
      offsite.push(route.request().url());
      return route.abort();
    });
  }
  const page = context.pages()[0] ?? (await context.newPage());
  const consoleErrors = [];
  page.on('console', (msg) => { if (msg.type() === 'error') consoleErrors.push(msg.text()); });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  return {
    context, page, offsite, consoleErrors,
    close: async () => { await context.close(); if (!kept) fs.rmSync(profile, { recursive: true, force: true }); },
  };
}

export async function screenshot(page, name) {
  fs.mkdirSync(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

// Marks modules as passed in the course's stored progress (what the course pages gate on), then reload the page.
export function seedPassedModules(page, ids) {
  return page.evaluate((ids) => {
    const modules = Object.fromEntries(ids.map((id) => [id, { code: {}, passedAt: '2026-12-01T12:00:00.000Z', lastRun: null }]));
    localStorage.setItem('tinytorch.progress', JSON.stringify({ schema: 'tinytorch-progress', version: 1, modules,
      settings: { timeLimitSeconds: 10, buildOn: 'reference' } }));
  }, ids);
}
