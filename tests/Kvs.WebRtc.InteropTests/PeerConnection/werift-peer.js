// A werift (TypeScript WebRTC) peer for the data-channel interop tests, driven by JSON lines on stdin; events go to
// stdout as JSON lines. Every data channel echoes each message back (text as text, binary as binary).
// Run from tests/Kvs.WebRtc.InteropTests/node with NODE_PATH pointing at its node_modules.
const { RTCPeerConnection } = require('werift');
const readline = require('readline');

const emit = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
const pc = new RTCPeerConnection({ iceServers: [], iceUseIpv6: false, iceAdditionalHostAddresses: ['127.0.0.1'] });
const channels = {};

function wire(ch) {
  channels[ch.label] = ch;
  ch.stateChanged.subscribe((state) => emit({ event: state, label: ch.label }));
  ch.onMessage.subscribe((data) => {
    try { ch.send(data); } catch (err) { emit({ event: 'error', label: ch.label, message: String(err) }); }
  });
  if (ch.readyState === 'open') emit({ event: 'open', label: ch.label });
}

pc.onDataChannel.subscribe((ch) => wire(ch));
pc.connectionStateChange.subscribe((state) => emit({ event: 'connection', state }));

function gathered() {
  return new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') { resolve(); return; }
    const timer = setTimeout(resolve, 5000);
    pc.iceGatheringStateChange.subscribe((state) => { if (state === 'complete') { clearTimeout(timer); resolve(); } });
  });
}

async function handle(cmd) {
  switch (cmd.cmd) {
    case 'offer': {
      wire(pc.createDataChannel(cmd.label || 'werift'));
      await pc.setLocalDescription(await pc.createOffer());
      await gathered();
      emit({ event: 'offer', sdp: pc.localDescription.sdp });
      break;
    }
    case 'answer':
      await pc.setRemoteDescription({ type: 'answer', sdp: cmd.sdp });
      emit({ event: 'answered' });
      break;
    case 'acceptOffer': {
      await pc.setRemoteDescription({ type: 'offer', sdp: cmd.sdp });
      await pc.setLocalDescription(await pc.createAnswer());
      await gathered();
      emit({ event: 'answer', sdp: pc.localDescription.sdp });
      break;
    }
    case 'createChannel':
      wire(pc.createDataChannel(cmd.label));
      break;
    case 'close':
      channels[cmd.label].close();
      break;
    case 'exit':
      await pc.close();
      process.exit(0);
      break;
    default:
      emit({ event: 'error', message: 'unknown command ' + cmd.cmd });
  }
}

const rl = readline.createInterface({ input: process.stdin });
rl.on('line', (line) => { handle(JSON.parse(line)).catch((err) => emit({ event: 'error', message: String(err && err.stack || err) })); });
rl.on('close', () => process.exit(0));
emit({ event: 'ready' });
