// Plays a live master playlist with hls.js in the system Chromium (headless), forces quality
// switches between its lowest and highest variants, and prints what a viewer would have seen as
// one JSON object on stdout. Exit code 0 whenever the page ran (the caller judges the JSON),
// 2 when the browser or the page could not be run at all (the reason on stderr).
//
// Usage: node switch-test.mjs MASTER_URL [--switches N] [--watch-seconds W] [--timeout-seconds S] [--chromium PATH] [--low-latency]
//
// --start-height H: start on the variant of that height instead of the lowest (with --switches 0: stay on it).
// --low-latency: hls.js in its low-latency mode (LL-HLS parts, blocking reload), at its default
// distance from the live edge (PART-HOLD-BACK); the JSON then also holds latency samples.
//
// --to-end R: a VOD: after the switches (if any), play at R times real time until the video's
// ended event (bounded by the timeout); the JSON then says ended and the video's duration.
//
// --watch-seconds W: after the switches (if any), keep playing for W more seconds of wall time
// while the caller does something to the stream (a publisher dropping and coming back).
//
// Switches use hls.loadLevel, the way hls.js's own ABR switches: the next fragment loaded is of the
// new level and is appended after what is already buffered, so the change reaches the screen at a
// segment boundary, without a flush (hls.currentLevel flushes the buffer and stalls by design).
import { chromium } from 'playwright-core';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function parseArgs(argv) {
  const options = { url: null, switches: 3, watchSeconds: 0, timeoutSeconds: 90, chromium: '/usr/bin/chromium', lowLatency: false, startHeight: 0, toEndRate: 0 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--switches') options.switches = Number(argv[++i]);
    else if (arg === '--watch-seconds') options.watchSeconds = Number(argv[++i]);
    else if (arg === '--timeout-seconds') options.timeoutSeconds = Number(argv[++i]);
    else if (arg === '--chromium') options.chromium = argv[++i];
    else if (arg === '--low-latency') options.lowLatency = true;
    else if (arg === '--start-height') options.startHeight = Number(argv[++i]);
    else if (arg === '--to-end') options.toEndRate = Number(argv[++i]);
    else if (!options.url) options.url = arg;
    else throw new Error(`unexpected argument ${arg}`);
  }
  if (!options.url) throw new Error('usage: node switch-test.mjs MASTER_URL [--switches N] [--timeout-seconds S] [--chromium PATH]');
  return options;
}

