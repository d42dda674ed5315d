// The browser suite (issue 6): a host and a guest in two Chromium contexts against the real
// server with its dev LiveKit. Run by run.sh inside a network namespace that has only `lo`.
// Screenshots of each step, at desktop and phone widths, go to web/test-output/.
import { execFileSync, spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { deepgramKey, startFakeDeepgram } from './fake-deepgram.mjs';

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

/**
 * The server with its dev LiveKit and its assistant, which transcribes through the fake Deepgram;
 * its log goes to test-output/server.log.
 */
async function startServer(deepgram) {
  const data = mkdtempSync(join(tmpdir(), 'liveserver-browser-'));
  const logFile = openSync(join(out, 'server.log'), 'w');
  const proc = spawn(bin, ['serve'], {
    env: {
      ...process.env, LISTEN_ADDR: `127.0.0.1:${port}`, PUBLIC_URL: base, DATA_DIR: data, LIVEKIT_SERVER_BIN: livekit,
      // The PIN attack below comes from several addresses, named by X-Forwarded-For.
      TRUSTED_PROXIES: '127.0.0.1',
      STT_PROVIDER: 'deepgram', DEEPGRAM_URL: deepgram.url, DEEPGRAM_API_KEY: deepgramKey,
      // Small storage quotas, so that the Files panel shows one refused (filesOverQuota).
      ROOM_QUOTA_MB: '1', HOST_QUOTA_MB: '5', INSTANCE_QUOTA_MB: '100',
    },
    stdio: ['ignore', logFile, logFile],
  });
  await until('the server', async () => (await fetch(`${base}/readyz`)).ok, 30000);
  return { proc, data };
}

let shot = 0;
async function snap(pages, name, { fullPage = false } = {}) {
  shot++;
  for (const [who, page] of Object.entries(pages)) {
    for (const [size, viewport] of Object.entries(sizes)) {
      await page.setViewportSize(viewport);
      await page.screenshot({ path: join(out, `${String(shot).padStart(2, '0')}-${name}-${who}-${size}.png`), fullPage });
    }
    await page.setViewportSize(sizes.desktop);
  }
}

// Accessibility: axe-core on every main screen; any "serious" or "critical" violation fails the
// suite once all screens are checked (each is printed as it is found, with its rule, impact and
// target selectors; AXE_VERBOSE=1 prints the lesser ones in full too). axe is evaluated in the
// page through the DevTools protocol: page.addScriptTag would add an inline <script>, which our
// Content-Security-Policy (script-src 'self') rightly refuses.
const axeSource = readFileSync(new URL('../node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');

/**
 * Violations we cannot fix in our code, each by rule and by the selector of the elements
 * concerned (an element matching it, or inside one that does), with the reason:
 * `{ rule: 'color-contrast', selector: '.lk-something', why: '…' }`. None so far: what LiveKit's
 * components got wrong we fix from our side (the focus button's name in room/Tile.tsx, the Leave
 * button's red in room/room.css).
 */
const axeExclusions = [];

const axeFailures = [];
const axeExclusionsUsed = new Set();

/**
 * Runs axe on each page as it is now; `name` says which screen, for the report. With `phone`,
 * once more at the phone width (the call's layout differs there).
 */
async function checkA11y(pages, name, { phone = false } = {}) {
  for (const [who, page] of Object.entries(pages)) {
    await axePage(who, page, name);
    if (phone) {
      await page.setViewportSize(sizes.phone);
      await axePage(who, page, `${name}, phone`);
      await page.setViewportSize(sizes.desktop);
    }
  }
}

/** One page, one axe run: its serious and critical violations printed and kept for the verdict. */
async function axePage(who, page, name) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(axeSource);
  const found = await page.evaluate(async (exclusions) => {
    const res = await window.axe.run(document, { resultTypes: ['violations'], elementRef: true });
    return res.violations.map((v) => {
      const nodes = [];
      const excluded = [];
      for (const n of v.nodes) {
        const i = exclusions.findIndex((x) => x.rule === v.id && n.element?.closest?.(x.selector));
        // A target is a selector per frame; inside a shadow root, a selector per host.
        const target = n.target.map((t) => (Array.isArray(t) ? t.join(' >>> ') : t)).join(' >> ');
        const node = { target, summary: n.failureSummary ?? '' };
        if (i >= 0) excluded.push(i);
        else nodes.push(node);
      }
      return { id: v.id, impact: v.impact, help: v.help, nodes, excluded };
    });
  }, axeExclusions.map(({ rule, selector }) => ({ rule, selector })));
  const serious = [];
  const minor = [];
  for (const v of found) {
    v.excluded.forEach((i) => axeExclusionsUsed.add(i));
    if (!v.nodes.length) continue;
    (v.impact === 'serious' || v.impact === 'critical' ? serious : minor).push(v);
  }
  const where = `${name} (${who}, ${page.url().replace(base, '')})`;
  const minorNote = minor.length ? `; below serious, not failing: ${minor.map((v) => `${v.id} (${v.impact})`).join(', ')}` : '';
  log(`axe ${where}: ${serious.length} serious/critical${minorNote}`);
  const describe = (v) => {
    const lines = v.nodes.map((n) => `      ${n.target}\n        ${n.summary.replace(/\n/g, '\n        ')}`);
    return `axe ${where}: ${v.id} [${v.impact}] ${v.help}\n${lines.join('\n')}`;
  };
  for (const v of serious) {
    const text = describe(v);
    console.log(`browser-test: ${text}`);
    axeFailures.push(text);
  }
  if (process.env.AXE_VERBOSE) for (const v of minor) console.log(`browser-test: ${describe(v)}`);
}

/** Fails the suite on the serious or critical violations found; names exclusions no longer needed. */
function axeVerdict() {
  axeExclusions.forEach((x, i) => {
    if (!axeExclusionsUsed.has(i)) log(`axe: the exclusion of ${x.rule} on ${x.selector} matched nothing; remove it if it is no longer needed`);
  });
  if (axeFailures.length) {
    throw new Error(`${axeFailures.length} serious or critical accessibility violation(s):\n${axeFailures.join('\n')}`);
  }
  log('axe: no serious or critical violations');
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

// A ban moves the call to a new video room (so no token kept from before it opens the call):
// the host's page stays in the call, connects to the new room (the server counts the host in
// the room's current call) and plays its own camera again.
async function hostFollowsMovedCall(host) {
  log('the ban moved the call: the host follows it to its new video room');
  await until('the host counted in the moved call', async () => {
    const res = await host.context().request.get(`${base}/api/admin/rooms`);
    const rooms = res.ok() ? await res.json() : [];
    return rooms.some((r) => r.name === 'Physics 101' && r.participantsNow === 1);
  }, 20000);
  await until("the host's camera playing in the moved call", async () => {
    const t = () => host.$$eval('video', (vs) => vs.map((v) => (v.readyState >= 2 ? v.currentTime : -1)));
    const a = await t();
    await sleep(500);
    const b = await t();
    return b.length >= 1 && b.some((x, i) => x > 0 && x > (a[i] ?? Infinity));
  }, 20000);
  await host.getByRole('button', { name: 'Leave', exact: true }).waitFor();
  await checkA11y({ host }, 'call after the ban moved it');
}

async function main() {
  mkdirSync(out, { recursive: true });
  if (process.env.E2E_ONLY === 'lan') {
    // The LAN scenario alone (it needs no other part of the suite), for working on it.
    await lanScenario();
    axeVerdict();
    log('passed (the LAN scenario only)');
    return;
  }
  const deepgram = await startFakeDeepgram();
  const server = await startServer(deepgram);
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
    await countTones(hostCtx);
    await hostCtx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    const guestCtx = await browser.newContext({ locale: 'ru-RU', viewport: sizes.desktop });
    const host = await hostCtx.newPage();
    const guest = await guestCtx.newPage();
    for (const [who, p] of [['host', host], ['guest', guest]]) {
      p.on('pageerror', (e) => log(`${who} page error:`, e.message));
    }
    // The call's code (LiveKit) comes in chunks of its own (vite.config.ts, src/pages/lazy.ts):
    // the pages before it must not load them.
    const scripts = { host: new Set(), guest: new Set() };
    for (const [who, p] of [['host', host], ['guest', guest]]) {
      p.on('response', (r) => {
        const path = new URL(r.url()).pathname;
        if (path.startsWith('/assets/') && path.endsWith('.js')) scripts[who].add(path);
      });
    }
    const noCallCode = (who, where) => {
      const loaded = [...scripts[who]].filter((path) => /^\/assets\/(livekit|Room)-/.test(path));
      if (loaded.length) throw new Error(`${where} loaded the call's code: ${loaded.join(', ')}`);
    };

    log('landing and sign-in pages, in English and in Russian');
    for (const page of [host, guest]) {
      await page.goto(`${base}/`);
      await page.locator('h1').waitFor();
    }
    await checkA11y({ host, guest }, 'landing', { phone: true });
    await host.goto(`${base}/login`);
    await host.getByLabel('Password').waitFor();
    await checkA11y({ host }, 'login');

    log('host registers');
    await host.goto(`${base}/register`);
    await host.getByLabel('Password').waitFor();
    await checkA11y({ host }, 'register');
    await host.getByLabel('Name').fill('Teacher');
    await host.getByLabel('E-mail').fill('teacher@example.org');
    await host.getByLabel('Password').fill('correct horse battery');
    await host.getByRole('button', { name: 'Create an account' }).click();
    await host.getByRole('heading', { name: 'Hello, Teacher' }).waitFor();
    noCallCode('host', 'the landing, sign-in, registration and dashboard pages');

    log('host creates a room with lobby and PIN, and starts it');
    await host.getByLabel('Name').fill('Physics 101');
    await host.getByLabel('PIN (optional)').fill('432198');
    await host.getByRole('button', { name: 'Create', exact: true }).click();
    await host.getByRole('button', { name: 'Start the lecture' }).click();
    await host.getByRole('link', { name: 'Enter the room' }).waitFor();
    const invite = await host.getByLabel('Invite link').inputValue();
    // Made from PUBLIC_URL (GET /api/instance), not from the page's own address.
    if (!invite.startsWith(`${base}/join/`)) throw new Error(`the invite ${invite} is not under PUBLIC_URL ${base}`);
    await snap({ host }, 'dashboard');
    await checkA11y({ host }, 'dashboard');

    log('guest: wrong PIN, then the right one');
    await guest.goto(invite);
    await guest.getByLabel('PIN-код').waitFor();
    noCallCode('guest', 'the landing and join pages');
    await checkA11y({ guest }, 'join');
    await guest.getByLabel('Ваше имя').fill('Студент');
    await guest.getByLabel('PIN-код').fill('1111');
    await guest.getByRole('button', { name: 'Войти' }).click();
    await guest.getByRole('alert').filter({ hasText: 'Неверный PIN-код' }).waitFor();
    await snap({ guest }, 'wrong-pin');
    await checkA11y({ guest }, 'join, wrong PIN');
    await guest.getByLabel('PIN-код').fill('432198');
    await guest.getByRole('button', { name: 'Войти' }).click();
    await guest.getByText('Ждём, когда ведущий вас впустит').waitFor();
    await snap({ guest }, 'waiting');
    await checkA11y({ guest }, 'waiting');

    log('host enters and approves');
    await host.getByRole('link', { name: 'Enter the room' }).click();
    await host.getByRole('tab', { name: /People/ }).click();
    await host.getByRole('button', { name: 'Let in Студент' }).click();
    await guest.waitForURL(/\/room\//);

    log('both see two playing videos');
    await until('two playing videos (host)', () => videosPlaying(host), 30000);
    await until('two playing videos (guest)', () => videosPlaying(guest), 30000);
    await snap({ host, guest }, 'call');
    await checkA11y({ host, guest }, 'call', { phone: true });
    await callToolbar(host, guest);
    await inviteAndLanguage(host, invite);
    await raisedHand(host, guest);

    log("live captions: each one's microphone, captioned by the assistant, on the other's screen");
    const captionFrom = async (page, name) => {
      const text = (await page.locator('.captions').textContent()) ?? '';
      return new RegExp(`${name}: Субтитры \\d+\\.\\d+`).test(text);
    };
    await until('the guest captioned on the host\'s screen', () => captionFrom(host, 'Студент'), 30000);
    await until('the host captioned on the guest\'s screen', () => captionFrom(guest, 'Teacher'), 30000);
    if (deepgram.seen.notOgg > 0) throw new Error('the assistant sent Deepgram audio that is not Ogg');
    await snap({ host, guest }, 'captions');
    await checkA11y({ host, guest }, 'call with captions');

    log('chat both ways');
    await host.getByRole('tab', { name: 'Chat' }).click();
    await host.getByRole('textbox', { name: 'Message' }).fill('Hello, class <b>!</b>');
    await host.getByRole('button', { name: 'Send' }).click();
    await guest.getByRole('log').getByText('Hello, class <b>!</b>').waitFor();
    await guest.getByRole('textbox', { name: 'Сообщение' }).fill('Здравствуйте!');
    await guest.getByRole('button', { name: 'Отправить' }).click();
    await host.getByRole('log').getByText('Здравствуйте!').waitFor();
    // The host's message carries the host badge; the guest's does not (issue 15, item 16).
    await guest.getByRole('log').locator('li', { hasText: 'Hello, class' }).getByText('ведущий', { exact: true }).waitFor();
    if (await host.getByRole('log').locator('li', { hasText: 'Здравствуйте!' }).getByText('host', { exact: true }).count()) {
      throw new Error("the guest's chat message carries the host badge");
    }
    await until('the guest message confirmed once', async () => (await guest.getByText('Здравствуйте!').count()) === 1);
    await snap({ host, guest }, 'chat');
    await checkA11y({ host, guest }, 'call, chat');
    await unreadChat(host, guest);
    await filesOverQuota(host, guest);

    log('host kicks the guest, whose hand is up');
    await host.getByRole('tab', { name: /People/ }).click();
    await guest.getByRole('button', { name: 'Поднять руку' }).click();
    await host.getByRole('img', { name: 'Студент raised a hand' }).waitFor();
    await host.getByRole('button', { name: 'Remove' }).click();
    await guest.getByText('Ведущий удалил вас из комнаты. Чтобы вернуться, постучитесь снова.').waitFor();
    await snap({ guest }, 'kicked');
    await checkA11y({ guest }, 'removed from the call');

    log('the guest knocks again, is let in, and is banned');
    await guest.getByRole('link', { name: 'Постучаться снова' }).click();
    await guest.getByLabel('PIN-код').fill('432198');
    await guest.getByRole('button', { name: 'Войти' }).click();
    await host.getByRole('button', { name: 'Let in Студент' }).click();
    await guest.waitForURL(/\/room\//);
    await handLoweredAfterKick(host, guest);
    await host.getByRole('button', { name: 'Ban' }).waitFor();
    await host.getByRole('button', { name: 'Ban' }).click();
    await host.getByRole('dialog').getByRole('button', { name: 'Ban' }).click();
    await guest.getByText('Ведущий заблокировал вас').waitFor();
    await snap({ guest }, 'banned');
    await checkA11y({ guest }, 'banned from the call');
    await hostFollowsMovedCall(host);

    log('the banned guest is refused on coming back');
    await guest.goto(invite);
    await guest.getByLabel('PIN-код').fill('432198');
    await guest.getByRole('button', { name: 'Войти' }).click();
    await guest.getByRole('alert').filter({ hasText: 'Вы заблокированы в этой комнате' }).waitFor();
    await snap({ guest, host }, 'refused');
    await checkA11y({ guest }, 'join, refused');
    // Its guest session deleted and the page zoomed (another fingerprint): the device cookie
    // still names the banned browser.
    await guestCtx.clearCookies({ name: 'ls_guest' });
    const zoom = await guestCtx.newCDPSession(guest);
    await zoom.send('Emulation.setDeviceMetricsOverride', { ...sizes.desktop, deviceScaleFactor: 1.25, mobile: false });
    await guest.goto(invite);
    if ((await guest.evaluate(() => window.devicePixelRatio)) !== 1.25) throw new Error('the zoom did not change the fingerprint');
    await guest.getByLabel('PIN-код').fill('432198');
    await guest.getByRole('button', { name: 'Войти' }).click();
    await guest.getByRole('alert').filter({ hasText: 'Вы заблокированы в этой комнате' }).waitFor();
    if (!(await guestCtx.cookies()).some((c) => c.name === 'ls_guest')) throw new Error('no new guest session was made');

    await knockOnLockedRoom(browser, host, invite);
    await pinAttack(host, invite);

    await adminScenario(browser, host);
    await checkMetrics();
    await setupScenario(browser);
    await browser.close(); // its contexts are done with: fewer Chromium processes at a time
    await lanScenario();
    axeVerdict();
    log('passed');
  } finally {
    await browser.close();
    server.proc.kill('SIGTERM');
    await new Promise((r) => server.proc.once('exit', r));
    rmSync(server.data, { recursive: true, force: true });
    deepgram.close();
  }
}

/**
 * The administrator: the first account (the host above, "Teacher") is the instance's admin. A
 * second host starts a room; the admin sees it live, ends it, reads the lecture page of the
 * admin's own lecture, the moderation log and health, and disables the second host, whose
 * session stops working.
 */
async function adminScenario(browser, admin) {
  const hostCtx = await browser.newContext({ locale: 'en-US', viewport: sizes.desktop });
  const host2 = await hostCtx.newPage();
  host2.on('pageerror', (e) => log('host2 page error:', e.message));

  log('admin: a second host registers, creates and starts a room, and may not open /admin');
  await host2.goto(`${base}/register`);
  await host2.getByLabel('Name').fill('Chemist');
  await host2.getByLabel('E-mail').fill('chemist@example.org');
  await host2.getByLabel('Password').fill('another horse battery');
  await host2.getByRole('button', { name: 'Create an account' }).click();
  await host2.getByRole('heading', { name: 'Hello, Chemist' }).waitFor();
  if (await host2.getByRole('link', { name: 'Administration' }).count()) throw new Error('a host sees the admin link');
  await host2.getByLabel('Name').fill('Chemistry 201');
  await host2.getByRole('button', { name: 'Create', exact: true }).click();
  await host2.getByRole('button', { name: 'Start the lecture' }).click();
  await host2.getByRole('link', { name: 'Enter the room' }).waitFor();
  await host2.goto(`${base}/admin`);
  await host2.getByRole('alert').filter({ hasText: 'This page is for administrators only.' }).waitFor();
  await snap({ host2 }, 'admin-refused');
  await checkA11y({ host2 }, 'admin, refused');
  await host2.goto(`${base}/dashboard`);
  await host2.getByRole('link', { name: 'Enter the room' }).click();
  await host2.getByRole('button', { name: 'Leave' }).waitFor();

  log('admin: a file in the first lecture, then the admin page lists both live rooms');
  const roomsOfAdmin = await admin.context().request.get(`${base}/api/rooms`);
  const physics = (await roomsOfAdmin.json()).find((r) => r.name === 'Physics 101');
  if (!physics) throw new Error('Physics 101 not among the admin’s rooms');
  const uploaded = await admin.context().request.post(`${base}/api/rooms/${physics.id}/files`, {
    multipart: { file: { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('Ohm’s law: U = IR\n') } },
  });
  if (uploaded.status() !== 201) throw new Error(`upload: ${uploaded.status()} ${await uploaded.text()}`);
  await admin.goto(`${base}/dashboard`);
  await admin.getByRole('link', { name: 'Administration' }).click();
  await admin.waitForURL(/\/admin$/);
  const chem = admin.getByRole('listitem', { name: 'Chemistry 201' });
  await chem.getByText('Live', { exact: true }).waitFor();
  await chem.getByText('Owner: Chemist (chemist@example.org)').waitFor();
  await admin.getByRole('listitem', { name: 'Physics 101' }).getByText('Live', { exact: true }).waitFor();
  await admin.getByRole('listitem', { name: 'Physics 101' }).getByText(/^Files stored: \d+ B$/).waitFor();
  await snap({ admin }, 'admin-rooms');
  await checkA11y({ admin }, 'admin, rooms');

  log('admin ends the second host’s lecture; the host sees it ended');
  await chem.getByRole('button', { name: 'End for all: Chemistry 201' }).click();
  await admin.getByRole('dialog').getByRole('button', { name: 'End for all' }).click();
  await chem.getByText('Ended', { exact: true }).waitFor();
  await host2.getByText('The lecture has ended.').waitFor();
  await host2.goto(`${base}/dashboard`);
  await host2.getByRole('listitem').filter({ hasText: 'Chemistry 201' }).getByText('Ended', { exact: true }).waitFor();
  await roomLastsACourse(browser, hostCtx, host2);

  log('admin ends the first lecture and reads its page: chat, attendance, file, summary, exports');
  const phys = admin.getByRole('listitem', { name: 'Physics 101' });
  await phys.getByRole('button', { name: 'End for all: Physics 101' }).click();
  await admin.getByRole('dialog').getByRole('button', { name: 'End for all' }).click();
  await phys.getByText('Ended', { exact: true }).waitFor();
  await phys.getByRole('link', { name: /^Lecture 1 · / }).click();
  await admin.getByRole('heading', { name: 'Physics 101', level: 1 }).waitFor();
  await admin.getByText('Hello, class <b>!</b>').waitFor();
  await admin.getByRole('region', { name: /Attendance/ }).getByRole('rowheader', { name: 'Студент' }).waitFor();
  const fileLink = admin.getByRole('link', { name: 'Download: notes.txt' });
  const fileRes = await admin.context().request.get(new URL(await fileLink.getAttribute('href'), base).href);
  if (fileRes.status() !== 200 || !(await fileRes.text()).includes('U = IR')) throw new Error(`file download: ${fileRes.status()}`);
  // The summary is queued by "end": the page asks again until the extract is ready.
  await admin.getByText('Automatic extract').waitFor({ timeout: 60000 });
  for (const [name, type] of [['Download PDF', 'application/pdf'], ['Download Markdown', 'text/markdown']]) {
    const href = await admin.getByRole('link', { name }).getAttribute('href');
    const res = await admin.context().request.get(new URL(href, base).href);
    if (res.status() !== 200 || !(res.headers()['content-type'] ?? '').startsWith(type)) {
      throw new Error(`${name}: ${res.status()} ${res.headers()['content-type']}`);
    }
  }
  await admin.getByRole('searchbox').fill('nothing like this');
  await admin.getByRole('button', { name: 'Search', exact: true }).click();
  await admin.getByText('Segments found: 0 (“nothing like this”)').waitFor();
  await admin.getByRole('button', { name: 'Clear', exact: true }).click();
  await snap({ admin }, 'lecture', { fullPage: true });
  await checkA11y({ admin }, 'lecture page');

  await lectureExports(admin);

  log('a share link opens the lecture page to someone without an account, until it is stopped');
  await admin.getByRole('button', { name: 'Create a share link' }).click();
  const shared = new URL(await admin.getByLabel('Anyone with this link can read the lecture page').inputValue());
  const anonCtx = await browser.newContext({ locale: 'ru-RU', viewport: sizes.phone });
  const anon = await anonCtx.newPage();
  anon.on('pageerror', (e) => log('anon page error:', e.message));
  await anon.goto(`${base}${shared.pathname}${shared.search}`);
  await anon.getByRole('heading', { name: 'Physics 101', level: 1 }).waitFor();
  await anon.getByText('Hello, class <b>!</b>').waitFor();
  // The file's size in the reader's language.
  await anon.getByText(/^\d+ Б · Teacher$/).waitFor();
  if (await anon.getByRole('button', { name: 'Создать ссылку для просмотра' }).count()) throw new Error('a share-link reader sees the owner’s actions');
  await snap({ anon }, 'shared-lecture', { fullPage: true });
  await checkA11y({ anon }, 'shared lecture page');
  await admin.getByRole('button', { name: 'Stop sharing' }).click();
  await admin.getByRole('button', { name: 'Create a share link' }).waitFor();
  await anon.reload();
  await anon.getByRole('alert').waitFor();
  if (await anon.getByRole('heading', { name: 'Physics 101', level: 1 }).count()) throw new Error('a stopped share link still opens the page');
  await anonCtx.close();

  log('admin: moderation log filtered by action, and health');
  await admin.goto(`${base}/admin`);
  await admin.getByRole('tab', { name: 'Moderation log' }).click();
  await admin.getByLabel('Action').selectOption('ban');
  const logTable = admin.getByRole('region', { name: 'Moderation log' });
  await until('only bans listed, the guest’s among them', async () => {
    const actions = await logTable.locator('tbody tr td:nth-child(4)').allTextContents();
    const targets = await logTable.locator('tbody tr td:nth-child(5)').allTextContents();
    return actions.length > 0 && actions.every((a) => a === 'ban') && targets.includes('Студент');
  });
  await snap({ admin }, 'admin-log');
  await checkA11y({ admin }, 'admin, moderation log');
  await admin.getByRole('tab', { name: 'Health' }).click();
  await admin.getByRole('listitem').filter({ hasText: 'database' }).getByText('ok', { exact: true }).waitFor();
  await snap({ admin }, 'admin-health');
  await checkA11y({ admin }, 'admin, health');
  await adminStorage(admin);

  log('admin may not disable themselves (409), then disables the second host');
  await admin.getByRole('tab', { name: 'Users' }).click();
  await admin.getByRole('button', { name: 'Disable teacher@example.org' }).click();
  await admin.getByRole('dialog').getByRole('button', { name: 'Disable', exact: true }).click();
  await admin.getByRole('alert').filter({ hasText: 'You cannot remove your own administrator rights' }).waitFor();
  await admin.getByRole('button', { name: 'Disable chemist@example.org' }).click();
  await admin.getByRole('dialog').getByRole('button', { name: 'Disable', exact: true }).click();
  await admin.getByRole('listitem', { name: 'chemist@example.org' }).getByText('disabled', { exact: true }).waitFor();
  await admin.getByRole('button', { name: 'Enable chemist@example.org' }).waitFor();
  await snap({ admin }, 'admin-users');
  await checkA11y({ admin }, 'admin, users');

  log('the disabled host’s session is gone, and signing in is refused');
  await host2.reload();
  await host2.waitForURL(/\/login$/);
  await host2.getByLabel('E-mail').fill('chemist@example.org');
  await host2.getByLabel('Password').fill('another horse battery');
  await host2.getByRole('button', { name: 'Sign in' }).last().click();
  await host2.getByRole('alert').filter({ hasText: 'This account was disabled by an administrator.' }).waitFor();
  await snap({ host2 }, 'disabled');
  await checkA11y({ host2 }, 'sign-in refused');
  await hostCtx.close();
}

// ---- Issue 13, a real class on day one: the call's toolbar, invite link, language, hands,
// unread chat, a knock on a locked room, and the lecture page's Drive button and exports. ----

/** Counts the tones the page plays (lib/beep.ts): each is one oscillator. */
async function countTones(ctx) {
  await ctx.addInitScript(() => {
    window.__tones = 0;
    const create = AudioContext.prototype.createOscillator;
    AudioContext.prototype.createOscillator = function () {
      window.__tones++;
      return create.call(this);
    };
  });
}
const tones = (page) => page.evaluate(() => window.__tones);

/** Characters of emoji and symbol blocks, which show as boxes without an emoji font. */
const emoji = /[\u2190-\u21ff\u2300-\u23ff\u2600-\u27bf\u2b00-\u2bff\u{1f000}-\u{1faff}]/u;

/**
 * The toolbar: the host has no "raise hand", the guest has; its icons are SVG, no emoji
 * anywhere in the call; at the phone width the host's controls take at most two rows.
 */
async function callToolbar(host, guest) {
  log('the host’s tile carries the host badge, for the host and for the guest; the guest’s none');
  await guest.locator('.tile-host', { hasText: 'ведущий' }).first().waitFor();
  await host.locator('.tile-host', { hasText: 'host' }).first().waitFor();
  for (const [who, page] of [['host', host], ['guest', guest]]) {
    const n = await page.locator('.tile-host').count();
    if (n !== 1) throw new Error(`the ${who} sees ${n} host badges, want 1 (the host’s tile only)`);
  }
  log('toolbar: no raise hand for the host, SVG icons, the host’s phone controls in two rows at most');
  if (await host.getByRole('toolbar').getByRole('button', { name: 'Raise hand' }).count()) throw new Error('the host’s toolbar has “raise hand”');
  await guest.getByRole('toolbar').getByRole('button', { name: 'Поднять руку' }).waitFor();
  for (const [who, page] of [['host', host], ['guest', guest]]) {
    const text = await page.locator('.room').innerText();
    if (emoji.test(text)) throw new Error(`the ${who}’s call shows emoji: ${text.match(emoji)[0]}`);
    // Every button has its SVG icon, but the device menus' (a CSS chevron, and their lists of
    // devices) and the dialogs'.
    const bare = await page.locator('.controls').evaluate((bar) =>
      [...bar.querySelectorAll('button:not(.lk-button-menu)')]
        .filter((b) => !b.closest('dialog, .lk-device-menu') && !b.querySelector('svg'))
        .map((b) => b.textContent));
    if (bare.length) throw new Error(`the ${who}’s toolbar has buttons without an SVG icon: ${bare.join(', ')}`);
  }
  await host.setViewportSize(sizes.phone);
  try {
    await until('the phone layout', async () => (await host.getByRole('button', { name: /^Panel/ }).isVisible()));
    const layout = await host.getByRole('toolbar').evaluate((bar) => {
      const items = [...bar.children].filter((el) => el.getBoundingClientRect().width > 0);
      const rows = new Set(items.map((el) => Math.round(el.getBoundingClientRect().top)));
      return { rows: rows.size, overflow: bar.scrollWidth > bar.clientWidth + 1, width: bar.clientWidth };
    });
    if (layout.rows > 2 || layout.overflow) throw new Error(`the host’s phone controls: ${JSON.stringify(layout)}`);
    log(`host’s phone controls: ${layout.rows} rows in ${layout.width} px`);
  } finally {
    await host.setViewportSize(sizes.desktop);
  }
}

/**
 * The admin's storage tab: the instance against its quota, the disk against its margin, the
 * quotas, the hosts storing the most; in English, then in Russian.
 */
async function adminStorage(admin) {
  log('admin: storage, in English and Russian');
  await admin.getByRole('tab', { name: 'Storage' }).click();
  await admin.getByRole('listitem').filter({ hasText: 'Stored on this server' }).getByText(/ of 100\.0 MB$/).waitFor();
  await admin.getByRole('listitem').filter({ hasText: 'Free disk space' }).getByText('ok', { exact: true }).waitFor();
  await admin.getByText('per room: 1.0 MB; per host: 5.0 MB').waitFor();
  await admin.getByRole('region', { name: 'Hosts storing the most' }).getByRole('cell', { name: /^Teacher/ }).waitFor();
  await snap({ admin }, 'admin-storage');
  await checkA11y({ admin }, 'admin, storage');
  await admin.getByLabel('Language').selectOption('ru');
  await admin.getByRole('tab', { name: 'Хранилище' }).waitFor();
  await admin.getByText('на комнату: 1,0 МБ; на ведущего: 5,0 МБ').waitFor();
  await admin.getByRole('listitem').filter({ hasText: 'Свободно на диске' }).waitFor();
  await snap({ admin }, 'admin-storage-ru');
  await checkA11y({ admin }, 'admin, storage, in Russian');
  await admin.getByLabel('Язык').selectOption('en');
  await admin.getByRole('tab', { name: 'Storage' }).waitFor();
}

/**
 * The Files panel: a file larger than the room's storage quota (ROOM_QUOTA_MB=1 here) is
 * refused with 507, and each side reads which quota and how much of it is used, in its own
 * language; nothing is listed.
 */
async function filesOverQuota(host, guest) {
  log('files: an upload over the room quota is refused, in English and Russian');
  const big = { name: 'big.txt', mimeType: 'text/plain', buffer: Buffer.alloc(1200 << 10, 'a') };
  await host.getByRole('tab', { name: /^Files/ }).click();
  await host.getByLabel('Upload a file').setInputFiles(big);
  await host.getByRole('alert').filter({ hasText: 'The file does not fit in this room’s storage: 0 B of 1.0 MB used.' }).waitFor();
  await guest.getByRole('tab', { name: /^Файлы/ }).click();
  await guest.getByLabel('Загрузить файл').setInputFiles(big);
  await guest.getByRole('alert').filter({ hasText: 'Файл не помещается в хранилище этой комнаты: занято 0 Б из 1,0 МБ.' }).waitFor();
  if (await host.getByRole('link', { name: 'big.txt' }).count()) throw new Error('a refused file is listed');
  await snap({ host, guest }, 'files-over-quota');
  await checkA11y({ host, guest }, 'call, files over the quota');
}

/** The invite link in the call, copyable, and the language switch (Russian, then back). */
async function inviteAndLanguage(host, invite) {
  log('the call has the invite link and the language switch');
  await host.getByRole('button', { name: 'Invite' }).click();
  const field = host.getByLabel('Invite link');
  if ((await field.inputValue()) !== invite) throw new Error(`the call’s invite link is ${await field.inputValue()}, want ${invite}`);
  await host.getByRole('button', { name: 'Copy', exact: true }).click();
  // Copying on plain http is refused by the browser: either answer is shown, never nothing.
  await until('copy answered', async () =>
    (await host.getByRole('button', { name: 'Copied', exact: true }).count()) +
      (await host.getByRole('alert').filter({ hasText: /copy/i }).count()) > 0);
  await snap({ host }, 'call-invite');
  await checkA11y({ host }, 'call, invite link', { phone: true });
  await host.getByLabel('Language').selectOption('ru');
  await host.getByRole('button', { name: 'Выйти' }).waitFor();
  await host.getByRole('tab', { name: /Участники/ }).waitFor();
  await snap({ host }, 'call-russian');
  await checkA11y({ host }, 'call, in Russian');
  await host.getByLabel('Язык').selectOption('en');
  await host.getByRole('button', { name: 'Leave' }).waitFor();
  await host.getByRole('button', { name: 'Invite' }).click();
}

/**
 * A raised hand: on the student's tile, as a count on the People tab and as a notice with a
 * soft tone for the host; the tone can be switched off, and the choice is remembered.
 */
async function raisedHand(host, guest) {
  log('a raised hand: tile, People tab count, notice and tone; the tone switched off');
  await host.getByRole('tab', { name: 'Chat' }).click();
  const before = await tones(host);
  await guest.getByRole('button', { name: 'Поднять руку' }).click();
  await host.getByRole('img', { name: 'Студент raised a hand' }).waitFor();
  await host.getByRole('tab', { name: /People/ }).getByRole('img', { name: 'Raised hands: 1' }).waitFor();
  await host.locator('.notices').getByText('Студент raised a hand').waitFor();
  await until('the tone for the hand', async () => (await tones(host)) > before);
  await guest.getByRole('img', { name: 'Студент поднимает руку' }).waitFor(); // the student's own tile
  await snap({ host, guest }, 'hand-raised');
  await checkA11y({ host, guest }, 'call, hand raised');
  await guest.getByRole('button', { name: 'Опустить руку' }).click();
  await until('the hand down on the tile', async () => (await host.getByRole('img', { name: 'Студент raised a hand' }).count()) === 0);

  await host.getByRole('tab', { name: /People/ }).click();
  await host.getByLabel('Sound when a hand goes up').uncheck();
  if ((await host.evaluate(() => localStorage.getItem('liveserver.handSound'))) !== 'off') throw new Error('the tone switch is not remembered');
  const silent = await tones(host);
  await guest.getByRole('button', { name: 'Поднять руку' }).click();
  await host.getByRole('img', { name: 'Студент raised a hand' }).waitFor();
  await host.getByRole('button', { name: 'Lower the hand of Студент' }).click();
  await guest.getByRole('button', { name: 'Поднять руку' }).waitFor();
  if ((await tones(host)) !== silent) throw new Error('a tone played with the sound switched off');
  await host.getByLabel('Sound when a hand goes up').check();
  await host.getByRole('tab', { name: 'Chat' }).click();
}

/** Unread chat messages: a count on the Chat tab and on the phone's panel button, cleared on sight. */
async function unreadChat(host, guest) {
  log('unread chat: counted on the Chat tab and on the phone’s panel button, cleared when seen');
  await host.getByRole('tab', { name: /People/ }).click();
  await guest.getByRole('textbox', { name: 'Сообщение' }).fill('Можно вопрос?');
  await guest.getByRole('button', { name: 'Отправить' }).click();
  const chatTab = host.getByRole('tab', { name: /Chat/ });
  await chatTab.getByRole('img', { name: 'Unread messages: 1' }).waitFor();
  await snap({ host }, 'chat-unread');
  await chatTab.click();
  await until('the count cleared', async () => (await chatTab.getByRole('img', { name: /Unread/ }).count()) === 0);

  await host.setViewportSize(sizes.phone);
  try {
    await guest.getByRole('textbox', { name: 'Сообщение' }).fill('И ещё один');
    await guest.getByRole('button', { name: 'Отправить' }).click();
    const toggle = host.getByRole('button', { name: /^Panel/ });
    await toggle.getByRole('img', { name: 'Unread messages: 1' }).waitFor();
    await host.screenshot({ path: join(out, `${String(++shot).padStart(2, '0')}-chat-unread-host-phone-closed.png`) });
    await toggle.click();
    await host.getByRole('log').getByText('И ещё один').waitFor();
    await until('the panel button’s count cleared', async () => (await toggle.getByRole('img', { name: /Unread/ }).count()) === 0);
    await host.getByRole('button', { name: 'Close the panel' }).click();
  } finally {
    await host.setViewportSize(sizes.desktop);
  }
}

/** After a kick and a re-admission the host sees no hand of that student. */
async function handLoweredAfterKick(host, guest) {
  log('the kicked student’s hand stayed down after the re-admission');
  await guest.getByRole('button', { name: 'Поднять руку' }).waitFor();
  await host.getByText('No hands raised.').waitFor();
  if (await host.getByRole('img', { name: 'Студент raised a hand' }).count()) throw new Error('the host still sees the kicked student’s hand');
  if (await host.getByRole('tab', { name: /People/ }).getByRole('img', { name: /Raised hands/ }).count()) throw new Error('the People tab still counts a hand');
}

/**
 * A latecomer knocks on a locked room: told that the host sees the request, shown to the host
 * with "unlock and let in", and let in by that one click.
 */
async function knockOnLockedRoom(browser, host, invite) {
  log('a knock on a locked room: the host unlocks and lets the student in');
  await host.getByRole('tab', { name: /People/ }).click();
  await host.getByRole('button', { name: 'Lock the room', exact: true }).click();
  await host.getByText('Room locked', { exact: true }).waitFor();
  // Another student's browser: another time zone, so not the banned student's fingerprint.
  const ctx = await browser.newContext({ locale: 'ru-RU', timezoneId: 'Asia/Yekaterinburg', viewport: sizes.desktop });
  const late = await ctx.newPage();
  late.on('pageerror', (e) => log('late page error:', e.message));
  try {
    await late.goto(invite);
    await late.getByLabel('Ваше имя').fill('Опоздавший');
    await late.getByLabel('PIN-код').fill('432198');
    await late.getByRole('button', { name: 'Войти' }).click();
    await late.getByText('Ведущий видит ваш запрос').waitFor();
    await host.locator('.notices').getByText('Опоздавший is knocking on the locked room').waitFor();
    await host.getByText('knocked while the room is locked').waitFor();
    if (await host.getByRole('button', { name: 'Let in Опоздавший', exact: true }).count()) throw new Error('a plain “let in” is offered for a locked room');
    await snap({ late, host }, 'knock-locked');
    await checkA11y({ late, host }, 'knock on a locked room');
    await host.getByRole('button', { name: 'Unlock and let in Опоздавший' }).click();
    await late.waitForURL(/\/room\//);
    await late.getByRole('button', { name: 'Выйти' }).waitFor();
    await host.getByRole('button', { name: 'Lock the room', exact: true }).waitFor();
    await until('the “room locked” badge gone', async () => (await host.getByText('Room locked', { exact: true }).count()) === 0);
  } finally {
    await ctx.close();
  }
}

/**
 * A room lasts a course: the ended room starts again with its next lecture under the same
 * invite link, and the room's card lists its lectures, each linking to its own page; in
 * Russian, then in English.
 */
async function roomLastsACourse(browser, hostCtx, host) {
  log('a room lasts a course: the next lecture in the same room, and the list of its lectures');
  const card = host.getByRole('listitem').filter({ hasText: 'Chemistry 201' });
  const invite = await card.getByLabel('Invite link').inputValue();
  await card.getByRole('group', { name: 'Lectures in this room' }).getByRole('link', { name: /^Lecture 1 · / }).waitFor();
  // Between lectures the invite opens the door of the next one: a student knocks early and
  // waits through the start (not told that the lecture ended).
  const earlyCtx = await browser.newContext({ locale: 'ru-RU', viewport: sizes.phone });
  const early = await earlyCtx.newPage();
  await early.goto(invite);
  await early.getByText('Прошлая лекция закончилась, следующая ещё не началась — можно постучаться заранее.').waitFor();
  await checkA11y({ early }, 'join between lectures', { phone: true });
  await early.getByLabel('Ваше имя').fill('Ранний');
  await early.getByRole('button', { name: 'Войти' }).click();
  await early.getByText('Ждём, когда ведущий вас впустит').waitFor();
  await card.getByRole('button', { name: 'Start the next lecture' }).click();
  await card.getByText('Live', { exact: true }).waitFor();
  const lectures = card.getByRole('group', { name: 'Lectures in this room' });
  await lectures.getByRole('link', { name: /^Lecture 2 · / }).waitFor();
  await lectures.getByRole('link', { name: /^Lecture 1 · / }).waitFor();
  if ((await card.getByLabel('Invite link').inputValue()) !== invite) throw new Error('the invite link changed with the next lecture');
  await early.waitForTimeout(1000); // the start reaches the early knocker's stream
  if (!(await early.getByText('Ждём, когда ведущий вас впустит').count()) || (await early.getByText('Лекция уже завершена.').count())) {
    throw new Error('the early knocker stopped waiting when the next lecture started');
  }
  await earlyCtx.close();
  await snap({ host }, 'dashboard-lectures');
  await checkA11y({ host }, 'dashboard, a room with two lectures');

  // The same invite link opens the door of the second lecture (a student of another browser).
  const studentCtx = await browser.newContext({ locale: 'ru-RU', timezoneId: 'Asia/Novosibirsk', viewport: sizes.phone });
  const student = await studentCtx.newPage();
  await student.goto(invite);
  await student.getByLabel('Ваше имя').waitFor();
  if (await student.getByText('Лекция уже завершена.').count()) throw new Error('the invite link says the room ended during its second lecture');
  await studentCtx.close();

  // The host's dashboard in Russian: end the second lecture, both are listed.
  const ruCtx = await browser.newContext({ locale: 'ru-RU', viewport: sizes.desktop, storageState: await hostCtx.storageState() });
  const ru = await ruCtx.newPage();
  ru.on('pageerror', (e) => log('host (ru) page error:', e.message));
  try {
    await ru.goto(`${base}/dashboard`);
    const ruCard = ru.getByRole('listitem').filter({ hasText: 'Chemistry 201' });
    await ruCard.getByRole('button', { name: 'Завершить для всех' }).click();
    await ru.getByRole('dialog').getByRole('button', { name: 'Завершить для всех' }).click();
    await ruCard.getByRole('button', { name: 'Начать следующую лекцию' }).waitFor();
    const ruLectures = ruCard.getByRole('group', { name: 'Лекции этой комнаты' });
    await ruLectures.getByRole('link', { name: /^Лекция 2 · / }).waitFor();
    await snap({ ru }, 'dashboard-lectures-ru');
    await checkA11y({ ru }, 'dashboard, a room with two lectures (ru)', { phone: true });
    await ruLectures.getByRole('link', { name: /^Лекция 1 · / }).click();
    await ru.getByRole('heading', { name: 'Chemistry 201', level: 1 }).waitFor();
    await ru.getByText('Лекция 1', { exact: true }).waitFor();
    await checkA11y({ ru }, 'lecture page of the first lecture (ru)');
  } finally {
    await ruCtx.close();
  }
  await host.reload();
  await host.getByRole('listitem').filter({ hasText: 'Chemistry 201' }).getByRole('link', { name: /^Lecture 2 · / }).click();
  await host.getByRole('heading', { name: 'Chemistry 201', level: 1 }).waitFor();
  await host.getByText('Lecture 2', { exact: true }).waitFor();
  await checkA11y({ host }, 'lecture page of the second lecture');
  await host.goto(`${base}/dashboard`);
}

/** No Drive button without Google configured; the exports in the lecture's language, as the page. */
async function lectureExports(admin) {
  log('lecture page: no Drive button without Google; exports in the lecture’s language, with its files');
  await admin.getByRole('button', { name: 'Create a share link' }).waitFor();
  if (await admin.getByRole('button', { name: 'Save PDF to Google Drive' }).count()) throw new Error('the Drive button shows without Google Drive');
  await admin.getByText(/^\d+ B · Teacher$/).waitFor();
  const href = await admin.getByRole('link', { name: 'Download Markdown' }).getAttribute('href');
  const md = await (await admin.context().request.get(new URL(href, base).href)).text();
  // The transcript is Russian (the fake Deepgram's captions): so is the document.
  for (const want of [/^- Длительность: \d+:\d\d$/m, /^## Посещаемость$/m, /^- Студент — \d+ мин$/m, /^## Файлы$/m, /^- notes\.txt — \d+ Б · Teacher$/m]) {
    if (!want.test(md)) throw new Error(`the Markdown export lacks ${want}:\n${md}`);
  }
}

/**
 * LAN mode (TLS=lan), as a class on a school network has it: the server on this machine's
 * non-loopback address, and the student's computer on the other end of a veth pair, in a network
 * namespace of its own (studentNetwork). The server finds the address by itself: the invite, the
 * certificate and the dev LiveKit's candidates are all for 10.77.0.1. The teacher's room card
 * links to the page for students' devices, which offers the CA (the same the server serves at
 * /ca.crt, with its fingerprint) and a QR code of the invite. The student downloads the CA over
 * the veth, compares its fingerprint with the teacher's screen and installs it into the NSS
 * database of its Chromium (no certificate flag), opens the page for devices in Russian, then
 * the invite, knocks, is let in, and the two see and hear each other. Then a second student on
 * that computer with UDP dropped both ways, as a school firewall does: media must come over TCP.
 */
async function lanScenario() {
  log('LAN mode: a student on another computer (a veth away), with the CA installed');
  for (const [tool, pkg] of [['certutil', 'libnss3-tools'], ['nft', 'nftables'], ['nsenter', 'util-linux'], ['ip', 'iproute2']]) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      throw new Error(`the LAN scenario needs ${tool}: apt-get install ${pkg}`);
    }
  }
  const lanPort = port + 1;
  const data = mkdtempSync(join(tmpdir(), 'liveserver-lan-'));
  const homes = mkdtempSync(join(tmpdir(), 'liveserver-lan-homes-'));
  const logFile = openSync(join(out, 'server-lan.log'), 'w');
  const net = await studentNetwork();
  const lanEnv = {
    ...process.env, TLS: 'lan', LISTEN_ADDR: `:${lanPort}`, DATA_DIR: data, LIVEKIT_SERVER_BIN: livekit,
    // Its own ports: the suite's first server and its LiveKit still hold 7880 and the next ones.
    LIVEKIT_DEV_PORT: String(lanLiveKitPort),
  };
  const lanBase = `https://${net.serverIP}:${lanPort}`; // what the server should find by itself
  const browsers = [];
  let proc;
  try {
    await lanTeacherAccount(lanEnv, logFile);
    proc = spawn(bin, ['serve'], { env: lanEnv, stdio: ['ignore', logFile, logFile] });
    await until('the LAN server’s certificate', async () => readFileSync(join(data, 'tls', 'server.crt')).length > 0, 30000);
    const leaf = new X509Certificate(readFileSync(join(data, 'tls', 'server.crt')));
    if (!leaf.checkIP(net.serverIP)) throw new Error(`the LAN certificate does not name ${net.serverIP}: ${leaf.subjectAltName}`);
    // The teacher's own computer trusts the CA too, from the server's files.
    const ownCA = new X509Certificate(readFileSync(join(data, 'tls', 'ca.crt')));
    const teacherBrowser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      ignoreDefaultArgs: [disableFeatures(playwrightDisabled)],
      args: [...lanBrowserArgs, '--host-resolver-rules=MAP localhost 127.0.0.1, MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'],
      env: { ...process.env, HOME: trustingHome(join(homes, 'teacher'), ownCA.raw) },
    });
    browsers.push(teacherBrowser);
    const teacherCtx = await teacherBrowser.newContext({ locale: 'en-US', viewport: sizes.desktop });
    await watchPeerConnections(teacherCtx);
    const teacher = await teacherCtx.newPage();
    teacher.on('pageerror', (e) => log('LAN teacher page error:', e.message));
    // The teacher opens the server as localhost; its PUBLIC_URL is the LAN address.
    const teacherBase = `https://localhost:${lanPort}`;
    await until('the LAN server', async () => (await teacher.goto(`${teacherBase}/readyz`)).ok(), 30000);
    await teacher.goto(`${teacherBase}/login`);
    await teacher.getByLabel('E-mail').fill(lanTeacher.email);
    await teacher.getByLabel('Password').fill(lanTeacher.password);
    await teacher.getByRole('button', { name: 'Sign in' }).last().click();
    await teacher.getByRole('heading', { name: `Hello, ${lanTeacher.name}` }).waitFor();
    await teacher.getByLabel('Name').fill('Biology');
    await teacher.getByRole('button', { name: 'Create', exact: true }).click();
    // The invite is made from PUBLIC_URL, which the server derived from the LAN address.
    await until('the invite under the LAN address', async () =>
      (await teacher.getByLabel('Invite link').inputValue()).startsWith(`${lanBase}/join/`));
    const invite = await teacher.getByLabel('Invite link').inputValue();
    await teacher.getByRole('link', { name: "Connecting students' devices" }).click();
    await teacher.getByRole('heading', { name: 'How to connect a device to the class' }).waitFor();

    const { instance, caType, caBytes } = await teacher.evaluate(async () => {
      const ca = await fetch('/ca.crt');
      const bytes = new Uint8Array(await ca.arrayBuffer());
      return { instance: await (await fetch('/api/instance')).json(), caType: ca.headers.get('Content-Type'), caBytes: Array.from(bytes) };
    });
    if (caType !== 'application/x-x509-ca-cert') throw new Error(`/ca.crt: ${caType}`);
    const caCert = new X509Certificate(Buffer.from(caBytes));
    if (!caCert.ca || caCert.fingerprint256 !== instance.caFingerprint || !leaf.checkIssued(caCert)) {
      throw new Error(`/ca.crt is not the CA that issued the server's certificate (${caCert.subject})`);
    }
    await teacher.getByText(instance.caFingerprint, { exact: true }).waitFor();
    const download = teacher.getByRole('link', { name: 'Download the certificate (liveserver-ca.crt)' });
    if ((await download.getAttribute('href')) !== '/ca.crt') throw new Error('the download does not point at /ca.crt');
    const qr = teacher.getByRole('img', { name: `QR code of the link ${invite}` });
    if ((await qr.getAttribute('data-qr-text')) !== invite) throw new Error('the QR code is not of the invite link');
    await teacher.getByText('Android', { exact: true }).click(); // a platform's steps open
    await teacher.getByText('Install a certificate → CA certificate', { exact: false }).waitFor();
    await snap({ teacher }, 'lan-trust', { fullPage: true });
    await checkA11y({ teacher }, 'LAN, devices page', { phone: true });

    log('LAN: the student downloads the CA over the veth, checks its fingerprint with the teacher’s screen, installs it');
    // From the plain-HTTP address the devices page gives (no warning before the CA is trusted);
    // not verified, so the fingerprint, read off the teacher's screen, is the check.
    const plainCA = `${lanBase.replace(/^https:/, 'http:')}/ca.crt`;
    await teacher.getByText(plainCA, { exact: true }).waitFor();
    const fetched = new X509Certificate(await net.download(plainCA));
    if (fetched.fingerprint256 !== instance.caFingerprint) throw new Error(`the student got a CA of fingerprint ${fetched.fingerprint256}, the teacher's screen shows ${instance.caFingerprint}`);
    const studentBrowser = await chromium.launch({
      executablePath: net.chromium,
      ignoreDefaultArgs: [disableFeatures(playwrightDisabled)],
      args: [...lanBrowserArgs, `--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE ${net.serverIP}`],
      env: { ...process.env, HOME: trustingHome(join(homes, 'student'), fetched.raw) },
    });
    browsers.push(studentBrowser);
    const student = async (name, timezoneId) => {
      const ctx = await studentBrowser.newContext({ locale: 'ru-RU', timezoneId, viewport: sizes.desktop });
      await watchPeerConnections(ctx);
      const page = await ctx.newPage();
      page.on('pageerror', (e) => log(`LAN student ${name} page error:`, e.message));
      const sockets = [];
      page.on('websocket', (ws) => sockets.push(ws.url()));
      return { ctx, page, name, sockets };
    };
    const first = await student('Студент', 'Europe/Moscow');
    const code = invite.slice(invite.lastIndexOf('/') + 1);
    await first.page.goto(`${lanBase}/trust?room=${code}`);
    await first.page.getByRole('heading', { name: 'Как подключить устройство к занятию' }).waitFor();
    await first.page.getByRole('link', { name: 'Скачать сертификат (liveserver-ca.crt)' }).waitFor();
    await first.page.getByRole('img', { name: `QR-код ссылки ${invite}` }).waitFor();
    await first.page.getByText(instance.caFingerprint, { exact: true }).waitFor();
    await snap({ student: first.page }, 'lan-trust-ru', { fullPage: true });
    await checkA11y({ student: first.page }, 'LAN, devices page (Russian)', { phone: true });

    log('LAN: the teacher starts the lecture and enters the call');
    await teacher.goto(`${teacherBase}/dashboard`);
    await teacher.getByRole('button', { name: 'Start the lecture' }).click();
    await teacher.getByRole('link', { name: 'Enter the room' }).click();
    await teacher.getByRole('button', { name: 'Leave' }).waitFor();
    await teacher.getByRole('tab', { name: /People/ }).click();

    const udp = await lanStudentJoins(teacher, first, invite, net.serverIP, 'with UDP');
    for (const p of udp.pairs) if (p.protocol !== 'udp') throw new Error(`with UDP open, media went over ${p.local}`);
    await snap({ teacher, student: first.page }, 'lan-call');
    await checkA11y({ student: first.page }, 'LAN, call (student)');
    await first.ctx.close();

    log('LAN: UDP dropped on the student’s computer; a second student there joins');
    net.dropUDP();
    const second = await student('Ученица', 'Asia/Yekaterinburg');
    const tcp = await lanStudentJoins(teacher, second, invite, net.serverIP, 'UDP dropped');
    for (const p of tcp.pairs) {
      // A relay's protocol is the relayed one's; what reaches the student is its relayProtocol.
      const overUDP = p.type === 'relay' ? p.relayProtocol === 'udp' : p.protocol === 'udp';
      if (overUDP) throw new Error(`with UDP dropped, media went over ${p.local}`);
    }
    await snap({ teacher, student: second.page }, 'lan-call-no-udp');
    await second.ctx.close();
    await teacherCtx.close();
    log(`LAN figures, from "let in" to the teacher's first frame on the student's screen: ${udp.ms} ms with UDP ` +
      `(${udp.pairs[0].local}), ${tcp.ms} ms with UDP dropped (${tcp.pairs[0].local})`);
  } finally {
    for (const b of browsers) await b.close().catch(() => {});
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
    }
    net.close();
    rmSync(data, { recursive: true, force: true });
    rmSync(homes, { recursive: true, force: true });
  }
}

