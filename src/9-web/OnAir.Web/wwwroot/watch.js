// OnAir player: /watch/NAME plays /live/NAME/master.m3u8 with hls.js and shows what the viewer
// experiences (latency, rendition, buffer, stalls, dropped frames) so an operator, or an automated
// test through window.onairPlayer.stats(), can judge a stream from the viewer's side.
'use strict';

(() => {
  const STATS_INTERVAL_MS = 500;
  const PLOT_WINDOW_MS = 60_000;
  // After a 404 the stream is gone (or not started yet); look for it coming back this often.
  const RETURN_POLL_MS = 5000;
  // More fatal media errors than this within the window means recoverMediaError() is not helping.
  const MEDIA_RECOVERIES = 3;
  const MEDIA_RECOVERY_WINDOW_MS = 60_000;

  const $ = (id) => document.getElementById(id);
  const video = $('video');
  const statusEl = $('status');
  const unmuteButton = $('unmute');
  const qualitySelect = $('quality');
  const el = {
    latency: $('latency'), latencyClock: $('latency-clock'), rendition: $('rendition'),
    buffer: $('buffer'), stalls: $('stalls'), dropped: $('dropped'),
    bitrateNow: $('bitrate-now'), latencyNow: $('latency-now'),
  };

  // The page is served at /watch/NAME (maybe with a trailing slash); the name may be percent-encoded.
  const streamName = (() => {
    const segment = location.pathname.split('/').filter(Boolean).pop() || '';
    try { return decodeURIComponent(segment); } catch { return segment; }
  })();
  // /watch/NAME?recording=ID plays a finished recording of the stream (VOD) instead of the live stream.
  const recordingId = new URLSearchParams(location.search).get('recording');
  const masterUrl = recordingId
    ? `/vod/${encodeURIComponent(recordingId)}/master.m3u8`
    : `/live/${encodeURIComponent(streamName)}/master.m3u8`;

  // textContent only below, never innerHTML: the name comes from whoever published.
  $('stream-name').textContent = recordingId ? `${streamName} · recording ${recordingId}` : streamName;
  document.title = `${recordingId ? `${recordingId} (recording)` : streamName} · OnAir`;

  let hls = null;
  let playbackStarted = false;
  let ended = false;
  let stalls = 0;
  let userUnmuted = false;
  let retryDelayMs = 2000;
  let restartTimer = null;
  let returnPollTimer = null;
  let mediaErrorTimes = [];
  const bitrateSamples = []; // {t: ms since epoch, v: kbit/s}
  const latencySamples = []; // {t, v: seconds}

  // ---- status overlay ------------------------------------------------------------------------

  function setStatus(text, detail = '') {
    statusEl.hidden = !text;
    statusEl.replaceChildren();
    if (!text) return;
    const main = document.createElement('strong');
    main.textContent = text;
    statusEl.append(main);
    if (detail) {
      const small = document.createElement('span');
      small.textContent = detail;
      statusEl.append(small);
    }
  }

  function streamEnded(detail = '') {
    ended = true;
    setStatus('Stream ended', detail);
  }

  // ---- playback ------------------------------------------------------------------------------

  function play() {
    // Browsers only autoplay muted video; the unmute button is the user gesture that adds sound.
    // A restart after an error must not silence a viewer who already turned the sound on.
    if (!userUnmuted) video.muted = true;
    const attempt = video.play();
    if (attempt && typeof attempt.catch === 'function') {
      attempt.catch(() => { if (!ended) setStatus('Press play to start'); });
    }
  }

  function startHls() {
    ended = false;
    hls = new Hls({ lowLatencyMode: !recordingId, backBufferLength: 30 });
    hls.on(Hls.Events.MANIFEST_PARSED, () => { fillQualityPicker(); play(); });
    hls.on(Hls.Events.LEVELS_UPDATED, fillQualityPicker);
    hls.on(Hls.Events.FRAG_LOADED, onFragLoaded);
    // The server writes ENDLIST when the publisher is gone for good; hls.js reports it as end of stream.
    hls.on(Hls.Events.BUFFER_EOS, () => streamEnded());
    hls.on(Hls.Events.ERROR, onHlsError);
    hls.loadSource(masterUrl);
    hls.attachMedia(video);
  }

  function onHlsError(_event, data) {
    if (data.details === Hls.ErrorDetails.BUFFER_STALLED_ERROR) stalls++;
    // Non-fatal errors (a late segment, a playlist reload that failed once) are retried by hls.js.
    if (!data.fatal) return;

    if (data.type === Hls.ErrorTypes.NETWORK_ERROR) {
      const status = data.response?.code ?? data.networkDetails?.status;
      if (status === 404) {
        // The server answers 404 once a stream is gone (or before it has started).
        hls.stopLoad();
        streamEnded('Waiting for it to go live again…');
        waitForReturn();
      } else {
        setStatus('Connection lost', 'Retrying…');
        scheduleRestart();
      }
    } else if (data.type === Hls.ErrorTypes.MEDIA_ERROR) {
      const now = Date.now();
      mediaErrorTimes = mediaErrorTimes.filter((t) => now - t < MEDIA_RECOVERY_WINDOW_MS);
      mediaErrorTimes.push(now);
      if (mediaErrorTimes.length <= MEDIA_RECOVERIES) {
        hls.recoverMediaError();
      } else {
        mediaErrorTimes = [];
        setStatus('Playback error', 'Restarting the player…');
        scheduleRestart();
      }
    } else {
      setStatus('Playback error', data.details || 'Restarting the player…');
      scheduleRestart();
    }
  }

  // A fresh Hls instance rather than startLoad(): after a fatal error its internal state is not trustworthy.
  function scheduleRestart() {
    if (restartTimer !== null) return;
    const delay = retryDelayMs;
    retryDelayMs = Math.min(retryDelayMs * 2, 15_000);
    restartTimer = setTimeout(() => {
      restartTimer = null;
      if (hls) hls.destroy();
      startHls();
    }, delay);
  }

  function waitForReturn() {
    if (returnPollTimer !== null) return;
    returnPollTimer = setInterval(async () => {
      try {
        const response = await fetch(masterUrl, { cache: 'no-store' });
        if (!response.ok) return;
      } catch {
        return;
      }
      clearInterval(returnPollTimer);
      returnPollTimer = null;
      setStatus('');
      if (hls) hls.destroy();
      startHls();
    }, RETURN_POLL_MS);
  }

  function onFragLoaded(_event, data) {
    // Audio-only fragments (a separate audio rendition) would make the video bitrate look tiny.
    if (data.frag.type && data.frag.type !== 'main') return;
    // With LL-HLS parts the event is per part; its own stats and duration are the ones that match.
    const piece = data.part || data.frag;
    const bytes = piece.stats?.total || piece.stats?.loaded || 0;
    if (piece.duration > 0 && bytes > 0) {
      pushSample(bitrateSamples, (bytes * 8) / piece.duration / 1000);
    }
  }

  // Safari plays HLS itself; hls.js stats are then unavailable but playback and the basics still work.
  function startNative() {
    video.src = masterUrl;
    video.addEventListener('loadedmetadata', play, { once: true });
    video.addEventListener('ended', () => streamEnded());
    video.addEventListener('error', () => setStatus('Playback error', video.error?.message || ''));
    qualitySelect.title = 'Quality is chosen by the browser';
  }

  // ---- quality picker ------------------------------------------------------------------------

  function levelLabel(level, index) {
    const name = level.height ? `${level.height}p` : (level.name || `Level ${index + 1}`);
    return level.bitrate ? `${name} · ${Math.round(level.bitrate / 1000).toLocaleString()} kbit/s` : name;
  }

  function fillQualityPicker() {
    const levels = hls?.levels || [];
    const selected = hls && !hls.autoLevelEnabled ? String(hls.nextLevel) : '-1';
    const options = [new Option('Auto', '-1')];
    // Highest first, as viewers expect; the option value keeps hls.js's own level index.
    levels.map((level, index) => ({ level, index }))
      .sort((a, b) => (b.level.bitrate || 0) - (a.level.bitrate || 0))
      .forEach(({ level, index }) => options.push(new Option(levelLabel(level, index), String(index))));
    qualitySelect.replaceChildren(...options);
    qualitySelect.value = options.some((o) => o.value === selected) ? selected : '-1';
    qualitySelect.disabled = levels.length < 2;
  }

  qualitySelect.addEventListener('change', () => {
    if (!hls) return;
    // nextLevel switches at the next fragment without emptying the whole buffer (currentLevel would
    // flush and rebuffer); -1 hands the choice back to hls.js's ABR.
    hls.nextLevel = Number(qualitySelect.value);
  });

  // ---- sound ---------------------------------------------------------------------------------

  unmuteButton.addEventListener('click', () => {
    userUnmuted = true;
    video.muted = false;
    video.play().catch(() => {});
  });
  video.addEventListener('volumechange', () => {
    unmuteButton.hidden = !video.muted;
    // Sound turned on through the native controls counts as the viewer's choice too.
    if (!video.muted) userUnmuted = true;
  });
  unmuteButton.hidden = !video.muted;

  // ---- stall tracking ------------------------------------------------------------------------

  video.addEventListener('playing', () => {
    playbackStarted = true;
    retryDelayMs = 2000;
    if (!ended) setStatus('');
  });
  // 'waiting' before the first frame is start-up, not a stall.
  video.addEventListener('waiting', () => { if (playbackStarted && !ended) stalls++; });

  // ---- stats ---------------------------------------------------------------------------------

  function bufferAhead() {
    const t = video.currentTime;
    const ranges = video.buffered;
    for (let i = 0; i < ranges.length; i++) {
      // A small tolerance: after a seek or a gap jump currentTime can sit just before a range.
      if (ranges.start(i) <= t + 0.1 && t <= ranges.end(i)) return Math.max(0, ranges.end(i) - t);
    }
    return 0;
  }

  function currentLevelObject() {
    if (!hls) return null;
    const index = hls.currentLevel;
    return index >= 0 ? hls.levels?.[index] || null : null;
  }

  function playingDate() {
    if (hls) return hls.playingDate || null;
    // Safari exposes the program date-time of the stream start for natively played HLS.
    const start = typeof video.getStartDate === 'function' ? video.getStartDate() : null;
    return start && Number.isFinite(start.getTime()) ? new Date(start.getTime() + video.currentTime * 1000) : null;
  }

  function stats() {
    const level = currentLevelObject();
    // A recording has no live edge to be behind.
    const latency = !recordingId && hls && hls.latency > 0 ? hls.latency : null;
    return {
      latency,
      level: hls ? hls.currentLevel : -1,
      height: level?.height ?? null,
      bufferAhead: bufferAhead(),
      stalls,
      playing: !video.paused && video.currentTime > 0,
      currentTime: video.currentTime,
    };
  }

  function updateStats() {
    const s = stats();
    const level = currentLevelObject();

    el.latency.textContent = s.latency !== null ? `${s.latency.toFixed(2)} s` : '—';
    const date = playingDate();
    // Wall clock minus the playing moment's program date-time: end-to-end latency including the
    // encoder, as long as the server's and this device's clocks agree.
    el.latencyClock.textContent = date ? `${((Date.now() - date.getTime()) / 1000).toFixed(2)} s vs clock` : '';
    if (s.latency !== null && s.playing) pushSample(latencySamples, s.latency);

    if (level) {
      const auto = hls.autoLevelEnabled ? ' (auto)' : '';
      el.rendition.textContent = levelLabel(level, s.level) + auto;
    } else {
      el.rendition.textContent = hls ? '—' : 'native';
    }

    el.buffer.textContent = `${s.bufferAhead.toFixed(1)} s`;
    el.stalls.textContent = String(s.stalls);

    const quality = typeof video.getVideoPlaybackQuality === 'function' ? video.getVideoPlaybackQuality() : null;
    el.dropped.textContent = quality
      ? `${quality.droppedVideoFrames.toLocaleString()} / ${quality.totalVideoFrames.toLocaleString()}`
      : '—';

    const lastBitrate = bitrateSamples[bitrateSamples.length - 1];
    el.bitrateNow.textContent = lastBitrate ? `${Math.round(lastBitrate.v).toLocaleString()} kbit/s` : '';
    el.latencyNow.textContent = s.latency !== null ? `${s.latency.toFixed(2)} s` : '';

    drawPlots();
  }

  // ---- plots ---------------------------------------------------------------------------------

  function pushSample(samples, value) {
    const now = Date.now();
    samples.push({ t: now, v: value });
    // Keep one point older than the window so the line enters from the left edge instead of starting mid-plot.
    while (samples.length > 2 && samples[1].t < now - PLOT_WINDOW_MS) samples.shift();
  }

  // Axis maxima on 1/2/5 steps so the gridline labels stay readable as the data moves.
  function niceCeil(value) {
    if (!(value > 0)) return 1;
    const magnitude = 10 ** Math.floor(Math.log10(value));
    for (const step of [1, 2, 2.5, 5, 10]) {
      if (step * magnitude >= value) return step * magnitude;
    }
    return 10 * magnitude;
  }

  const css = getComputedStyle(document.documentElement);
  const colour = (name, fallback) => css.getPropertyValue(name).trim() || fallback;
  const plotColours = {
    grid: colour('--plot-grid', '#d8dde3'),
    text: colour('--muted', '#6b7280'),
    bitrate: colour('--accent', '#2563eb'),
    latency: colour('--plot-latency', '#d97706'),
  };

  function drawPlot(canvas, samples, { colour: lineColour, format, minMax }) {
    const dpr = window.devicePixelRatio || 1;
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    if (width === 0 || height === 0) return;
    // Match the backing store to the CSS size so lines stay sharp on high-DPI phones.
    if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(height * dpr)) {
      canvas.width = Math.round(width * dpr);
      canvas.height = Math.round(height * dpr);
    }
    const ctx = canvas.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);

    const left = 48, right = 8, top = 8, bottom = 18;
    const plotW = width - left - right;
    const plotH = height - top - bottom;
    const now = Date.now();
    const from = now - PLOT_WINDOW_MS;
    const max = niceCeil(Math.max(minMax, ...samples.map((s) => s.v)) * 1.1);
    const x = (t) => left + ((t - from) / PLOT_WINDOW_MS) * plotW;
    const y = (v) => top + plotH - (v / max) * plotH;

    ctx.font = '11px system-ui, sans-serif';
    ctx.lineWidth = 1;
    ctx.strokeStyle = plotColours.grid;
    ctx.fillStyle = plotColours.text;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const fraction of [0, 0.5, 1]) {
      const v = max * fraction;
      const gy = Math.round(y(v)) + 0.5;
      ctx.beginPath(); ctx.moveTo(left, gy); ctx.lineTo(left + plotW, gy); ctx.stroke();
      ctx.fillText(format(v), left - 6, gy);
    }
    ctx.textAlign = 'left';
    ctx.textBaseline = 'alphabetic';
    ctx.fillText('-60 s', left, height - 4);
    ctx.textAlign = 'right';
    ctx.fillText('now', left + plotW, height - 4);

    if (samples.length === 0) return;
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top, plotW, plotH);
    ctx.clip();

    ctx.beginPath();
    samples.forEach((s, i) => (i === 0 ? ctx.moveTo(x(s.t), y(s.v)) : ctx.lineTo(x(s.t), y(s.v))));
    ctx.lineTo(x(samples[samples.length - 1].t), y(0));
    ctx.lineTo(x(samples[0].t), y(0));
    ctx.closePath();
    ctx.globalAlpha = 0.15;
    ctx.fillStyle = lineColour;
    ctx.fill();
    ctx.globalAlpha = 1;

    ctx.beginPath();
    samples.forEach((s, i) => (i === 0 ? ctx.moveTo(x(s.t), y(s.v)) : ctx.lineTo(x(s.t), y(s.v))));
    ctx.strokeStyle = lineColour;
    ctx.lineWidth = 2;
    ctx.lineJoin = 'round';
    ctx.stroke();
    ctx.restore();
  }

  const bitrateCanvas = $('bitrate-plot');
  const latencyCanvas = $('latency-plot');

  function drawPlots() {
    drawPlot(bitrateCanvas, bitrateSamples, {
      colour: plotColours.bitrate,
      format: (v) => (v >= 1000 ? `${(v / 1000).toFixed(v >= 10_000 ? 0 : 1)}M` : `${Math.round(v)}k`),
      minMax: 100,
    });
    drawPlot(latencyCanvas, latencySamples, {
      colour: plotColours.latency,
      format: (v) => `${v.toFixed(v < 10 ? 1 : 0)} s`,
      minMax: 1,
    });
  }

  // ---- start ---------------------------------------------------------------------------------

  // A getter, because a restart after a fatal error replaces the Hls instance.
  window.onairPlayer = {
    get hls() { return hls; },
    stats,
  };

  if (!streamName) {
    setStatus('No stream name in the address', 'Open a stream from the list.');
  } else if (typeof Hls !== 'undefined' && Hls.isSupported()) {
    startHls();
  } else if (video.canPlayType('application/vnd.apple.mpegurl')) {
    startNative();
  } else if (typeof Hls === 'undefined') {
    setStatus('The player could not load', '/assets/hls.min.js is missing.');
  } else {
    setStatus('This browser cannot play HLS', 'It supports neither Media Source Extensions nor native HLS.');
  }

  setInterval(updateStats, STATS_INTERVAL_MS);
  updateStats();
})();
