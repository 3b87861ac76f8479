// The console in a real browser: Debian's chromium driven by
// playwright-core, against a server the test started.  Every console
// test file uses these, so each screen's test reads as what a person
// does: sign in, go to a screen, fill a form, read what it says.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { REPO, ROOT_PASSWORD, ROOT_USER, STORE } from './server.js';

export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = path.join(REPO, 'build', 'ui-artifacts');

// Why a browser test cannot run here, or false.  SQLite only: the other
// stores are covered by the API suites, and one store keeps CI's time.
export function browserSkip() {
  if (STORE !== 'sqlite') return 'the console suites run on the SQLite store (PGL_STORE=sqlite)';
  if (!fs.existsSync(CHROMIUM)) return `${CHROMIUM} missing (apt-get install chromium)`;
  return false;
}

// A browser with one context; b.console collects console messages and
// page errors, b.requests every URL asked for.
export async function openBrowser(srv, { width = 1400, height = 900 } = {}) {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  const ctx = await browser.newContext({ viewport: { width, height } });
  const b = { srv, browser, ctx, requests: [], console: [], base: `http://127.0.0.1:${srv.port}` };
  b.newPage = async (c = ctx) => {
    const page = await c.newPage();
    page.on('request', (rq) => b.requests.push(rq.url()));
    page.on('console', (m) => b.console.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => b.console.push(`pageerror: ${e.message}`));
    page.on('dialog', (d) => d.accept());	// dangerButton's confirm()
    return page;
  };
  b.page = await b.newPage();
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  return b;
}

// Sign in through the form; resolves when the header names the user.
export async function signIn(page, base, { user = ROOT_USER, password = ROOT_PASSWORD, tenant } = {}) {
  await page.goto(`${base}/ui/`);
  await page.fill('#l-user', user);
  await page.fill('#l-pass', password);
  if (tenant) await page.fill('#l-tenant', tenant);
  await page.press('#l-pass', 'Enter');
  await page.waitForSelector(`#who:has-text("${user}")`);
}

// Go to a screen by its hash and wait for its heading.
export async function open(page, base, hash, heading) {
  await page.goto(`${base}/ui/${hash}`);
  if (heading) await page.waitForSelector(`#view h2:has-text(${JSON.stringify(heading)})`);
}

export async function shot(page, name) {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

// No script error, no CSP violation, nothing fetched from elsewhere.
export function assertClean(b) {
  const bad = b.console.filter((m) => /Content Security Policy|pageerror/i.test(m));
  assert.deepEqual(bad, [], 'no CSP violation, no script error');
  const outside = b.requests.filter((u) => !u.startsWith(`${b.base}/`));
  assert.deepEqual(outside, [], 'the page requests nothing outside the server');
}

// The error shown beside a form's field (core.js form()): its text.
export async function fieldError(page, formId, name) {
  const input = page.locator(`#${formId} [name="${name}"]`);
  const id = await input.getAttribute('id');
  return (await page.textContent(`#${id}-err`)) || '';
}
