// A werift (TypeScript, independent implementation) SCTP peer for the Kvs.WebRtc SCTP interop tests. SCTP runs
// directly over UDP on 127.0.0.1 (no DTLS): each datagram carries one SCTP packet, as each DTLS record would.
// Usage: node werift-sctp-peer.js <client|server> [remotePort]
// Prints JSON lines: {"event":"listening","port":N}, {"event":"connected"},
// {"event":"data","stream":S,"ppid":P,"length":L,"sum":C}, {"event":"reset","streams":[...]}.
// Every received message is echoed back on the same stream with the same PPID.
'use strict';
const path = require('path');
const dgram = require('dgram');

const lib = path.resolve(__dirname, '..', 'node', 'node_modules', 'werift', 'lib');
const { SCTP } = require(path.join(lib, 'sctp', 'src'));

const [role, remotePortText] = process.argv.slice(2);
const emit = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
const socket = dgram.createSocket('udp4');
let remote = remotePortText ? { address: '127.0.0.1', port: Number(remotePortText) } : undefined;

const transport = {
  onData: undefined,
  send: (data) => new Promise((resolve, reject) => {
    if (!remote) { resolve(); return; }
    socket.send(data, remote.port, remote.address, (error) => (error ? reject(error) : resolve()));
  }),
  close: () => socket.close(),
};

socket.on('message', (message, rinfo) => {
  remote = remote || { address: rinfo.address, port: rinfo.port };
  if (transport.onData) transport.onData(message);
});

socket.bind(0, '127.0.0.1', async () => {
  emit({ event: 'listening', port: socket.address().port });
  const sctp = role === 'client' ? SCTP.client(transport, 5000) : SCTP.server(transport, 5000);
  sctp.stateChanged.connected.subscribe(() => emit({ event: 'connected' }));
  sctp.onReconfigStreams.subscribe((streams) => emit({ event: 'reset', streams }));
  sctp.onReceive.subscribe(async (streamId, ppid, data) => {
    let sum = 0;
    for (const b of data) sum = (sum + b) >>> 0;
    emit({ event: 'data', stream: streamId, ppid, length: data.length, sum });
    try {
      await sctp.send(streamId, ppid, data);
    } catch (error) {
      emit({ event: 'error', message: String(error) });
    }
  });
  try {
    await sctp.start(5000);
  } catch (error) {
    emit({ event: 'error', message: String(error) });
  }
});

process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
