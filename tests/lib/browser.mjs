// Debian's Chromium for the browser tests, through playwright-core (never a browser of its
// own): headless, with the flags this machine needs (DEVELOPERS.md) and a fresh profile
// that closeBrowser() removes.
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const { chromium } = createRequire(join(root, 'web/package.json'))('playwright-core');

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Start Chromium; returns {context, profile} for closeBrowser(). */
export async function launchBrowser({ viewport = { width: 1366, height: 768 } } = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'qiao-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
    locale: 'zh-CN',
  });
  return { context, profile };
}

export async function closeBrowser(b) {
  await b?.context?.close();
  if (b?.profile) rmSync(b.profile, { recursive: true, force: true });
}

/**
 * The app for one browser test file: the server on a fresh database (`server`: the options
 * of startServer), Chromium with one page that records its script errors, and
 * test-output/screenshots/ made. Returns {server, browser, page, pageErrors, stop}.
 */
export async function openApp({ server: serverOptions, viewport, timeout = 10000 } = {}) {
  if (!existsSync(join(root, 'build/web/index.html'))) throw new Error('build/web is missing: run make first');
  mkdirSync(join(root, 'test-output/screenshots'), { recursive: true });
  const { startServer } = await import('./server.mjs');
  const server = await startServer(serverOptions);
  const browser = await launchBrowser(viewport ? { viewport } : undefined);
  const page = browser.context.pages()[0] || (await browser.context.newPage());
  page.setDefaultTimeout(timeout);
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  const stop = async () => {
    await closeBrowser(browser);
    await server.stop();
  };
  return { server, browser, page, pageErrors, stop };
}

/** Log in as user through the login form and wait for the layout. */
export async function loginForm(page, url, user, password) {
  await page.goto(url + '/#/login');
  await page.locator('input[name=username]').fill(user);
  await page.locator('input[name=password]').fill(password);
  await page.locator('.login-submit').click();
  await page.locator('.layout .header').waitFor();
}

/** Run fn; when it throws, a screenshot test-output/screenshots/FAILED-name.png first. */
export async function shotOnFailure(page, name, fn) {
  try {
    return await fn();
  } catch (e) {
    await page?.screenshot({ path: join(root, 'test-output/screenshots', `FAILED-${name}.png`) }).catch(() => {});
    throw e;
  }
}
