'use strict';
// Drives headless Firefox ESR over WebDriver BiDi (puppeteer-core, never a browser download) as a WebRTC peer.
// Protocol: commands on stdin, events on stdout, one JSON object per line.
//   Commands carry an `id`; each gets exactly one {event: "result", id, value} or {event: "error", id, message}.
//     {id, cmd: "call", fn, args: [...]}   calls window.ff[fn](...args) in the page (see PAGE_HELPERS), awaits it
//                                          (media: remote tracks play in #remote-video/#remote-audio; rtpStats and
//                                          sampleColours reuse Support/chromium-media-peer.js, loaded into the page)
//     {id, cmd: "eval", expr}              evaluates a JS expression in the page (promises are awaited)
//     {cmd: "close"}                       closes Firefox and exits
//   Unsolicited events from the page: {event: "pc", what, ...} (state changes, candidates), {event: "channel", label, ...},
//   {event: "open"|"closed", label}, {event: "message", label, text | base64}, {event: "sentMany", label, count}.
// Environment: FIREFOX_PATH (default /usr/bin/firefox-esr), FIREFOX_PROFILE (a fresh empty directory the caller
// deletes), FIREFOX_PEER_TIMEOUT_MS (the process exits by itself after this, default 120000), FIREFOX_LOG_FILE
// (optional: MOZ_LOG output for signaling/ICE, for diagnosing).
//
// How Firefox is made to gather ICE candidates on loopback (see docs/interop-firefox.md):
//  * media.peerconnection.ice.loopback=true lets nICEr keep 127.0.0.1/::1 host candidates.
//  * A page without camera/microphone permission gathers only the "default address" (found by connecting a UDP
//    socket towards a public address); on a machine without a default route that fails and gathering never starts.
//    Persistent camera+microphone permissions for the page's origin lift that restriction (and mDNS obfuscation).
//    They are installed through permissions.manager.defaultsUrl, a file of "origin <perm> 1 <origin>" lines that
//    Firefox imports into a fresh profile. (An active fake getUserMedia stream does not count as capturing, and
//    WebDriver BiDi permissions.setPermission rejects "camera".)
//  * Firefox also gathers this machine's other addresses; nICEr never pairs a loopback candidate with a
//    non-loopback one, and the test filters Firefox's candidates to loopback before our stack sees them.
//  * network.dns.disabled and the dead-ended service URLs keep Firefox's own background traffic (remote settings)
//    off the network: only loopback connections remain.
const http = require('http');
const fs = require('fs');
const path = require('path');
const readline = require('readline');
const puppeteer = require('puppeteer-core');

const emit = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
const timeoutMs = Number(process.env.FIREFOX_PEER_TIMEOUT_MS || 120000);
const lifetime = setTimeout(() => { emit({ event: 'fatal', message: 'lifetime exceeded' }); shutdown(2); }, timeoutMs);

const PAGE = '<!doctype html><meta charset="utf-8"><title>kvs-webrtc firefox peer</title><body>firefox peer</body>';

