// Holds N concurrent LL-HLS blocking playlist requests (_HLS_msn/_HLS_part for the next part) on one
// OnAir node, then reports when each was answered relative to the first answer (the part becoming
// ready), the status codes, and how long sending them took. Node's http module only: no packages.
//
// Usage: node blocking-load.mjs PLAYLIST_URL COUNT
import http from 'node:http';

const [url, countArg] = process.argv.slice(2);
const count = Number(countArg);
const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });

function get(target) {
  return new Promise((resolve, reject) => {
    const req = http.get(target, { agent }, res => {
      const chunks = [];
      res.on('data', c => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString(), at: performance.now() }));
    });
    req.on('error', reject);
    req.setTimeout(30000, () => req.destroy(new Error('timeout')));
  });
}

// The live edge now: the last part listed.
const playlist = (await get(url)).body;
const parts = [...playlist.matchAll(/#EXT-X-PART:[^\n]*URI="[^"]*-(\d+)\.(\d+)\.m4s"/g)];
const [, msn, part] = parts[parts.length - 1];
const next = `${url}?_HLS_msn=${msn}&_HLS_part=${Number(part) + 1}`;

const sendStart = performance.now();
const pending = [];
for (let i = 0; i < count; i++) pending.push(get(next).catch(e => ({ status: `error ${e.code ?? e.message}`, at: performance.now() })));
const sentAfter = performance.now() - sendStart;
const answers = await Promise.all(pending);

const statuses = {};
for (const a of answers) statuses[a.status] = (statuses[a.status] ?? 0) + 1;
const ok = answers.filter(a => a.status === 200).map(a => a.at).sort((a, b) => a - b);
const first = ok[0];
const spread = ok.map(at => at - first);
const pct = p => spread.length ? Math.round(spread[Math.min(spread.length - 1, Math.floor(p * spread.length))] * 10) / 10 : null;
console.log(JSON.stringify({
  requests: count, asked: `${msn}.${Number(part) + 1}`, statuses,
  sendMilliseconds: Math.round(sentAfter),
  answeredAfterFirstMs: { p50: pct(0.5), p95: pct(0.95), p99: pct(0.99), max: pct(1) },
}));
