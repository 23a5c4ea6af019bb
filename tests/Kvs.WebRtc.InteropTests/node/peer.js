'use strict';
// Drives the official KVS JS SDK SignalingClient from Node as a master or a viewer.
// Configuration: one JSON object in the KVS_PEER_CONFIG environment variable:
//   {role: "MASTER"|"VIEWER", channelARN, channelEndpoint (wss://...), region, clientId?, accessKeyId,
//    secretAccessKey, sessionToken?}
// Events are written to stdout as one JSON object per line; commands are read from stdin, one JSON object per line:
//   {cmd: "sendSdpOffer"|"sendSdpAnswer", type, sdp, recipient?, correlationId?}
//   {cmd: "sendIceCandidate", candidate, sdpMid, sdpMLineIndex, recipient?}
//   {cmd: "close"}
// The process exits by itself after KVS_PEER_TIMEOUT_MS (default 60000) so it can never outlive a test.
globalThis.WebSocket = require('ws');
const readline = require('readline');
const { SignalingClient, Role } = require('amazon-kinesis-video-streams-webrtc');

const config = JSON.parse(process.env.KVS_PEER_CONFIG || '{}');
const emit = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');

const credentials = { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey };
if (config.sessionToken) credentials.sessionToken = config.sessionToken;

const client = new SignalingClient({
  channelARN: config.channelARN,
  channelEndpoint: config.channelEndpoint,
  role: config.role === 'MASTER' ? Role.MASTER : Role.VIEWER,
  clientId: config.role === 'MASTER' ? undefined : config.clientId,
  region: config.region,
  credentials,
  systemClockOffset: 0,
});

client.on('open', () => emit({ event: 'open' }));
client.on('sdpOffer', (o, sender) => emit({ event: 'sdpOffer', type: o.type, sdp: o.sdp, sender: sender || null }));
client.on('sdpAnswer', (a, sender) => emit({ event: 'sdpAnswer', type: a.type, sdp: a.sdp, sender: sender || null }));
client.on('iceCandidate', (c, sender) => emit({
  event: 'iceCandidate', candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex, sender: sender || null,
}));
client.on('statusResponse', (s) => emit({ event: 'statusResponse', status: s }));
client.on('error', (e) => emit({ event: 'error', message: String(e && e.message ? e.message : e) }));
client.on('close', () => { emit({ event: 'close' }); });

const rl = readline.createInterface({ input: process.stdin });
rl.on('line', (line) => {
  if (!line.trim()) return;
  let cmd;
  try {
    cmd = JSON.parse(line);
    switch (cmd.cmd) {
      case 'sendSdpOffer':
        client.sendSdpOffer({ type: cmd.type || 'offer', sdp: cmd.sdp }, cmd.recipient, cmd.correlationId);
        break;
      case 'sendSdpAnswer':
        client.sendSdpAnswer({ type: cmd.type || 'answer', sdp: cmd.sdp }, cmd.recipient, cmd.correlationId);
        break;
      case 'sendIceCandidate':
        client.sendIceCandidate(
          { candidate: cmd.candidate, sdpMid: cmd.sdpMid, sdpMLineIndex: cmd.sdpMLineIndex },
          cmd.recipient, cmd.correlationId);
        break;
      case 'close':
        client.close();
        setTimeout(() => process.exit(0), 200);
        return;
      default:
        emit({ event: 'error', message: 'unknown command ' + cmd.cmd });
        return;
    }
    emit({ event: 'sent', cmd: cmd.cmd });
  } catch (e) {
    emit({ event: 'error', message: String(e && e.message ? e.message : e) });
  }
});
rl.on('close', () => { client.close(); setTimeout(() => process.exit(0), 200); });

setTimeout(() => { emit({ event: 'timeout' }); process.exit(2); }, Number(process.env.KVS_PEER_TIMEOUT_MS || 60000));
client.open();
