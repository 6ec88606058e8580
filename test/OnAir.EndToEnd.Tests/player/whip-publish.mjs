// Publishes the system Chromium's fake camera and microphone to a WHIP endpoint (RFC 9725), the way a
// browser page would, for a number of seconds, then ends the session with DELETE. Prints one JSON
// object on stdout: the WHIP answer's status and Location, the peer connection's states, and what
// the browser says it sent (codec, frames, bytes). Exit 0 whenever the page ran; 2 when it could not.
//
// Usage: node whip-publish.mjs ORIGIN NAME KEY [--seconds S] [--chromium PATH] [--no-delete]
//   ORIGIN: the OnAir HTTP origin (http://127.0.0.1:PORT): the page runs there, a secure context for getUserMedia.
import { chromium } from 'playwright-core';

const [origin, name, key, ...rest] = process.argv.slice(2);
const options = { seconds: 10, chromium: '/usr/bin/chromium', deleteAtEnd: true };
for (let i = 0; i < rest.length; i++) {
  if (rest[i] === '--seconds') options.seconds = Number(rest[++i]);
  else if (rest[i] === '--chromium') options.chromium = rest[++i];
  else if (rest[i] === '--no-delete') options.deleteAtEnd = false;
  else { console.error(`unexpected argument ${rest[i]}`); process.exit(2); }
}
if (!origin || !name || !key) { console.error('usage: node whip-publish.mjs ORIGIN NAME KEY [--seconds S]'); process.exit(2); }

let browser;
try {
  browser = await chromium.launch({
    executablePath: options.chromium,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--allow-loopback-in-peer-connection'],
  });
} catch (error) {
  console.error(`chromium did not start: ${error}`);
  process.exit(2);
}

try {
  const page = await browser.newPage();
  await page.goto(`${origin}/healthz`);
  const result = await page.evaluate(async ({ name, key, seconds, deleteAtEnd }) => {
    const report = { states: [], status: 0, location: null, error: null, outbound: {} };
    const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480, frameRate: 30 }, audio: true });
    const pc = new RTCPeerConnection();
    pc.onconnectionstatechange = () => report.states.push(pc.connectionState);
    for (const track of stream.getTracks()) pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
    await pc.setLocalDescription(await pc.createOffer());
    const response = await fetch(`/whip/${encodeURIComponent(name)}`, {
      method: 'POST', headers: { 'Content-Type': 'application/sdp', Authorization: `Bearer ${key}` }, body: pc.localDescription.sdp,
    });
    report.status = response.status;
    report.location = response.headers.get('Location');
    const body = await response.text();
    if (response.status !== 201) { report.error = body; return report; }
    await pc.setRemoteDescription({ type: 'answer', sdp: body });
    await new Promise(resolve => setTimeout(resolve, seconds * 1000));
    const stats = await pc.getStats();
    stats.forEach(s => {
      if (s.type === 'outbound-rtp') {
        const codec = stats.get(s.codecId);
        report.outbound[s.kind] = { codec: codec?.mimeType, packetsSent: s.packetsSent, bytesSent: s.bytesSent, framesEncoded: s.framesEncoded, keyFramesEncoded: s.keyFramesEncoded, pliCount: s.pliCount, nackCount: s.nackCount };
      }
    });
    if (deleteAtEnd && report.location) {
      report.deleteStatus = (await fetch(report.location, { method: 'DELETE' })).status;
    }
    pc.close();
    return report;
  }, { name, key, seconds: options.seconds, deleteAtEnd: options.deleteAtEnd });
  console.log(JSON.stringify(result));
} catch (error) {
  console.log(JSON.stringify({ error: String(error) }));
} finally {
  await browser.close();
}