// Runs in the page. window.ff holds one RTCPeerConnection and its channels; events go out through window.__emit.
const PAGE_HELPERS = `(() => {
  const emit = (o) => window.__emit(JSON.stringify(o));
  const b64 = (buf) => { let s = ''; const a = new Uint8Array(buf); for (let i = 0; i < a.length; i += 0x8000) s += String.fromCharCode.apply(null, a.subarray(i, i + 0x8000)); return btoa(s); };
  const unb64 = (t) => Uint8Array.from(atob(t), c => c.charCodeAt(0));
  const ff = { pc: null, channels: new Map(), echo: new Set(), local: [], log: [] };
  // Remote media plays in muted autoplay elements (the video one is what sampleColours reads).
  ff.video = document.createElement('video');
  ff.video.id = 'remote-video'; ff.video.muted = true; ff.video.autoplay = true; ff.video.playsInline = true;
  ff.audio = document.createElement('audio');
  ff.audio.id = 'remote-audio'; ff.audio.muted = true; ff.audio.autoplay = true;
  document.body.append(ff.video, ff.audio);
  ff.attach = (track) => {
    const element = track.kind === 'video' ? ff.video : ff.audio;
    const stream = element.srcObject || new MediaStream();
    stream.addTrack(track);
    if (element.srcObject !== stream) element.srcObject = stream;
    element.play().catch((err) => ff.log.push('play ' + track.kind + ': ' + err));
  };
  ff.wire = (ch) => {
    const pc = ff.pc;
    const say = (o) => { if (ff.pc === pc) emit(o); }; // nothing from a replaced peer connection
    ch.binaryType = 'arraybuffer';
    ff.channels.set(ch.label, ch);
    ch.onopen = () => say({ event: 'open', label: ch.label, id: ch.id });
    ch.onclose = () => say({ event: 'closed', label: ch.label });
    ch.onerror = (e) => say({ event: 'channelError', label: ch.label, message: String(e.error || e) });
    ch.onmessage = (m) => {
      if (ff.echo.has(ch.label)) { ch.send(m.data); return; }
      say(typeof m.data === 'string' ? { event: 'message', label: ch.label, text: m.data } : { event: 'message', label: ch.label, base64: b64(m.data) });
    };
    return ch;
  };
  ff.createPc = (config) => {
    // A new peer connection replaces the previous one (one browser can serve several tests).
    if (ff.pc) ff.closePc();
    ff.local.forEach((t) => t.stop());
    ff.local = []; ff.log = []; ff.channels = new Map(); ff.echo = new Set();
    ff.video.srcObject = null; ff.audio.srcObject = null;
    const pc = new RTCPeerConnection(config || { iceServers: [] });
    ff.pc = pc;
    const say = (o) => { if (ff.pc === pc) emit(o); };
    pc.onicecandidate = (e) => say({ event: 'pc', what: 'candidate', candidate: e.candidate ? e.candidate.candidate : null,
      sdpMid: e.candidate ? e.candidate.sdpMid : null, sdpMLineIndex: e.candidate ? e.candidate.sdpMLineIndex : null });
    pc.onicegatheringstatechange = () => say({ event: 'pc', what: 'iceGatheringState', state: pc.iceGatheringState });
    pc.oniceconnectionstatechange = () => say({ event: 'pc', what: 'iceConnectionState', state: pc.iceConnectionState });
    pc.onconnectionstatechange = () => say({ event: 'pc', what: 'connectionState', state: pc.connectionState });
    pc.ondatachannel = (e) => { ff.wire(e.channel); say({ event: 'channel', label: e.channel.label, id: e.channel.id, protocol: e.channel.protocol, ordered: e.channel.ordered }); };
    pc.ontrack = (e) => { ff.attach(e.track); say({ event: 'pc', what: 'track', kind: e.track.kind, mid: e.transceiver.mid }); };
    return true;
  };
  ff.createDataChannel = (label, init) => { ff.wire(ff.pc.createDataChannel(label, init || {})); return true; };
  ff.addTransceiver = (kind, init) => { ff.pc.addTransceiver(kind, init || {}); return true; };
  ff.addFakeMedia = async (constraints) => {
    const stream = await navigator.mediaDevices.getUserMedia(constraints || { audio: true, video: true });
    for (const t of stream.getTracks()) { ff.local.push(t); ff.pc.addTrack(t, stream); }
    return stream.getTracks().map(t => t.kind);
  };
  ff.gathered = (timeoutMs) => new Promise((resolve, reject) => {
    if (ff.pc.iceGatheringState === 'complete') { resolve(); return; }
    const timer = setTimeout(() => reject(new Error('ICE gathering did not complete (state ' + ff.pc.iceGatheringState + ')')), timeoutMs);
    ff.pc.addEventListener('icegatheringstatechange', () => { if (ff.pc.iceGatheringState === 'complete') { clearTimeout(timer); resolve(); } });
  });
  ff.createOffer = async (options, gatherMs) => {
    await ff.pc.setLocalDescription(await ff.pc.createOffer(options || {}));
    await ff.gathered(gatherMs || 10000);
    return ff.pc.localDescription.sdp;
  };
  ff.acceptOffer = async (sdp, gatherMs) => {
    await ff.pc.setRemoteDescription({ type: 'offer', sdp });
    await ff.pc.setLocalDescription(await ff.pc.createAnswer());
    await ff.gathered(gatherMs || 10000);
    return ff.pc.localDescription.sdp;
  };
  ff.setRemoteAnswer = async (sdp) => { await ff.pc.setRemoteDescription({ type: 'answer', sdp }); return true; };
  ff.addIceCandidate = async (candidate, sdpMid, sdpMLineIndex) => {
    await ff.pc.addIceCandidate(candidate === null ? null : { candidate, sdpMid, sdpMLineIndex });
    return true;
  };
  ff.send = (label, text, base64) => { ff.channels.get(label).send(base64 !== undefined && base64 !== null ? unb64(base64) : text); return true; };
  ff.sendMany = async (label, count, prefix) => {
    const ch = ff.channels.get(label);
    ch.bufferedAmountLowThreshold = 64 * 1024;
    for (let i = 0; i < count; i++) {
      while (ch.bufferedAmount > 256 * 1024) await new Promise(r => { ch.onbufferedamountlow = r; });
      ch.send(prefix + i);
    }
    emit({ event: 'sentMany', label, count });
    return count;
  };
  ff.setEcho = (label, on) => { if (on) ff.echo.add(label); else ff.echo.delete(label); return true; };
  ff.closeChannel = (label) => { ff.channels.get(label).close(); return true; };
  ff.closePc = () => { ff.pc.close(); return true; };
  ff.state = () => ({ signaling: ff.pc.signalingState, iceGathering: ff.pc.iceGatheringState, ice: ff.pc.iceConnectionState,
    connection: ff.pc.connectionState, sctp: ff.pc.sctp ? ff.pc.sctp.state : null, dtls: ff.pc.sctp ? ff.pc.sctp.transport.state : null });
  // Puts codecs of this MIME type (e.g. video/VP8) first on every transceiver of that kind (setCodecPreferences).
  ff.preferCodec = (kind, mimeType) => {
    const caps = RTCRtpReceiver.getCapabilities(kind).codecs;
    const wanted = caps.filter((c) => c.mimeType.toLowerCase() === mimeType.toLowerCase());
    if (wanted.length === 0) throw new Error('Firefox has no codec ' + mimeType);
    const order = [...wanted, ...caps.filter((c) => !wanted.includes(c))];
    let count = 0;
    for (const t of ff.pc.getTransceivers()) {
      if (t.receiver.track.kind === kind) { t.setCodecPreferences(order); count++; }
    }
    return count;
  };
  // Media checks shared with the Chromium media page (Support/chromium-media-peer.js, loaded into this page too).
  ff.rtpStats = async (type, kind) => window.kvsMedia.pickRtpStats(await ff.pc.getStats(), type, kind);
  ff.sampleColours = (points, patch) => window.kvsMedia.sampleVideo(ff.video, points, patch);
  ff.mediaLog = () => ff.log.slice();
  ff.stats = async () => { const out = []; (await ff.pc.getStats()).forEach(v => out.push(v)); return out; };
  window.ff = ff;
  return true;
})()`;