/** The dev LiveKit's first port for the LAN server (signalling on loopback; media around it). */
const lanLiveKitPort = 7980;

/**
 * Chromium for the LAN scenario: the suite's flags but --allow-loopback-in-peer-connection (media
 * goes over the veth) and WebRtcHideLocalIpsWithMdns, which stays on as in a student's browser;
 * trust is by NSS (trustingHome), with no certificate flag.
 */
const lanBrowserArgs = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
  disableFeatures([...playwrightDisabled, 'AutofillServerCommunication']),
];

/** The LAN server's teacher. */
const lanTeacher = { email: 'lan@example.org', name: 'Teacher', password: 'correct horse battery' };

/**
 * Makes the LAN server's teacher account, before the server starts: `liveserver user create
 * --admin`, which works whether or not the server lets anyone register from the network.
 */
async function lanTeacherAccount(env, logFile) {
  const proc = spawn(bin, ['user', 'create', '--admin', '--email', lanTeacher.email, '--name', lanTeacher.name, '--password-file', '-'],
    { env, stdio: ['pipe', logFile, logFile] });
  proc.stdin.end(`${lanTeacher.password}\n`);
  const code = await new Promise((r) => proc.once('exit', r));
  if (code !== 0) throw new Error(`liveserver user create: exit ${code} (see ${join(out, 'server-lan.log')})`);
}

