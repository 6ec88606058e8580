// Opens OnAir's dashboard and player pages in the system Chromium (headless), as a viewer would,
// and prints what they showed as one JSON object on stdout; screenshots go to OUT_DIR.
// Exit code 0 whenever the pages ran (the caller judges the JSON), 2 when the browser could not run.
//
// Usage: node web-test.mjs BASE_URL STREAM_NAME OUT_DIR [--chromium PATH] [--recording ID]
// With --recording, the pages of a finished recording of the stream instead: its row in the
// dashboard's recordings and the player playing it (/watch/NAME?recording=ID).
import { chromium } from 'playwright-core';

const [base, name, outDir, ...rest] = process.argv.slice(2);
const option = (flag) => { const i = rest.indexOf(flag); return i >= 0 ? rest[i + 1] : undefined; };
const executablePath = option('--chromium') ?? '/usr/bin/chromium';
const recording = option('--recording');
const result = { dashboard: null, watch: null, recording: null, failure: null, console: [] };

let browser;
try {
  browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--autoplay-policy=no-user-gesture-required'] });
} catch (e) {
  console.error(`could not start ${executablePath}: ${e.message}`);
  process.exit(2);
}

async function recordingPages() {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  page.on('console', m => result.console.push(`dashboard ${m.type()}: ${m.text()}`));
  await page.goto(`${base}/`);
  const row = page.locator(`tr[data-recording="${recording}"]`);
  await row.waitFor({ timeout: 15000 });
  const watchHref = await row.locator('a', { hasText: 'watch' }).getAttribute('href');
  await page.screenshot({ path: `${outDir}/dashboard-recordings.png`, fullPage: true });
  const player = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  player.on('console', m => result.console.push(`watch ${m.type()}: ${m.text()}`));
  await player.goto(`${base}${watchHref}`);
  await player.waitForFunction(() => window.onairPlayer && window.onairPlayer.stats().playing && window.onairPlayer.stats().currentTime > 2, null, { timeout: 30000 });
  result.recording = {
    rowText: (await row.innerText()).replace(/\s+/g, ' ').trim(),
    watchHref,
    title: await player.title(),
    stats: await player.evaluate(() => window.onairPlayer.stats()),
  };
  await player.screenshot({ path: `${outDir}/watch-recording.png`, fullPage: true });
}

try {
  if (recording) {
    await recordingPages();
  } else {
    // The dashboard: the stream's row appears (the page loads /api/v1/streams itself).
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    page.on('console', m => result.console.push(`dashboard ${m.type()}: ${m.text()}`));
    await page.goto(`${base}/`);
    const row = page.locator(`tr[data-stream="${name}"]`);
    await row.waitFor({ timeout: 15000 });
    result.dashboard = { rowText: (await row.innerText()).replace(/\s+/g, ' ').trim(), title: await page.title() };
    await page.screenshot({ path: `${outDir}/dashboard.png`, fullPage: true });

    // The player on a phone-sized screen: it plays, and shows latency and rendition.
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    phone.on('console', m => result.console.push(`watch ${m.type()}: ${m.text()}`));
    await phone.goto(`${base}/watch/${encodeURIComponent(name)}`);
    await phone.waitForFunction(() => window.onairPlayer && window.onairPlayer.stats().playing && window.onairPlayer.stats().currentTime > 3, null, { timeout: 30000 });
    // Both panels filled: the latency, and the rendition playing (hls.js has no current level for a moment while it switches).
    await phone.waitForFunction(() => window.onairPlayer.stats().latency !== null && /[0-9]/.test(document.querySelector('#latency').textContent)
      && /[0-9]/.test(document.querySelector('#rendition').textContent), null, { timeout: 10000 });
    const stats = await phone.evaluate(() => window.onairPlayer.stats());
    result.watch = {
      stats,
      latencyText: await phone.locator('#latency').innerText(),
      renditionText: await phone.locator('#rendition').innerText(),
      qualityOptions: await phone.locator('#quality option').count(),
      scrollWidth: await phone.evaluate(() => document.documentElement.scrollWidth),
    };
    await phone.screenshot({ path: `${outDir}/watch-phone.png`, fullPage: true });
  }
} catch (e) {
  result.failure = e.message;
} finally {
  await browser.close();
}

console.log(JSON.stringify(result));
