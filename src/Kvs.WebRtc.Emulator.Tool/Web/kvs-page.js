// The browser page of `kvs-emulator --web`: a KVS WebRTC viewer or master built on the official KVS JS SDK's
// SignalingClient. The server resolves the channel and signs the WebSocket URL (api/connect, api/sign), so this page never
// sees an AWS secret. Tests and curious users read window.kvsPage: status, timeline (ms since start), messages, errors.
'use strict';
(() => {
  const $ = id => document.getElementById(id);
  const MAX_MESSAGES = 1000;
  const MAX_LOG_LINES = 500;

  let session = null; // { role, signaling, peers: Map(clientId -> { pc, channel }), local, t0 }

  const page = {
    status: 'idle',
    ready: false,
    role: null,
    config: null,
    timeline: {},
    messages: [],
    errors: [],
    start: options => start(options),
    stop: () => stop(),
    sendChat: text => sendChat(text),
    peerStates: () => session ? [...session.peers].map(([id, p]) => ({ clientId: id, state: p.pc.connectionState })) : [],
    rtpStats: (type, kind) => rtpStats(type, kind),
  };
  window.kvsPage = page;

  const log = text => {
    const line = `${new Date().toISOString().substring(11, 23)} ${text}\n`;
    const el = $('log');
    el.textContent = (el.textContent + line).split('\n').slice(-MAX_LOG_LINES).join('\n');
  };
  const setStatus = status => { page.status = status; $('status').textContent = status; log(`status: ${status}`); };
  const fail = (what, err) => {
    const text = `${what}: ${err && err.message ? err.message : err}`;
    page.errors.push(text);
    log(`ERROR ${text}`);
    if (page.status !== 'closed') setStatus(`error: ${text}`);
  };
  // The first time of each step since start, in milliseconds.
  const mark = step => {
    if (session && !(step in page.timeline)) {
      page.timeline[step] = Math.round(performance.now() - session.t0);
      log(`${step} at ${page.timeline[step]} ms`);
    }
  };

  async function api(operation, params) {
    const response = await fetch(`api/${operation}?${new URLSearchParams(params)}`, { cache: 'no-store' });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(body.error || `HTTP ${response.status}`);
    return body;
  }

  function readForm() {
    return {
      channel: $('channel').value.trim(),
      role: $('role').value,
      clientId: $('clientId').value.trim(),
      sendVideo: $('sendVideo').checked,
      sendAudio: $('sendAudio').checked,
      dataChannel: $('dataChannel').checked,
      echo: $('echo').checked,
      codec: $('codec').value,
    };
  }

  // Puts the wanted codec first in a transceiver's preferences (the answerer's order decides what is sent).
  function preferCodec(transceiver, codec) {
    if (!codec || !transceiver.setCodecPreferences) return;
    const all = RTCRtpReceiver.getCapabilities('video').codecs;
    const wanted = all.filter(c => c.mimeType.toLowerCase() === `video/${codec.toLowerCase()}`);
    if (wanted.length === 0) { log(`codec ${codec} not supported by this browser`); return; }
    transceiver.setCodecPreferences([...wanted, ...all.filter(c => !wanted.includes(c))]);
  }

  function newPeerConnection(iceServers, remoteId) {
    const pc = new RTCPeerConnection({ iceServers });
    pc.addEventListener('iceconnectionstatechange', () => {
      log(`${remoteId}: ICE ${pc.iceConnectionState}`);
      if (pc.iceConnectionState === 'connected' || pc.iceConnectionState === 'completed') mark('iceConnected');
    });
    pc.addEventListener('connectionstatechange', () => {
      log(`${remoteId}: connection ${pc.connectionState}`);
      if (pc.connectionState === 'connected') { mark('connected'); setStatus('connected'); }
      if (pc.connectionState === 'failed') fail(remoteId, 'peer connection failed');
    });
    pc.addEventListener('track', event => showRemoteTrack(event));
    return pc;
  }

  function showRemoteTrack(event) {
    mark(`${event.track.kind}Track`);
    const video = $('remote');
    if (!(video.srcObject instanceof MediaStream)) video.srcObject = new MediaStream();
    video.srcObject.addTrack(event.track);
    if (event.track.kind === 'video') {
      if (video.requestVideoFrameCallback) video.requestVideoFrameCallback(() => mark('firstFrame'));
      else video.addEventListener('loadeddata', () => mark('firstFrame'), { once: true });
    }
    video.play().catch(() => { /* autoplay may need a click; the stats still count */ });
  }

  function attachChannel(peer, channel, remoteId, echo) {
    peer.channel = channel;
    channel.addEventListener('open', () => { mark('dataChannelOpen'); log(`${remoteId}: data channel '${channel.label}' open`); });
    channel.addEventListener('message', event => {
      const text = typeof event.data === 'string' ? event.data : `(${event.data.byteLength ?? event.data.size} bytes)`;
      addMessage(remoteId, text);
      if (echo && typeof event.data === 'string') channel.send(event.data);
    });
  }

  function addMessage(from, text) {
    if (page.messages.length >= MAX_MESSAGES) page.messages.shift();
    page.messages.push({ from, text, at: session ? Math.round(performance.now() - session.t0) : 0 });
    const item = document.createElement('li');
    item.textContent = `${from}: ${text}`;
    $('messages').appendChild(item);
  }

  function makeSignaling(info, role, clientId) {
    // The SDK's RequestSigner contract: the server signs, with its own clock (the page's date is not needed).
    const requestSigner = {
      getSignedURL: async (endpoint, queryParams) => {
        const params = { endpoint, channelArn: queryParams['X-Amz-ChannelARN'], role };
        if (queryParams['X-Amz-ClientId']) params.clientId = queryParams['X-Amz-ClientId'];
        return (await api('sign', params)).url;
      },
    };
    const signaling = new KVSWebRTC.SignalingClient({
      channelARN: info.channelArn,
      channelEndpoint: info.wssEndpoint,
      region: info.region,
      role: role === 'master' ? KVSWebRTC.Role.MASTER : KVSWebRTC.Role.VIEWER,
      clientId: role === 'master' ? undefined : clientId,
      requestSigner,
    });
    signaling.on('statusResponse', status => fail('signaling refused a message', JSON.stringify(status)));
    signaling.on('error', err => fail('signaling', err && err.message ? err : 'WebSocket error'));
    signaling.on('close', () => log('signaling closed'));
    return signaling;
  }

  async function startViewer(o, info) {
    const peer = { pc: newPeerConnection(info.iceServers, 'MASTER'), channel: null };
    session.peers.set('MASTER', peer);
    const { pc } = peer;
    const video = session.local?.getVideoTracks()[0];
    const audio = session.local?.getAudioTracks()[0];
    const videoTransceiver = video
      ? pc.addTransceiver(video, { direction: 'sendrecv', streams: [session.local] })
      : pc.addTransceiver('video', { direction: 'recvonly' });
    if (audio) pc.addTransceiver(audio, { direction: 'sendrecv', streams: [session.local] });
    else pc.addTransceiver('audio', { direction: 'recvonly' });
    preferCodec(videoTransceiver, o.codec);
    if (o.dataChannel) attachChannel(peer, pc.createDataChannel('kvsDataChannel'), 'MASTER', false);

    const signaling = session.signaling = makeSignaling(info, 'viewer', o.clientId);
    pc.addEventListener('icecandidate', ({ candidate }) => { if (candidate) signaling.sendIceCandidate(candidate); });
    signaling.on('open', async () => {
      mark('signalingOpen');
      setStatus('signaling open, offering');
      try {
        await pc.setLocalDescription(await pc.createOffer());
        signaling.sendSdpOffer(pc.localDescription);
        mark('offerSent');
      } catch (err) { fail('offer', err); }
    });
    signaling.on('sdpAnswer', answer => {
      mark('answerReceived');
      pc.setRemoteDescription(answer).catch(err => fail('answer', err));
    });
    signaling.on('iceCandidate', candidate => pc.addIceCandidate(candidate).catch(err => fail('remote candidate', err)));
    signaling.open();
  }

  async function startMaster(o, info) {
    const signaling = session.signaling = makeSignaling(info, 'master');
    signaling.on('open', () => { mark('signalingOpen'); setStatus('waiting for viewers'); });
    signaling.on('sdpOffer', (offer, remoteId) => {
      mark('offerReceived');
      log(`offer from ${remoteId}`);
      session.peers.get(remoteId)?.pc.close();
      const peer = { pc: newPeerConnection(info.iceServers, remoteId), channel: null };
      session.peers.set(remoteId, peer);
      const { pc } = peer;
      pc.addEventListener('icecandidate', ({ candidate }) => { if (candidate) signaling.sendIceCandidate(candidate, remoteId); });
      pc.addEventListener('datachannel', event => attachChannel(peer, event.channel, remoteId, o.echo));
      // Synchronously first, so that candidates the SDK emits right after the offer queue behind it.
      const applied = pc.setRemoteDescription(offer);
      (async () => {
        await applied;
        for (const track of session.local?.getTracks() ?? []) pc.addTrack(track, session.local);
        const videoTransceiver = pc.getTransceivers().find(t => t.receiver.track.kind === 'video');
        if (videoTransceiver) preferCodec(videoTransceiver, o.codec);
        await pc.setLocalDescription(await pc.createAnswer());
        signaling.sendSdpAnswer(pc.localDescription, remoteId);
        mark('answerSent');
      })().catch(err => fail(`answer to ${remoteId}`, err));
    });
    signaling.on('iceCandidate', (candidate, remoteId) => {
      session.peers.get(remoteId)?.pc.addIceCandidate(candidate).catch(err => fail('remote candidate', err));
    });
    signaling.open();
  }

  async function start(options) {
    if (session) stop();
    // A master sends camera and microphone unless told otherwise; a viewer only receives.
    const form = readForm();
    const role = options?.role ?? form.role;
    const o = options ? { ...form, sendVideo: role === 'master', sendAudio: role === 'master', ...options } : form;
    if (o.role !== 'master' && !o.clientId) o.clientId = `web-${Math.random().toString(36).substring(2, 10)}`;
    page.role = o.role;
    page.timeline = {};
    page.errors = [];
    session = { role: o.role, signaling: null, peers: new Map(), local: null, t0: performance.now() };
    $('start').disabled = true;
    $('stop').disabled = false;
    setStatus('connecting');
    try {
      if (typeof KVSWebRTC === 'undefined') throw new Error(page.config?.jsSdkHint || 'the KVS JS SDK did not load');
      const info = await api('connect', o.role === 'master' ? { channel: o.channel, role: 'master' } : { channel: o.channel, role: 'viewer', clientId: o.clientId });
      mark('endpointResolved');
      log(`channel ${info.channelArn}, ${info.iceServers.length} ICE server(s)`);
      if (o.sendVideo || o.sendAudio) {
        session.local = await navigator.mediaDevices.getUserMedia({ video: !!o.sendVideo, audio: !!o.sendAudio });
        $('local').srcObject = session.local;
        mark('localMedia');
      }
      if (o.role === 'master') await startMaster(o, info);
      else await startViewer(o, info);
    } catch (err) {
      fail('start', err);
    }
  }

  function stop() {
    if (!session) return;
    session.signaling?.close();
    for (const peer of session.peers.values()) peer.pc.close();
    session.local?.getTracks().forEach(t => t.stop());
    $('remote').srcObject = null;
    $('local').srcObject = null;
    session = null;
    $('start').disabled = false;
    $('stop').disabled = true;
    setStatus('closed');
  }

  function sendChat(text) {
    let sent = 0;
    for (const peer of session?.peers.values() ?? []) {
      if (peer.channel?.readyState === 'open') { peer.channel.send(text); sent++; }
    }
    if (sent > 0) addMessage('me', text);
    else log('no open data channel to send on');
    return sent;
  }

  // The inbound/outbound RTP stats of one kind over every peer (the one with most packets), with its codec's mimeType.
  async function rtpStats(type, kind) {
    let best = null;
    for (const peer of session?.peers.values() ?? []) {
      const report = await peer.pc.getStats();
      report.forEach(s => {
        if (s.type !== type || s.kind !== kind) return;
        const packets = s.packetsReceived ?? s.packetsSent ?? 0;
        if (!best || packets > (best.stats.packetsReceived ?? best.stats.packetsSent ?? 0)) {
          best = { stats: s, codec: s.codecId ? report.get(s.codecId) : null };
        }
      });
    }
    return best ? JSON.stringify({ ...best.stats, mimeType: best.codec ? best.codec.mimeType : '' }) : '';
  }

  // Query parameters fill the form (?channel=&role=&clientId=&sendVideo=1&codec=H264&autostart=1).
  function applyQuery() {
    const q = new URLSearchParams(location.search);
    for (const id of ['channel', 'role', 'clientId', 'codec']) if (q.has(id)) $(id).value = q.get(id);
    $('sendVideo').checked = $('sendAudio').checked = $('role').value === 'master';
    for (const id of ['sendVideo', 'sendAudio', 'dataChannel', 'echo']) if (q.has(id)) $(id).checked = q.get(id) === '1';
    return q.get('autostart') === '1';
  }

  $('settings').addEventListener('submit', event => { event.preventDefault(); start(); });
  $('stop').addEventListener('click', () => stop());
  $('chat').addEventListener('submit', event => {
    event.preventDefault();
    const text = $('message').value;
    if (text && sendChat(text) > 0) $('message').value = '';
  });
  $('role').addEventListener('change', () => {
    const master = $('role').value === 'master';
    $('sendVideo').checked = master;
    $('sendAudio').checked = master;
  });

  (async () => {
    const autostart = applyQuery();
    try {
      page.config = await api('config', {});
      $('target').textContent = `${page.config.target} (${page.config.region})`;
      if (!page.config.jsSdk || typeof KVSWebRTC === 'undefined') {
        $('sdk-missing').textContent = page.config.jsSdkHint || 'The KVS JS SDK (kvs-webrtc.min.js) did not load.';
        $('sdk-missing').hidden = false;
        $('start').disabled = true;
        setStatus('missing KVS JS SDK');
        return;
      }
      page.ready = true;
      if (autostart) start();
    } catch (err) {
      fail('config', err);
    }
  })();
})();
