// OnAir dashboard: the table of streams at /.
//
// The server pushes lifecycle changes and a viewer count every 5 s over Server-Sent Events
// (/api/v1/events). Rather than patching rows from each event's partial data, every event just
// triggers a re-fetch of /api/v1/streams, so the table always shows one consistent snapshot and
// there is a single rendering path. Re-fetches are throttled to one per second because a burst of
// events (a publisher reconnecting, several renditions appearing) would otherwise hammer the API.
// When the event stream is down, a 5 s poll takes over until it comes back.
'use strict';

(() => {
  const STREAMS_URL = '/api/v1/streams';
  const RECORDINGS_URL = '/api/v1/recordings';
  const EVENTS_URL = '/api/v1/events';
  const EVENT_NAMES = ['stream.started', 'stream.reconnecting', 'stream.resumed', 'stream.rendition_added', 'stream.ended', 'viewers'];
  const MIN_FETCH_INTERVAL_MS = 1000;
  const FALLBACK_POLL_MS = 5000;
  const RECORDINGS_POLL_MS = 5000;
  // EventSource gives up for good on a non-SSE answer (401/403 from a locked API); try a fresh one this often.
  const EVENTSOURCE_RETRY_MS = 30000;
  const STATE_ORDER = { live: 0, reconnecting: 1, ended: 2 };

  const tbody = document.querySelector('#streams tbody');
  const recordingsBody = document.querySelector('#recordings tbody');
  const summaryEl = document.getElementById('summary');
  const errorEl = document.getElementById('error');
  const connectionEl = document.getElementById('connection');

  // Stream names are chosen by publishers: everything that reaches innerHTML goes through this.
  const escapeHtml = (value) => String(value ?? '').replace(/[&<>"']/g, (c) => (
    { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));

  const number = (value, digits = 0) => Number.isFinite(value)
    ? value.toLocaleString(undefined, { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : '—';

  function formatDuration(ms) {
    if (!Number.isFinite(ms) || ms < 0) return '—';
    let s = Math.floor(ms / 1000);
    const d = Math.floor(s / 86400); s -= d * 86400;
    const h = Math.floor(s / 3600); s -= h * 3600;
    const m = Math.floor(s / 60); s -= m * 60;
    const pad = (n) => String(n).padStart(2, '0');
    const clock = `${h}:${pad(m)}:${pad(s)}`;
    return d > 0 ? `${d}d ${clock}` : clock;
  }

  function renditionsHtml(renditions) {
    if (!Array.isArray(renditions) || renditions.length === 0) return '<span class="muted">none yet</span>';
    return renditions.map((r) => {
      // Width/height stay 0 until the packager has seen the rendition's first keyframe.
      const size = r.width > 0 && r.height > 0 ? ` ${r.width}x${r.height}` : '';
      const kbps = r.bandwidth > 0 ? ` <span class="muted">${number(r.bandwidth / 1000)} kbit/s</span>` : '';
      return `<span class="rendition"><b>${escapeHtml(r.name)}</b>${escapeHtml(size)}${kbps}</span>`;
    }).join('<span class="sep">, </span>');
  }

  function ingestHtml(ingest) {
    if (!ingest) return '—';
    return `${number(ingest.bitrateKbps)} kbit/s<br><span class="muted">${number(ingest.fps, 1)} fps</span>`;
  }

  function transcoderHtml(t) {
    // No transcoder means the source is re-packaged as is: a normal, cheap mode, not an error.
    if (!t) return '<span class="muted">passthrough</span>';
    const state = String(t.state ?? '');
    // Under 1x the transcoder falls further behind live with every second; make that stand out.
    const slow = state === 'running' && Number.isFinite(t.speed) && t.speed > 0 && t.speed < 1;
    const parts = [`<span class="tstate tstate-${escapeHtml(state)}">${escapeHtml(state.replace(/_/g, ' '))}</span>`];
    if (Number.isFinite(t.speed) && t.speed > 0) parts.push(`<span class="${slow ? 'warn' : ''}">${number(t.speed, 2)}x</span>`);
    if (Number.isFinite(t.lagSeconds)) parts.push(`<span class="muted">lag ${number(t.lagSeconds, 2)} s</span>`);
    if (t.restarts > 0) parts.push(`<span class="warn">${number(t.restarts)} restart${t.restarts === 1 ? '' : 's'}</span>`);
    return parts.join(' · ');
  }

  function rowHtml(s) {
    const name = String(s.name ?? '');
    const path = encodeURIComponent(name);
    const state = STATE_ORDER[s.state] !== undefined ? s.state : 'unknown';
    const node = s.node ? `<div class="muted small">node ${escapeHtml(s.node)}</div>` : '';
    // Uptime is left empty here and filled by tickUptimes(), so it can count every second without
    // re-rendering rows (and so an unchanged snapshot produces identical HTML and no DOM churn).
    return `<tr data-stream="${escapeHtml(name)}" class="state-${state}">`
      + `<td class="name"><a href="/watch/${escapeHtml(path)}">${escapeHtml(name)}</a>`
      + ` <a class="muted small" href="/live/${escapeHtml(path)}/master.m3u8" title="HLS master playlist">m3u8</a>${node}</td>`
      + `<td><span class="badge badge-${state}">${escapeHtml(s.state)}</span></td>`
      + `<td class="num">${number(s.viewers)}</td>`
      + `<td class="renditions">${renditionsHtml(s.renditions)}</td>`
      + `<td class="num">${ingestHtml(s.ingest)}</td>`
      + `<td>${transcoderHtml(s.transcoder)}</td>`
      + `<td class="num">${number(s.reconnects)}</td>`
      + `<td class="num uptime" data-started="${escapeHtml(s.startedAt ?? '')}" data-ended="${escapeHtml(s.endedAt ?? '')}"></td>`
      + '</tr>';
  }

  function emptyHtml() {
    const command = `ffmpeg -re -i input.mp4 -c copy -f flv rtmp://${location.hostname}:1935/live/STREAM_KEY`;
    return `<tr class="placeholder"><td colspan="8">No live streams. Publish with: <code>${escapeHtml(command)}</code></td></tr>`;
  }

  let lastBodyHtml = '';

  function render(streams) {
    const sorted = [...streams].sort((a, b) =>
      (STATE_ORDER[a.state] ?? 9) - (STATE_ORDER[b.state] ?? 9) || String(a.name).localeCompare(String(b.name)));
    const html = sorted.length === 0 ? emptyHtml() : sorted.map(rowHtml).join('');
    if (html !== lastBodyHtml) {
      tbody.innerHTML = html;
      lastBodyHtml = html;
      tickUptimes();
    }
    const live = sorted.filter((s) => s.state === 'live').length;
    const viewers = sorted.reduce((sum, s) => sum + (Number(s.viewers) || 0), 0);
    summaryEl.textContent = `${live} live · ${sorted.length} listed · ${viewers} viewer${viewers === 1 ? '' : 's'}`;
  }

  // ---- recordings ----------------------------------------------------------------------------

  function recordingRowHtml(r) {
    const id = String(r.id ?? '');
    const state = String(r.state ?? '');
    const size = Number.isFinite(r.sizeBytes) ? `${number(r.sizeBytes / 1048576, 1)} MiB` : '—';
    const watch = `/watch/${encodeURIComponent(String(r.stream ?? ''))}?recording=${encodeURIComponent(id)}`;
    // A ready recording plays in the player (VOD HLS) or downloads as one MP4; one still recording has neither yet.
    const play = r.master
      ? `<a href="${escapeHtml(watch)}">watch</a> · <a href="${escapeHtml(r.mp4)}">mp4</a>`
      : '<span class="muted">when it ends</span>';
    const problem = r.error ? `<div class="warn small">${escapeHtml(r.error)}</div>` : '';
    const clip = r.clipOf ? `<div class="muted small">clip of ${escapeHtml(r.clipOf)}</div>` : '';
    return `<tr data-recording="${escapeHtml(id)}">`
      + `<td class="name">${escapeHtml(id)}${clip}${problem}</td>`
      + `<td><span class="badge badge-${escapeHtml(state)}">${escapeHtml(state)}</span></td>`
      + `<td>${escapeHtml(r.startedAt ? new Date(r.startedAt).toLocaleString() : '—')}</td>`
      + `<td class="num">${formatDuration(r.durationSeconds * 1000)}</td>`
      + `<td class="num">${size}</td>`
      + `<td class="renditions">${renditionsHtml(r.renditions)}</td>`
      + `<td>${play}</td>`
      + '</tr>';
  }

  let lastRecordingsHtml = '';

  async function fetchRecordings() {
    try {
      const response = await fetch(RECORDINGS_URL, { cache: 'no-store', headers: { Accept: 'application/json' } });
      const body = await response.json().catch(() => null);
      if (!response.ok || !Array.isArray(body)) return; // the streams table reports API errors
      const html = body.length === 0
        ? '<tr class="placeholder"><td colspan="7">No recordings. Start the server with --record to keep every broadcast.</td></tr>'
        : [...body].reverse().map(recordingRowHtml).join(''); // newest first
      if (html !== lastRecordingsHtml) {
        recordingsBody.innerHTML = html;
        lastRecordingsHtml = html;
      }
    } catch {
      // A network error shows in the streams table's error line; the next refresh tries again.
    }
  }

  function tickUptimes() {
    const now = Date.now();
    for (const cell of tbody.querySelectorAll('td.uptime')) {
      const started = Date.parse(cell.dataset.started);
      // An ended stream's uptime stops at its end instead of growing while it is still listed.
      const ended = cell.dataset.ended ? Date.parse(cell.dataset.ended) : NaN;
      const text = formatDuration((Number.isFinite(ended) ? ended : now) - started);
      if (cell.textContent !== text) cell.textContent = text;
    }
  }

  function showError(message) {
    errorEl.hidden = !message;
    errorEl.textContent = message || '';
  }

  // ---- fetching, throttled -------------------------------------------------------------------

  let lastFetchAt = 0;
  let fetchTimer = null;
  let inFlight = false;
  let fetchAgain = false;

  async function fetchStreams() {
    if (inFlight) { fetchAgain = true; return; }
    inFlight = true;
    lastFetchAt = Date.now();
    try {
      const response = await fetch(STREAMS_URL, { cache: 'no-store', headers: { Accept: 'application/json' } });
      const body = await response.json().catch(() => null);
      if (!response.ok) {
        // The API answers {"error": {"code", "message"}}; its message says what to do (e.g. set a token).
        throw new Error(body?.error?.message || `${STREAMS_URL} answered HTTP ${response.status}`);
      }
      if (!Array.isArray(body)) throw new Error(`${STREAMS_URL} did not return a JSON array`);
      render(body);
      fetchRecordings(); // a stream that ended becomes a recording: refresh both together
      showError('');
      connectionEl.dataset.updated = new Date().toLocaleTimeString();
      updateConnectionLabel();
    } catch (err) {
      showError(`Could not load streams: ${err.message}`);
    } finally {
      inFlight = false;
      if (fetchAgain) { fetchAgain = false; scheduleFetch(); }
    }
  }

  function scheduleFetch() {
    if (fetchTimer !== null) return; // one already pending: it will pick up this change too
    const wait = Math.max(0, lastFetchAt + MIN_FETCH_INTERVAL_MS - Date.now());
    fetchTimer = setTimeout(() => { fetchTimer = null; fetchStreams(); }, wait);
  }

  // ---- live updates --------------------------------------------------------------------------

  let source = null;
  let pollTimer = null;
  let reopenTimer = null;

  function updateConnectionLabel() {
    const mode = source && source.readyState === EventSource.OPEN ? 'live updates'
      : pollTimer !== null ? `polling every ${FALLBACK_POLL_MS / 1000} s` : 'connecting…';
    const updated = connectionEl.dataset.updated ? ` · updated ${connectionEl.dataset.updated}` : '';
    connectionEl.textContent = mode + updated;
    connectionEl.classList.toggle('connection-live', mode === 'live updates');
  }

  function startPolling() {
    if (pollTimer === null) pollTimer = setInterval(scheduleFetch, FALLBACK_POLL_MS);
  }

  function stopPolling() {
    if (pollTimer !== null) { clearInterval(pollTimer); pollTimer = null; }
  }

  function openEvents() {
    if (!('EventSource' in window)) { startPolling(); updateConnectionLabel(); return; }
    source = new EventSource(EVENTS_URL);
    source.onopen = () => {
      stopPolling();
      // Events may have been missed while disconnected: catch up once.
      scheduleFetch();
      updateConnectionLabel();
    };
    source.onerror = () => {
      startPolling();
      if (source.readyState === EventSource.CLOSED && reopenTimer === null) {
        // The browser will not retry a closed EventSource by itself.
        reopenTimer = setTimeout(() => { reopenTimer = null; openEvents(); }, EVENTSOURCE_RETRY_MS);
      }
      updateConnectionLabel();
    };
    for (const name of EVENT_NAMES) source.addEventListener(name, scheduleFetch);
  }

  fetchStreams();
  openEvents();
  setInterval(tickUptimes, 1000);
  // Recordings change without a stream event (one becomes ready a moment after its stream ended).
  setInterval(fetchRecordings, RECORDINGS_POLL_MS);
})();
