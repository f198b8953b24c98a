// Debian's Chromium for the browser tests, through playwright-core (never a browser of its
// own): headless, with the flags this machine needs (DEVELOPERS.md) and a fresh profile
// that closeBrowser() removes.
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
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