let browser = null;
let server = null;
let closing = false;

async function shutdown(code) {
  if (closing) return;
  closing = true;
  clearTimeout(lifetime);
  const force = setTimeout(() => process.exit(code), 5000);
  try {
    if (browser) await browser.close();
  } catch (e) {
    // Killed below with the process tree anyway.
  }
  if (server) server.close();
  clearTimeout(force);
  process.exit(code);
}

async function main() {
  server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', connection: 'close' });
    res.end(PAGE);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;

  const profile = process.env.FIREFOX_PROFILE || fs.mkdtempSync(path.join(require('os').tmpdir(), 'kvs-firefox-'));
  const permissions = path.join(profile, 'kvs-default-permissions.txt');
  fs.writeFileSync(permissions, `origin\tcamera\t1\t${origin}\norigin\tmicrophone\t1\t${origin}\n`);

  const env = Object.assign({}, process.env);
  if (process.env.FIREFOX_LOG_FILE) {
    env.MOZ_LOG = 'signaling:4,jsep:4,mtransport:4,timestamp';
    env.MOZ_LOG_FILE = process.env.FIREFOX_LOG_FILE;
  }

  browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: process.env.FIREFOX_PATH || '/usr/bin/firefox-esr',
    headless: true,
    userDataDir: profile,
    timeout: 30000,
    protocolTimeout: 30000,
    env,
    extraPrefsFirefox: {
      // WebRTC on loopback.
      'media.peerconnection.ice.loopback': true,
      'media.peerconnection.ice.obfuscate_host_addresses': false,
      'permissions.manager.defaultsUrl': 'file://' + permissions,
      'media.navigator.permission.disabled': true,
      'media.navigator.streams.fake': true,
      'media.autoplay.default': 0,
      // Nothing but loopback: no name resolution, no service endpoints.
      'network.dns.disabled': true,
      'network.trr.mode': 5,
      'network.captive-portal-service.enabled': false,
      'network.connectivity-service.enabled': false,
      'services.settings.server': 'http://127.0.0.1:9/',
      'browser.safebrowsing.provider.mozilla.updateURL': '',
      'network.predictor.enabled': false,
      'network.prefetch-next': false,
    },
  });
  const page = await browser.newPage();
  await page.exposeFunction('__emit', (json) => { process.stdout.write(json + '\n'); });
  await page.goto(origin + '/', { timeout: 20000 });
  // The browser-neutral media helpers of the Chromium media page (stats picking, pixel sampling), then ours.
  await page.evaluate(fs.readFileSync(path.join(__dirname, '..', 'Support', 'chromium-media-peer.js'), 'utf8'));
  await page.evaluate(PAGE_HELPERS);
  const proc = browser.process();
  emit({ event: 'ready', origin, version: await browser.version(), pid: proc ? proc.pid : null });

  const rl = readline.createInterface({ input: process.stdin });
  rl.on('close', () => shutdown(0));
  rl.on('line', async (line) => {
    if (!line.trim()) return;
    let cmd;
    try {
      cmd = JSON.parse(line);
    } catch (e) {
      emit({ event: 'error', id: null, message: 'bad command: ' + e.message });
      return;
    }
    try {
      let value;
      switch (cmd.cmd) {
        case 'call':
          value = await page.evaluate((fn, args) => window.ff[fn](...args), cmd.fn, cmd.args || []);
          break;
        case 'eval':
          value = await page.evaluate(cmd.expr);
          break;
        case 'close':
          await shutdown(0);
          return;
        default:
          throw new Error('unknown command ' + cmd.cmd);
      }
      emit({ event: 'result', id: cmd.id, value: value === undefined ? null : value });
    } catch (e) {
      emit({ event: 'error', id: cmd.id, message: String(e && e.message ? e.message : e) });
    }
  });
}

main().catch((e) => {
  emit({ event: 'fatal', message: String(e && e.stack ? e.stack : e) });
  shutdown(1);
});