/**
 * A home directory whose NSS database (~/.pki/nssdb, where Chromium on Linux keeps the
 * certificates "installed by you") trusts the CA (DER) for websites, as chrome://certificate-
 * manager's import does; certutil is Debian's libnss3-tools.
 */
function trustingHome(home, caDer) {
  const db = join(home, '.pki', 'nssdb');
  mkdirSync(db, { recursive: true });
  const file = join(home, 'liveserver-ca.crt');
  writeFileSync(file, caDer);
  execFileSync('certutil', ['-N', '-d', `sql:${db}`, '--empty-password']);
  execFileSync('certutil', ['-A', '-d', `sql:${db}`, '-n', 'LiveServer local CA', '-t', 'C,,', '-i', file]);
  return home;
}

/**
 * The student's computer: a network namespace of its own, held by a process that ends when its
 * stdin closes (so it goes with the suite, however the suite ends), joined to the suite's
 * namespace by a veth pair: lan0 10.77.0.1/24 on this side (the server's LAN address), eth0
 * 10.77.0.2/24 on the student's. Only these two namespaces exist on it, so nothing leaves the
 * machine (DESIGN §6). `chromium` is an executable that runs Chromium in the student's
 * namespace (Playwright drives it over a pipe, which nsenter keeps).
 */
