// The browser suite (issue 6): a host and a guest in two Chromium contexts against the real
// server with its dev LiveKit. Run by run.sh inside a network namespace that has only `lo`.
// Screenshots of each step, at desktop and phone widths, go to web/test-output/.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const bin = process.env.LIVESERVER_BIN;
const livekit = process.env.LIVEKIT_SERVER_BIN;
const out = process.env.TEST_OUTPUT ?? 'test-output';
const port = 3917;
const base = `http://127.0.0.1:${port}`;
const sizes = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } };

// playwright-core 1.65's own --disable-features list: replaced by one switch that adds ours.
const playwrightDisabled = [
  'AvoidUnnecessaryBeforeUnloadCheckSync', 'DestroyProfileOnBrowserClose', 'HttpsUpgrades',
  'HttpsFirstBalancedModeAutoEnable', 'LensOverlay', 'MediaRouter', 'PaintHolding',
  'ThirdPartyStoragePartitioning', 'AvoidCorsURLLoaderRestartOnRedirect', 'TcpPortRandomizationWin',
  'OptimizationHints', 'NetworkTimeServiceQuerying', 'AimEnabled', 'PreconnectToSearch',
  'msForceBrowserSignIn', 'msEdgeUpdateLaunchServicesPreferredVersion',
];
const disableFeatures = (list) => `--disable-features=${list.join(',')}`;

const log = (...a) => console.log('browser-test:', ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(what, fn, timeout = 20000) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    try {
      if (await fn()) return;
    } catch (err) {
      last = err;
    }
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
}

/** The server with its dev LiveKit; its log goes to test-output/server.log. */
async function startServer() {
  const data = mkdtempSync(join(tmpdir(), 'liveserver-browser-'));
  const logFile = openSync(join(out, 'server.log'), 'w');
  const proc = spawn(bin, ['serve'], {
    env: { ...process.env, LISTEN_ADDR: `127.0.0.1:${port}`, DATA_DIR: data, LIVEKIT_SERVER_BIN: livekit },
    stdio: ['ignore', logFile, logFile],
  });
  await until('the server', async () => (await fetch(`${base}/readyz`)).ok, 30000);
  return { proc, data };
}

let shot = 0;
async function snap(pages, name) {
  shot++;
  for (const [who, page] of Object.entries(pages)) {
    for (const [size, viewport] of Object.entries(sizes)) {
      await page.setViewportSize(viewport);
      await page.screenshot({ path: join(out, `${String(shot).padStart(2, '0')}-${name}-${who}-${size}.png`) });
    }
    await page.setViewportSize(sizes.desktop);
  }
}

/** Two <video>s playing: data for the current frame, and time that advances. */
async function videosPlaying(page) {
  const times = () =>
    page.$$eval('video', (vs) => vs.map((v) => (v.readyState >= 2 ? v.currentTime : -1)));
  const a = await times();
  if (a.length < 2 || a.some((t) => t < 0)) return false;
  await sleep(700);
  const b = await times();
  return b.length >= 2 && b.every((t, i) => t > (a[i] ?? Infinity));
}