// Runs inside the page. Every wait is on recorded events (hls.js events, the video element's
// events); each is bounded and says what it waited for when it gives up.
async function scenario({ url, switches, watchSeconds, lowLatency, startHeight, toEndRate }) {
  const t0 = performance.now();
  const now = () => Math.round(performance.now() - t0) / 1000;
  const video = document.querySelector('video');
  const result = {
    userAgent: navigator.userAgent,
    hlsVersion: Hls.version,
    mse: {},
    levels: [],
    switches: [],
    errors: [],
    frags: [],
    levelSwitched: [],
    waiting: [],
    resizes: [],
    maxBufferedRanges: 0,
    bufferedAtMaxRanges: null,
    playedSeconds: 0,
    maxStuckSeconds: 0,
    stuckAt: null,
    quality: null,
    failure: null,
    elapsedSeconds: 0,
  };

  const waiters = new Set();
  let fatal = null;
  const wake = () => {
    for (const w of [...waiters]) {
      if (fatal) {
        waiters.delete(w);
        clearTimeout(w.timer);
        w.reject(new Error(`fatal hls.js error while waiting for ${w.what}: ${fatal.details}`));
      } else if (w.cond()) {
        waiters.delete(w);
        clearTimeout(w.timer);
        w.resolve();
      }
    }
  };
  const until = (cond, seconds, what) => new Promise((resolve, reject) => {
    if (fatal) return reject(new Error(`fatal hls.js error before ${what}: ${fatal.details}`));
    if (cond()) return resolve();
    const w = { cond, resolve, reject, what };
    w.timer = setTimeout(() => {
      waiters.delete(w);
      reject(new Error(`${what}: not within ${seconds} s (at ${now()} s, currentTime ${video.currentTime.toFixed(3)})`));
    }, seconds * 1000);
    waiters.add(w);
  });

  // Playback progress, sampled every 250 ms once it has started: the longest time currentTime stood still.
  let firstTime = null;
  let lastTime = null;
  let lastAdvanceAt = null;
  const sample = () => {
    const t = video.currentTime;
    if (firstTime === null) {
      if (t > 0 && !video.paused) {
        firstTime = t;
        lastTime = t;
        lastAdvanceAt = now();
      }
      return;
    }
    if (t > lastTime + 0.001) {
      lastTime = t;
      lastAdvanceAt = now();
    } else if (!video.paused && !video.ended) {
      const stuck = now() - lastAdvanceAt;
      if (stuck > result.maxStuckSeconds) {
        result.maxStuckSeconds = Math.round(stuck * 1000) / 1000;
        result.stuckAt = { at: now(), currentTime: t };
      }
    }
    result.playedSeconds = Math.round((lastTime - firstTime) * 1000) / 1000;
    if (video.buffered.length > result.maxBufferedRanges) {
      result.maxBufferedRanges = video.buffered.length;
      result.bufferedAtMaxRanges = [...Array(video.buffered.length).keys()].map(i => [video.buffered.start(i), video.buffered.end(i)]);
    }
    wake();
  };
  const sampler = setInterval(sample, 250);

  const hls = new Hls(lowLatency
    ? { lowLatencyMode: true, maxBufferLength: 4, backBufferLength: 10, autoStartLoad: false }
    : {
      // Live at hls.js's default distance from the edge (three segments), with a small forward
      // buffer: a switch reaches the screen after what is buffered, so within a few seconds.
      lowLatencyMode: false,
      liveSyncDurationCount: 3,
      maxBufferLength: 4,
      backBufferLength: 10,
      autoStartLoad: false,
    });
  // How far behind live the viewer is: hls.js's own estimate, and now minus the program date-time on screen.
  result.latency = [];
  setInterval(() => {
    if (video.paused || video.currentTime <= 0) return;
    const playing = hls.playingDate;
    result.latency.push({ at: now(), hls: hls.latency, pdt: playing ? (Date.now() - playing.getTime()) / 1000 : null, level: hls.currentLevel });
  }, 500);
  hls.on(Hls.Events.ERROR, (_, d) => {
    result.errors.push({
      at: now(), type: d.type, details: d.details, fatal: d.fatal,
      reason: d.reason ?? d.error?.message ?? null,
      level: d.frag?.level ?? d.level ?? null, sn: d.frag?.sn ?? null,
      currentTime: video.currentTime,
    });
    if (d.fatal && !fatal) fatal = d;
    wake();
  });
  hls.on(Hls.Events.FRAG_CHANGED, (_, { frag }) => {
    result.frags.push({ at: now(), level: frag.level, sn: frag.sn, start: frag.start, duration: frag.duration, currentTime: video.currentTime });
    wake();
  });
  hls.on(Hls.Events.LEVEL_SWITCHED, (_, { level }) => {
    result.levelSwitched.push({ at: now(), level, currentTime: video.currentTime });
    wake();
  });
  video.addEventListener('waiting', () => result.waiting.push({ at: now(), currentTime: video.currentTime }));
  video.addEventListener('resize', () => {
    result.resizes.push({ at: now(), width: video.videoWidth, height: video.videoHeight, currentTime: video.currentTime });
    wake();
  });
  video.addEventListener('timeupdate', wake);

  try {
    let parsed = false;
    hls.on(Hls.Events.MANIFEST_PARSED, () => { parsed = true; wake(); });
    hls.loadSource(url);
    hls.attachMedia(video);
    await until(() => parsed, 15, 'MANIFEST_PARSED');

    result.levels = hls.levels.map((l, index) => ({ index, width: l.width, height: l.height, bitrate: l.bitrate, videoCodec: l.videoCodec, audioCodec: l.audioCodec, url: l.url[0] }));
    for (const l of result.levels) {
      const type = `video/mp4; codecs="${l.videoCodec},${l.audioCodec}"`;
      result.mse[type] = MediaSource.isTypeSupported(type);
    }
    if (Object.values(result.mse).some(supported => !supported)) {
      throw new Error(`this browser's MSE cannot play the stream's codecs: ${JSON.stringify(result.mse)}`);
    }
    const byHeight = [...result.levels].sort((a, b) => a.height - b.height);
    const low = (startHeight && byHeight.find(l => l.height === startHeight)) || byHeight[0];
    const high = byHeight[byHeight.length - 1];
    if (switches > 0 && low.height === high.height) throw new Error(`no two heights to switch between: ${JSON.stringify(result.levels)}`);

    // Manual from the start: the ABR controller would otherwise switch by itself on loopback.
    hls.loadLevel = low.index;
    hls.startLoad(-1);
    video.play().catch(e => result.errors.push({ at: now(), type: 'play', details: String(e), fatal: false }));

    const playing = (level) => result.frags.some(f => f.level === level.index) && video.videoHeight === level.height;
    await until(() => playing(low) && firstTime !== null && video.currentTime > firstTime + 1, 30, `playback of level ${low.index} (${low.height}p)`);

    for (let i = 0; i < switches; i++) {
      const from = i % 2 === 0 ? low : high;
      const to = i % 2 === 0 ? high : low;
      const requestedAt = now();
      const fragsBefore = result.frags.length;
      const switchedBefore = result.levelSwitched.length;
      const s = { from: from.index, to: to.index, toHeight: to.height, requestedAt, requestedAtTime: video.currentTime };
      result.switches.push(s);
      hls.loadLevel = to.index;

      const newFrag = () => result.frags.slice(fragsBefore).find(f => f.level === to.index);
      await until(() => result.levelSwitched.slice(switchedBefore).some(e => e.level === to.index) && newFrag(), 20,
        `switch ${i + 1} (level ${from.index} to ${to.index}): LEVEL_SWITCHED and FRAG_CHANGED on level ${to.index}`);
      const frag = newFrag();
      const previous = result.frags[result.frags.indexOf(frag) - 1];
      Object.assign(s, {
        levelSwitchedAt: result.levelSwitched.slice(switchedBefore).find(e => e.level === to.index).at,
        fragChangedAt: frag.at,
        sn: frag.sn,
        fragStart: frag.start,
        previousSn: previous?.sn ?? null,
        previousLevel: previous?.level ?? null,
        previousStart: previous?.start ?? null,
        previousEnd: previous ? previous.start + previous.duration : null,
      });

      // The resize event, not just videoHeight: the height changes before the event is dispatched, and the event says where.
      const resized = () => result.resizes.find(r => r.at >= requestedAt && r.height === to.height);
      await until(() => video.videoHeight === to.height && resized(), 5, `switch ${i + 1}: video.videoHeight ${to.height} (is ${video.videoHeight}) and its resize event`);
      s.videoHeightAt = now();
      s.videoHeight = video.videoHeight;
      // Where in the media the picture changed: the new level's first fragment starts there when the switch is at a boundary.
      s.pictureChangedAtTime = resized().currentTime;

      // Playback goes on past the boundary before the next switch is asked for.
      await until(() => video.currentTime > frag.start + 1, 10, `switch ${i + 1}: playback 1 s into sn ${frag.sn} of level ${to.index}`);
    }

    if (toEndRate > 0) {
      video.playbackRate = toEndRate;
      await until(() => video.ended, Math.max(30, video.duration / toEndRate * 3), `the ended event (at ${video.currentTime} of ${video.duration} s)`);
      result.ended = true;
      result.duration = video.duration;
    } else {
      const end = video.currentTime + 2;
      await until(() => video.currentTime > end, 10, 'playback 2 s past the last switch');
    }
    if (watchSeconds > 0) {
      result.watchStartedAt = now();
      await new Promise(resolve => setTimeout(resolve, watchSeconds * 1000));
    }
  } catch (e) {
    result.failure = e.message;
  } finally {
    sample();
    clearInterval(sampler);
    const q = video.getVideoPlaybackQuality();
    result.quality = { totalVideoFrames: q.totalVideoFrames, droppedVideoFrames: q.droppedVideoFrames };
    result.elapsedSeconds = now();
    hls.destroy();
  }
  return result;
}

