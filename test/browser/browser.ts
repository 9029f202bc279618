/**
 * A real Chromium driven by playwright-core. By default the one `npm install` brings (@sparticuz/chromium: a headless
 * Chromium with its fonts and the few system libraries it needs, inside the npm package), so `npm test` needs
 * nothing from the operating system; CHROMIUM_PATH picks another binary (Debian's /usr/bin/chromium, a local Chrome).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ROOT } from '../helpers/proc.ts';

export const SCREENSHOTS = path.join(ROOT, 'test-output', 'screenshots');
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

/** Run fn while holding a lock directory: browser test files run in parallel and must not unpack into each other. */
async function withLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      fs.mkdirSync(dir);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // A lock left by a killed run is stale after two minutes.
      if (Date.now() - fs.statSync(dir, { throwIfNoEntry: false })!.mtimeMs > 120_000) fs.rmSync(dir, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`waited 2 minutes for ${dir}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The bundled Chromium, unpacked once into the temp directory: the binary and fonts by the package itself, and the
 * shared libraries it ships for systems without them (NSS, NSPR, expat) by us — the package unpacks those only on AWS.
 */
async function bundledChromium(): Promise<{ executablePath: string; env: Record<string, string> }> {
  // The package exports no package.json: walk up from its entry point.
  let pkg = path.dirname(createRequire(import.meta.url).resolve('@sparticuz/chromium'));
  while (!fs.existsSync(path.join(pkg, 'bin', 'al2023.tar.br'))) {
    if (path.dirname(pkg) === pkg) throw new Error('@sparticuz/chromium: bin/ not found — run npm install');
    pkg = path.dirname(pkg);
  }
  const version = (JSON.parse(fs.readFileSync(path.join(pkg, 'package.json'), 'utf8')) as { version: string }).version;
  const libs = path.join(os.tmpdir(), `taskline-chromium-${version}`);
  return withLock(`${libs}.lock`, async () => {
    const { default: sparticuz } = await import('@sparticuz/chromium');
    const executablePath = await sparticuz.executablePath();
    if (!fs.existsSync(path.join(libs, 'lib', 'libnss3.so'))) {
      fs.mkdirSync(libs, { recursive: true });
      const tar = path.join(libs, 'al2023.tar');
      fs.writeFileSync(tar, zlib.brotliDecompressSync(fs.readFileSync(path.join(pkg, 'bin', 'al2023.tar.br'))));
      execFileSync('tar', ['-xf', tar, '-C', libs]);
      fs.rmSync(tar);
    }
    return { executablePath, env: { LD_LIBRARY_PATH: path.join(libs, 'lib'), FONTCONFIG_PATH: path.join(os.tmpdir(), 'fonts') } };
  });
}

export async function launchBrowser(): Promise<Browser> {
  const override = process.env.CHROMIUM_PATH;
  if (override) {
    if (!fs.existsSync(override)) throw new Error(`CHROMIUM_PATH=${override} does not exist`);
    return chromium.launch({ executablePath: override, headless: true, args: ARGS });
  }
  const { executablePath, env } = await bundledChromium();
  return chromium.launch({ executablePath, headless: true, args: ARGS, env: { ...process.env, ...env } as Record<string, string> });
}

export async function screenshot(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<string> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: opts.fullPage ?? true });
  return file;
}

/** Sign in through the form, with the keyboard (Tab between fields, Enter to submit). */
export async function signInWithKeyboard(page: Page, base: string, email: string, password: string) {
  await page.goto(`${base}/signin`);
  await page.locator('#email').focus();
  await page.keyboard.type(email);
  await page.keyboard.press('Tab');
  await page.keyboard.type(password);
  const [res] = await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  return res;
}

/** Collect console errors and CSP violations the page reports. */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  return problems;
}