async function main() {
  mkdirSync(out, { recursive: true });
  const server = await startServer();
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    ignoreDefaultArgs: [disableFeatures(playwrightDisabled)],
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
      '--allow-loopback-in-peer-connection',
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
      disableFeatures([...playwrightDisabled, 'WebRtcHideLocalIpsWithMdns', 'AutofillServerCommunication']),
    ],
  });
  try {
    const hostCtx = await browser.newContext({ locale: 'en-US', viewport: sizes.desktop });
    const guestCtx = await browser.newContext({ locale: 'ru-RU', viewport: sizes.desktop });
    const host = await hostCtx.newPage();
    const guest = await guestCtx.newPage();
    for (const [who, p] of [['host', host], ['guest', guest]]) {
      p.on('pageerror', (e) => log(`${who} page error:`, e.message));
    }

    log('host registers');
    await host.goto(`${base}/register`);
    await host.getByLabel('Name').fill('Teacher');
    await host.getByLabel('E-mail').fill('teacher@example.org');
    await host.getByLabel('Password').fill('correct horse battery');
    await host.getByRole('button', { name: 'Create an account' }).click();
    await host.getByRole('heading', { name: 'Hello, Teacher' }).waitFor();

    log('host creates a room with lobby and PIN, and starts it');
    await host.getByLabel('Name').fill('Physics 101');
    await host.getByLabel('PIN (optional)').fill('4321');
    await host.getByRole('button', { name: 'Create', exact: true }).click();
    await host.getByRole('button', { name: 'Start the lecture' }).click();
    await host.getByRole('link', { name: 'Enter the room' }).waitFor();
    const invite = await host.getByLabel('Invite link').inputValue();
    await snap({ host }, 'dashboard');

    log('guest: wrong PIN, then the right one');
    await guest.goto(invite);
    await guest.getByLabel('Ваше имя').fill('Студент');
    await guest.getByLabel('PIN-код').fill('1111');
    await guest.getByRole('button', { name: 'Войти' }).click();
    await guest.getByRole('alert').filter({ hasText: 'Неверный PIN-код' }).waitFor();
    await snap({ guest }, 'wrong-pin');
    await guest.getByLabel('PIN-код').fill('4321');
    await guest.getByRole('button', { name: 'Войти' }).click();
    await guest.getByText('Ждём, когда ведущий вас впустит').waitFor();
    await snap({ guest }, 'waiting');

    log('host enters and approves');
    await host.getByRole('link', { name: 'Enter the room' }).click();
    await host.getByRole('tab', { name: /People/ }).click();
    await host.getByRole('button', { name: 'Let in Студент' }).click();
    await guest.waitForURL(/\/room\//);

    log('both see two playing videos');
    await until('two playing videos (host)', () => videosPlaying(host), 30000);
    await until('two playing videos (guest)', () => videosPlaying(guest), 30000);
    await snap({ host, guest }, 'call');

    log('chat both ways');
    await host.getByRole('tab', { name: 'Chat' }).click();
    await host.getByRole('textbox', { name: 'Message' }).fill('Hello, class <b>!</b>');
    await host.getByRole('button', { name: 'Send' }).click();
    await guest.getByRole('log').getByText('Hello, class <b>!</b>').waitFor();
    await guest.getByRole('textbox', { name: 'Сообщение' }).fill('Здравствуйте!');
    await guest.getByRole('button', { name: 'Отправить' }).click();
    await host.getByRole('log').getByText('Здравствуйте!').waitFor();
    await until('the guest message confirmed once', async () => (await guest.getByText('Здравствуйте!').count()) === 1);
    await snap({ host, guest }, 'chat');

    log('host kicks the guest');
    await host.getByRole('tab', { name: /People/ }).click();
    await host.getByRole('button', { name: 'Remove' }).click();
    await guest.getByText('Ведущий удалил вас из комнаты. Чтобы вернуться, постучитесь снова.').waitFor();
    await snap({ guest }, 'kicked');

    log('the guest knocks again, is let in, and is banned');
    await guest.getByRole('link', { name: 'Постучаться снова' }).click();
    await guest.getByLabel('PIN-код').fill('4321');
    await guest.getByRole('button', { name: 'Войти' }).click();
    await host.getByRole('button', { name: 'Let in Студент' }).click();
    await guest.waitForURL(/\/room\//);
    await host.getByRole('button', { name: 'Ban' }).waitFor();
    await host.getByRole('button', { name: 'Ban' }).click();
    await host.getByRole('dialog').getByRole('button', { name: 'Ban' }).click();
    await guest.getByText('Ведущий заблокировал вас').waitFor();
    await snap({ guest }, 'banned');

    log('the banned guest is refused on coming back');
    await guest.goto(invite);
    await guest.getByLabel('PIN-код').fill('4321');
    await guest.getByRole('button', { name: 'Войти' }).click();
    await guest.getByRole('alert').filter({ hasText: 'Вы заблокированы в этой комнате' }).waitFor();
    await snap({ guest, host }, 'refused');
    log('passed');
  } finally {
    await browser.close();
    server.proc.kill('SIGTERM');
    await new Promise((r) => server.proc.once('exit', r));
    rmSync(server.data, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error('browser-test: FAILED:', err);
  process.exit(1);
});