async function studentNetwork() {
  const serverIP = '10.77.0.1';
  const studentIP = '10.77.0.2';
  const holder = spawn('unshare', ['-n', 'sh', '-c', 'ip link set lo up && echo up && read _'], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    holder.stdout.once('data', resolve);
    holder.once('exit', (c) => reject(new Error(`the student's network namespace: exit ${c}`)));
  });
  const ns = `/proc/${holder.pid}/ns/net`;
  const inStudent = (cmd, ...args) => execFileSync('nsenter', [`--net=${ns}`, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const dir = mkdtempSync(join(tmpdir(), 'liveserver-student-'));
  const closeAll = () => {
    holder.stdin.end();
    try {
      execFileSync('ip', ['link', 'del', 'lan0'], { stdio: 'ignore' }); // takes its peer with it
    } catch {
      // already gone with the namespace
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    execFileSync('ip', ['link', 'add', 'lan0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', String(holder.pid)]);
    execFileSync('ip', ['addr', 'add', `${serverIP}/24`, 'dev', 'lan0']);
    execFileSync('ip', ['link', 'set', 'lan0', 'up']);
    inStudent('ip', 'addr', 'add', `${studentIP}/24`, 'dev', 'eth0');
    inStudent('ip', 'link', 'set', 'eth0', 'up');
    const chromiumWrapper = join(dir, 'chromium');
    writeFileSync(chromiumWrapper, `#!/bin/sh\nexec nsenter --net=${ns} /usr/bin/chromium "$@"\n`, { mode: 0o755 });
    return {
      serverIP, studentIP, chromium: chromiumWrapper,
      /** GET url (http or https) from the student's computer, a certificate unchecked: the body. */
      async download(url) {
        const script = `const u = process.argv[1];
        require(u.startsWith('https:') ? 'node:https' : 'node:http').get(u, { rejectUnauthorized: false }, (res) => {
          if (res.statusCode !== 200) { console.error('status ' + res.statusCode); process.exit(1); }
          res.pipe(process.stdout);
        }).on('error', (e) => { console.error(e.message); process.exit(1); });`;
        return inStudent(process.execPath, '-e', script, url);
      },
      /** Drops all UDP in and out of the student's computer. */
      dropUDP() {
        for (const rule of [
          'add table inet student',
          'add chain inet student in { type filter hook input priority 0; policy accept; }',
          'add chain inet student out { type filter hook output priority 0; policy accept; }',
          'add rule inet student in meta l4proto udp drop',
          'add rule inet student out meta l4proto udp drop',
        ]) inStudent('nft', ...rule.split(' '));
      },
      close: closeAll,
    };
  } catch (err) {
    closeAll();
    throw err;
  }
}

/**
 * Keeps every RTCPeerConnection the page makes in window.__pcs, for their stats, with the times
 * (Date.now()) each was made and first reached "connected" in window.__pcCreated and
 * window.__pcConnected.
 */
async function watchPeerConnections(ctx) {
  await ctx.addInitScript(() => {
    const Native = window.RTCPeerConnection;
    window.__pcs = [];
    window.__pcCreated = [];
    window.__pcConnected = [];
    window.RTCPeerConnection = class extends Native {
      constructor(...args) {
        super(...args);
        window.__pcs.push(this);
        window.__pcCreated.push(Date.now());
        const seen = () => {
          if (this.connectionState !== 'connected') return;
          window.__pcConnected.push(Date.now());
          this.removeEventListener('connectionstatechange', seen);
        };
        this.addEventListener('connectionstatechange', seen);
      }
    };
  });
}

/**
 * The page's media, from its peer connections' stats: each connected one's selected candidate
 * pair, and the bytes of audio and video received and sent.
 */
const mediaStats = (page) => page.evaluate(async () => {
  const out = { pairs: [], audioIn: 0, videoIn: 0, framesDecoded: 0, audioOut: 0, videoOut: 0 };
  for (const pc of window.__pcs ?? []) {
    if (pc.connectionState === 'closed') continue;
    const stats = await pc.getStats();
    const byId = new Map();
    stats.forEach((s) => byId.set(s.id, s));
    stats.forEach((s) => {
      if (s.type === 'transport' && s.selectedCandidatePairId) {
        const pair = byId.get(s.selectedCandidatePairId);
        const l = byId.get(pair?.localCandidateId);
        const r = byId.get(pair?.remoteCandidateId);
        if (l && r) {
          const proto = `${l.protocol}${l.relayProtocol ? `, relayed over ${l.relayProtocol}` : ''}${l.tcpType ? ` ${l.tcpType}` : ''}`;
          out.pairs.push({ protocol: l.protocol, type: l.candidateType, relayProtocol: l.relayProtocol ?? '', remote: r.address,
            local: `${l.candidateType} ${proto} ${l.address}:${l.port} → ${r.candidateType} ${r.protocol} ${r.address}:${r.port}` });
        }
      }
      if (s.type === 'inbound-rtp') {
        if (s.kind === 'audio') out.audioIn += s.bytesReceived ?? 0;
        if (s.kind === 'video') {
          out.videoIn += s.bytesReceived ?? 0;
          out.framesDecoded += s.framesDecoded ?? 0;
        }
      }
      if (s.type === 'outbound-rtp') out[s.kind === 'audio' ? 'audioOut' : 'videoOut'] += s.bytesSent ?? 0;
    });
  }
  return out;
});

/** A remote participant's <video> has a frame and its time has begun. */
const remoteVideoStarted = (page) => page.$$eval('[data-lk-local-participant="false"] video',
  (vs) => vs.some((v) => v.readyState >= 2 && v.currentTime > 0));

/**
 * A student knocks with the invite, the teacher lets them in, and both must see each other's
 * video playing and receive each other's audio; the student's signalling must come through the
 * app's origin, and its media from the LAN address. Returns the time from the teacher's click to
 * the teacher's video playing on the student's screen, and the student's candidate pairs.
 */
async function lanStudentJoins(teacher, { page, name, sockets }, invite, serverIP, mode) {
  log(`LAN (${mode}): ${name} opens the invite by the LAN address and knocks`);
  const teacherBefore = await mediaStats(teacher);
  await page.goto(invite);
  await page.getByLabel('Ваше имя').fill(name);
  await page.getByRole('button', { name: 'Войти' }).click();
  await page.getByText('Ждём, когда ведущий вас впустит').waitFor();
  const t0 = Date.now();
  await teacher.getByRole('button', { name: `Let in ${name}`, exact: true }).click();
  await page.waitForURL(/\/room\//);
  const inRoom = Date.now() - t0;
  // Generous: on a loaded 2-core machine the first frame has taken up to 18 s.
  await until(`the teacher's video playing for ${name} (${mode})`, () => remoteVideoStarted(page), 45000);
  const ms = Date.now() - t0;
  const times = await page.evaluate(() => ({ created: window.__pcCreated, connected: window.__pcConnected }));
  const created = Math.min(...times.created) - t0;
  const connected = Math.min(...times.connected) - t0;
  await until(`two playing videos for ${name} (${mode})`, () => videosPlaying(page), 20000);
  await until(`the teacher sees ${name} (${mode})`, () => videosPlaying(teacher), 20000);
  // Audio both ways, and video into the teacher's browser since this student came.
  let st;
  let te;
  await until(`audio both ways (${mode})`, async () => {
    st = await mediaStats(page);
    te = await mediaStats(teacher);
    return st.audioIn > 2000 && st.framesDecoded > 10 && st.audioOut > 2000 && st.videoOut > 0 &&
      te.audioIn - teacherBefore.audioIn > 2000 && te.framesDecoded - teacherBefore.framesDecoded > 10;
  }, 20000).catch((err) => {
    throw new Error(`${err.message}; student ${JSON.stringify(st)}, teacher ${JSON.stringify(te)}`);
  });
  if (st.pairs.length === 0) throw new Error(`${name} (${mode}): no selected candidate pair in the stats`);
  // LiveKit's signalling through the app's own origin, not LiveKit's port.
  const origin = new URL(invite).host;
  if (!sockets.some((u) => u.startsWith(`wss://${origin}/rtc`)) || sockets.some((u) => new URL(u).host !== origin)) {
    throw new Error(`${name} (${mode}): websockets ${sockets.join(', ')}; want LiveKit's signalling at wss://${origin}/rtc only`);
  }
  // LiveKit's candidates are on the LAN address the server found (LIVEKIT_ADVERTISE_IP unset).
  const elsewhere = st.pairs.filter((p) => p.remote !== serverIP);
  if (elsewhere.length) throw new Error(`${name} (${mode}): media with ${elsewhere.map((p) => p.local).join('; ')}, not ${serverIP}`);
  log(`LAN (${mode}): after "let in", ${name} is in the room at ${inRoom} ms, makes its peer connection at ${created} ms, ` +
    `is connected to LiveKit at ${connected} ms, ` +
    `sees the teacher's first frame at ${ms} ms; media: ${st.pairs.map((p) => p.local).join('; ')}`);
  return { ms, inRoom, created, connected, pairs: st.pairs };
}

/**
 * A server others can reach (LISTEN_ADDR=:PORT; the suite's namespace has only lo, so nobody
 * else can): no admin until the setup link from its log is used, registration closed until the
 * admin opens it in the admin panel; then a second person registers.
 */
async function setupScenario(browser) {
  log('reachable server: the first admin comes from the setup link in the log');
  const setupPort = port + 2;
  const setupBase = `http://127.0.0.1:${setupPort}`;
  const data = mkdtempSync(join(tmpdir(), 'liveserver-setup-'));
  const logPath = join(out, 'server-setup.log');
  const logFile = openSync(logPath, 'w');
  const proc = spawn(bin, ['serve'], {
    env: { ...process.env, LISTEN_ADDR: `:${setupPort}`, PUBLIC_URL: setupBase, DATA_DIR: data, LIVEKIT_DEV_SERVER: 'off' },
    stdio: ['ignore', logFile, logFile],
  });
  const contexts = [];
  try {
    let link;
    await until('the setup link in the log', async () => {
      link = /setup_link=(\S+)/.exec(readFileSync(logPath, 'utf8'))?.[1];
      return link;
    }, 30000);
    await until('the reachable server', async () => (await fetch(`${setupBase}/readyz`)).ok, 30000);
    if (!link.startsWith(`${setupBase}/setup#`)) throw new Error(`setup link ${link}`);

    const adminCtx = await browser.newContext({ locale: 'en-US', viewport: sizes.desktop });
    contexts.push(adminCtx);
    const admin = await adminCtx.newPage();
    await admin.goto(link);
    await admin.getByRole('heading', { name: 'Set up this server' }).waitFor();
    if (admin.url().includes('#')) throw new Error(`the token stayed in the address bar: ${admin.url()}`);
    await snap({ admin }, 'setup');
    await checkA11y({ admin }, 'setup', { phone: true });
    await admin.getByLabel('Name').fill('Root');
    await admin.getByLabel('E-mail').fill('root@example.org');
    await admin.getByLabel('Password').fill('correct horse battery');
    await admin.getByRole('button', { name: 'Create the administrator' }).click();
    await admin.waitForURL(/\/admin$/);
    await admin.getByRole('link', { name: 'Administration' }).waitFor();

    log('reachable server: /register is closed (Russian), the admin opens registration');
    const ruCtx = await browser.newContext({ locale: 'ru-RU', viewport: sizes.desktop });
    contexts.push(ruCtx);
    const ru = await ruCtx.newPage();
    await ru.goto(`${setupBase}/register`);
    await ru.getByRole('heading', { name: 'Регистрация закрыта' }).waitFor();
    await ru.getByText('Попросите его создать вам учётную запись', { exact: false }).waitFor();
    await snap({ ru }, 'register-closed-ru');
    await checkA11y({ ru }, 'registration closed (Russian)', { phone: true });
    await ru.goto(`${setupBase}/login`);
    await ru.getByRole('button', { name: 'Войти' }).last().waitFor();
    if (await ru.getByRole('link', { name: 'Зарегистрироваться' }).count()) throw new Error('a register link while registration is closed');

    await admin.getByRole('tab', { name: 'Users' }).click();
    const open = admin.getByRole('checkbox', { name: 'Open registration' });
    await open.waitFor();
    if (await open.isChecked()) throw new Error('registration is open by default on a reachable server');
    await open.check();
    await until('registration open', async () => (await (await fetch(`${setupBase}/api/instance`)).json()).registrationOpen);
    await snap({ admin }, 'admin-users-registration');
    await checkA11y({ admin }, 'admin, users with registration');

    const hostCtx = await browser.newContext({ locale: 'en-US', viewport: sizes.desktop });
    contexts.push(hostCtx);
    const host = await hostCtx.newPage();
    await host.goto(`${setupBase}/register`);
    await host.getByLabel('Name').fill('Second');
    await host.getByLabel('E-mail').fill('second@example.org');
    await host.getByLabel('Password').fill('correct horse battery');
    await host.getByRole('button', { name: 'Create an account' }).click();
    await host.getByRole('heading', { name: 'Hello, Second' }).waitFor();
    if (await host.getByRole('link', { name: 'Administration' }).count()) throw new Error('the second person is an admin');
  } finally {
    for (const c of contexts) await c.close();
    proc.kill('SIGTERM');
    await new Promise((r) => proc.once('exit', r));
    rmSync(data, { recursive: true, force: true });
  }
}

/** /metrics (no token in the suite) counts the requests this suite made, by route. */
async function checkMetrics() {
  log('metrics: requests counted by route');
  const res = await fetch(`${base}/metrics`);
  if (!res.ok) throw new Error(`/metrics: ${res.status}`);
  const text = await res.text();
  const routes = [
    'POST /api/auth/register',
    'POST /api/auth/login',
    'POST /api/rooms/{roomId}/join',
    'POST /api/rooms/{roomId}/end',
    'GET /api/admin/rooms',
    'PATCH /api/admin/users/{userId}',
    'GET /api/lectures/{lectureId}',
  ];
  for (const route of routes) {
    const total = text
      .split('\n')
      .filter((l) => l.startsWith('liveserver_http_requests_total{') && l.includes(`route="${route}"`))
      .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
    if (!(total > 0)) throw new Error(`/metrics: no liveserver_http_requests_total for ${route}`);
  }
}

main().catch((err) => {
  console.error('browser-test: FAILED:', err);
  process.exit(1);
});

/**
 * Issue 15: a PIN attack. Five addresses guess at their limit; the host is told in the call and
 * changes the PIN in one click; the new PIN lets a student in, the old one no longer does.
 */
async function pinAttack(host, invite) {
  log('a PIN attack: the host is told in the call and changes the PIN in one click');
  const code = new URL(invite).pathname.split('/').pop();
  const room = await (await fetch(`${base}/api/rooms/by-code/${code}`)).json();
  const join = (ip, pin, n) =>
    fetch(`${base}/api/rooms/${room.id}/join`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': ip },
      body: JSON.stringify({ name: `Guess ${n}`, pin, fingerprint: `fp-pin-attack-${n}` }),
    });
  let n = 0;
  for (let a = 1; a <= 5; a++) {
    for (let i = 0; i < 5; i++) {
      const res = await join(`198.51.100.${a}`, '000000', n++);
      if (res.status !== 403 && res.status !== 429) throw new Error(`a wrong PIN answered ${res.status}`);
    }
  }
  const alert = host.getByRole('alert').filter({ hasText: 'Someone is guessing this room’s PIN' });
  await alert.waitFor();
  await snap({ host }, 'pin-attack');
  await checkA11y({ host }, 'call, PIN under attack');
  await alert.getByRole('button', { name: 'Change the PIN' }).click();
  const text = (await alert.getByText(/^New PIN: \d{6}\./).textContent()) ?? '';
  const pin = text.match(/\d{6}/)[0];
  log(`the host's new PIN works, the old one no longer does`);
  if ((await join('203.0.113.9', '432198', n++)).status !== 403) throw new Error('the old PIN still works');
  const ok = await join('203.0.113.10', pin, n++);
  if (ok.status !== 202) throw new Error(`the new PIN: ${ok.status} ${await ok.text()}`);
  await alert.getByRole('button', { name: 'Done' }).click();
  await alert.waitFor({ state: 'detached' });
}
