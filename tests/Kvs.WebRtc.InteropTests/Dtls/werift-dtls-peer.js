// A werift (TypeScript, independent implementation) DTLS 1.2 peer for the Kvs.WebRtc DTLS interop tests.
// Usage: node werift-dtls-peer.js <client|server> <certPem> <keyPem> [remotePort]
// Prints JSON lines: {"event":"listening","port":N}, {"event":"connected","keys":"HEX"}, {"event":"data","text":"..."},
// {"event":"error","message":"..."}. Each stdin line is sent as one application data record.
'use strict';
const path = require('path');
const fs = require('fs');
const dgram = require('dgram');
const readline = require('readline');

const lib = path.resolve(__dirname, '..', 'node', 'node_modules', 'werift', 'lib');
const { DtlsClient, DtlsServer } = require(path.join(lib, 'dtls', 'src'));

const [role, certPath, keyPath, remotePortText] = process.argv.slice(2);
const emit = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
const socket = dgram.createSocket('udp4');
let remote = remotePortText ? { address: '127.0.0.1', port: Number(remotePortText) } : undefined;

// The minimal Transport werift's DTLS needs: onData is assigned by werift, send goes to the learned peer.
const transport = {
  type: 'udp',
  closed: false,
  address: undefined,
  onData: () => {},
  send: (data) => new Promise((resolve, reject) => {
    if (!remote) { resolve(); return; }
    socket.send(data, remote.port, remote.address, (error) => (error ? reject(error) : resolve()));
  }),
  close: async () => { transport.closed = true; socket.close(); },
};

socket.on('message', (message, rinfo) => {
  remote = remote || { address: rinfo.address, port: rinfo.port };
  transport.onData(message, [rinfo.address, rinfo.port]);
});

socket.bind(0, '127.0.0.1', () => {
  transport.address = socket.address();
  emit({ event: 'listening', port: socket.address().port });
  const options = {
    transport,
    cert: fs.readFileSync(certPath, 'utf8'),
    key: fs.readFileSync(keyPath, 'utf8'),
    signatureHash: { hash: 4, signature: 3 }, // sha256 + ecdsa
    srtpProfiles: [1],
    certificateRequest: true,
    extendedMasterSecret: true,
  };
  const dtls = role === 'client' ? new DtlsClient(options) : new DtlsServer(options);
  dtls.onConnect.subscribe(() => {
    emit({ event: 'connected', keys: dtls.exportKeyingMaterial('EXTRACTOR-dtls_srtp', 60).toString('hex') });
  });
  dtls.onData.subscribe((data) => emit({ event: 'data', text: data.toString('utf8') }));
  dtls.onError.subscribe((error) => emit({ event: 'error', message: String(error) }));
  readline.createInterface({ input: process.stdin }).on('line', (line) => {
    dtls.send(Buffer.from(line, 'utf8')).catch((error) => emit({ event: 'error', message: String(error) }));
  });
  if (role === 'client') {
    dtls.connect().catch((error) => emit({ event: 'error', message: String(error) }));
  }
});