async function main() {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(e.message);
    return 2;
  }

  const args = ['--autoplay-policy=no-user-gesture-required', '--mute-audio'];
  if (process.getuid?.() === 0) args.push('--no-sandbox'); // Chromium refuses to sandbox as root
  let browser;
  try {
    browser = await chromium.launch({ executablePath: options.chromium, headless: true, args });
  } catch (e) {
    console.error(`could not start ${options.chromium}: ${e.message}`);
    return 2;
  }

  const deadline = setTimeout(() => {
    console.error(`the page did not finish within ${options.timeoutSeconds} s`);
    browser.close().finally(() => process.exit(2));
  }, options.timeoutSeconds * 1000);

  try {
    const page = await browser.newPage();
    const console_ = [];
    page.on('console', m => { if (m.type() === 'error' || m.type() === 'warning') console_.push(`${m.type()}: ${m.text()}`.slice(0, 500)); });
    page.on('pageerror', e => console_.push(`pageerror: ${e.message}`.slice(0, 500)));
    await page.setContent('<!doctype html><html><body><video muted playsinline width="640" height="360"></video></body></html>');
    await page.addScriptTag({ path: require.resolve('hls.js/dist/hls.min.js') });
    const result = await page.evaluate(scenario, { url: options.url, switches: options.switches, watchSeconds: options.watchSeconds, lowLatency: options.lowLatency, startHeight: options.startHeight, toEndRate: options.toEndRate });
    result.console = console_.slice(0, 50);
    process.stdout.write(JSON.stringify(result) + '\n');
    return 0;
  } catch (e) {
    console.error(`the page could not be run: ${e.stack ?? e}`);
    return 2;
  } finally {
    clearTimeout(deadline);
    await browser.close();
  }
}

process.exitCode = await main();
