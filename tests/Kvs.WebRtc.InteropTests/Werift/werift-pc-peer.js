// A werift (TypeScript WebRTC) RTCPeerConnection driven over stdin/stdout in JSON lines, for the Kvs.WebRtc
// data-channel interop tests. Usage: node werift-pc-peer.js (working directory: tests/Kvs.WebRtc.InteropTests/node).
// Commands (stdin): {cmd:'channel',label,negotiated?,id?,ordered?} {cmd:'offer'} {cmd:'sdp',type,sdp}
//   {cmd:'candidate',candidate,sdpMid,sdpMLineIndex} {cmd:'send',label,text|base64}
//   {cmd:'sendMany',label,count} {cmd:'closeChannel',label} {cmd:'echo',label,on} {cmd:'closePc'} {cmd:'close'}
// Events (stdout): ready, sdp, candidate, state, channel, open, message, closed, sentMany, echo, pcClosed, error.
'use strict';
const path = require('path');
const readline = require('readline');
const { RTCPeerConnection } = require(path.resolve(__dirname, '..', 'node', 'node_modules', 'werift'));

const emit = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
const fail = (where, error) => emit({ event: 'error', where, message: String(error && error.stack ? error.stack : error) });
// Small queue (docs/INTEROP.md): werift stalls with large bufferedAmount.
const HIGH_WATER = 16 * 1024;

const pc = new RTCPeerConnection({ iceServers: [], iceUseIpv6: false, iceAdditionalHostAddresses: ['127.0.0.1'] });
const channels = new Map();
const echo = new Set();

// Bulk payload i: 4-byte little-endian index, then bytes (i ^ j) & 0xff; the length varies with i.
const bulkPayload = (i) => {
  const buffer = Buffer.alloc(8 + ((i * 37) % 1000));
  buffer.writeInt32LE(i, 0);
  for (let j = 4; j < buffer.length; j++) buffer[j] = (i ^ j) & 0xff;
  return buffer;
};

const wire = (channel) => {
  const label = channel.label;
  channels.set(label, channel);
  channel.bufferedAmountLowThreshold = HIGH_WATER / 2;
  const info = () => ({ label, id: channel.id, negotiated: channel.negotiated, ordered: channel.ordered, protocol: channel.protocol });
  if (channel.readyState === 'open') emit({ event: 'open', ...info() });
  channel.stateChanged.subscribe((state) => {
    if (state === 'open') emit({ event: 'open', ...info() });
    if (state === 'closed') emit({ event: 'closed', label });
  });
  channel.onMessage.subscribe((data) => {
    if (typeof data === 'string') {
      emit({ event: 'message', label, text: data });
    } else {
      emit({ event: 'message', label, base64: data.toString('base64') });
    }
    if (echo.has(label)) {
      try { channel.send(data); } catch (error) { fail('echo', error); }
    }
  });
  channel.error.subscribe((error) => fail('channel ' + label, error));
};

pc.onDataChannel.subscribe((channel) => {
  emit({ event: 'channel', label: channel.label, id: channel.id, ordered: channel.ordered, protocol: channel.protocol });
  wire(channel);
});
pc.onIceCandidate.subscribe((candidate) => {
  if (!candidate) { emit({ event: 'candidate', candidate: '' }); return; }
  const json = candidate.toJSON ? candidate.toJSON() : candidate;
  emit({ event: 'candidate', candidate: json.candidate, sdpMid: json.sdpMid, sdpMLineIndex: json.sdpMLineIndex });
});
pc.connectionStateChange.subscribe((state) => emit({ event: 'state', state }));

const sendMany = async (channel, count) => {
  for (let i = 0; i < count; i++) {
    while (channel.bufferedAmount > HIGH_WATER) {
      await new Promise((resolve) => {
        const sub = channel.bufferedAmountLow.subscribe(() => { sub.unSubscribe(); resolve(); });
        setTimeout(resolve, 50); // also poll, in case the event was missed
      });
    }
    channel.send(bulkPayload(i));
  }
  emit({ event: 'sentMany', label: channel.label, count });
};

const handle = async (msg) => {
  switch (msg.cmd) {
    case 'channel': {
      const options = { ordered: msg.ordered !== false };
      if (msg.negotiated) { options.negotiated = true; options.id = msg.id; }
      wire(pc.createDataChannel(msg.label, options));
      break;
    }
    case 'offer': {
      const offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      emit({ event: 'sdp', type: 'offer', sdp: pc.localDescription.sdp });
      break;
    }
    case 'sdp': {
      await pc.setRemoteDescription({ type: msg.type, sdp: msg.sdp });
      if (msg.type === 'offer') {
        const answer = await pc.createAnswer();
        await pc.setLocalDescription(answer);
        emit({ event: 'sdp', type: 'answer', sdp: pc.localDescription.sdp });
      }
      break;
    }
    case 'candidate':
      if (msg.candidate) {
        await pc.addIceCandidate({ candidate: msg.candidate, sdpMid: msg.sdpMid, sdpMLineIndex: msg.sdpMLineIndex });
      }
      break;
    case 'send': {
      const channel = channels.get(msg.label);
      channel.send(msg.base64 !== undefined ? Buffer.from(msg.base64, 'base64') : msg.text);
      break;
    }
    case 'sendMany':
      await sendMany(channels.get(msg.label), msg.count);
      break;
    case 'echo':
      if (msg.on) echo.add(msg.label); else echo.delete(msg.label);
      emit({ event: 'echo', label: msg.label, on: !!msg.on });
      break;
    case 'closeChannel':
      channels.get(msg.label).close();
      break;
    case 'closePc':
      await pc.close();
      emit({ event: 'pcClosed' });
      break;
    case 'close':
      await pc.close().catch(() => {});
      process.exit(0);
      break;
    default:
      fail('command', 'unknown command ' + msg.cmd);
  }
};

// Commands run one at a time, in order.
let chain = Promise.resolve();
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  if (!line.trim()) return;
  let msg;
  try { msg = JSON.parse(line); } catch (error) { fail('parse', error); return; }
  chain = chain.then(() => handle(msg)).catch((error) => fail(msg.cmd, error));
}).on('close', () => { pc.close().catch(() => {}).finally(() => process.exit(0)); });

emit({ event: 'ready' });
