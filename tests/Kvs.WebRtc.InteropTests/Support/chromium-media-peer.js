// Media peers for the interop tests, installed into a ChromiumPage by ChromiumMediaPeer.cs.
// window.kvsMedia holds named RTCPeerConnections; every function is bounded (no unbounded waits).
'use strict';
(() => {
  if (window.kvsMedia) return;

  const peers = {};
  const get = name => {
    const peer = peers[name];
    if (!peer) throw new Error('no media peer named ' + name);
    return peer;
  };

  // The four-quadrant test pattern (as tests/Kvs.WebRtc.Testing/Media): red, green / blue, white, with a moving
  // patch in the centre that never covers the quadrant centres. Drawn on a timer so captureStream emits frames.
  const testPattern = (width, height, fps) => {
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    document.body.appendChild(canvas);
    const ctx = canvas.getContext('2d');
    let n = 0;
    const draw = () => {
      const w = width / 2, h = height / 2;
      ctx.fillStyle = '#ff0000'; ctx.fillRect(0, 0, w, h);
      ctx.fillStyle = '#00ff00'; ctx.fillRect(w, 0, w, h);
      ctx.fillStyle = '#0000ff'; ctx.fillRect(0, h, w, h);
      ctx.fillStyle = '#ffffff'; ctx.fillRect(w, h, w, h);
      const pw = width * 0.15, ph = height * 0.13;
      const x = width * 0.35 + (n % 24) * width * 0.00625;
      ctx.fillStyle = n % 2 ? '#ffff00' : '#000000';
      ctx.fillRect(x, height / 2 - ph / 2, pw, ph);
      n++;
    };
    draw();
    const timer = setInterval(draw, 1000 / fps);
    const stream = canvas.captureStream(fps);
    return { stream, stop: () => { clearInterval(timer); canvas.remove(); } };
  };

  // Random noise (new every frame; 8x8-pixel blocks from 640 pixels wide, 2x2 below) on a width x height canvas: content
  // no encoder can compress below its target bitrate, so the sender is never application-limited (bandwidth tests).
  const noise = (width, height, fps) => {
    const block = width >= 640 ? 8 : 2;
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    document.body.appendChild(canvas);
    const ctx = canvas.getContext('2d');
    ctx.imageSmoothingEnabled = false;
    const small = document.createElement('canvas');
    small.width = Math.ceil(width / block);
    small.height = Math.ceil(height / block);
    const smallCtx = small.getContext('2d');
    const image = smallCtx.createImageData(small.width, small.height);
    const words = new Uint32Array(image.data.buffer);
    const draw = () => {
      for (let i = 0; i < words.length; i++) words[i] = (Math.random() * 0x1000000) | 0xff000000;
      smallCtx.putImageData(image, 0, 0);
      ctx.drawImage(small, 0, 0, width, height);
    };
    draw();
    const timer = setInterval(draw, 1000 / fps);
    const stream = canvas.captureStream(fps);
    return { stream, stop: () => { clearInterval(timer); canvas.remove(); } };
  };

  const create = (name) => {
    if (peers[name]) return;
    const pc = new RTCPeerConnection({ iceServers: [] });
    const video = document.createElement('video');
    video.id = name + '-video';
    video.muted = true; video.autoplay = true; video.playsInline = true;
    const audio = document.createElement('audio');
    audio.id = name + '-audio';
    audio.muted = true; audio.autoplay = true;
    document.body.append(video, audio);
    const peer = { pc, video, audio, local: [], cleanup: [], channels: [], log: [] };
    pc.ontrack = e => {
      const element = e.track.kind === 'video' ? video : audio;
      const stream = element.srcObject || new MediaStream();
      stream.addTrack(e.track);
      if (element.srcObject !== stream) element.srcObject = stream;
      element.play().catch(err => peer.log.push('play: ' + err));
      peer.log.push('track:' + e.track.kind);
    };
    pc.ondatachannel = e => { peer.channels.push(e.channel); peer.log.push('datachannel:' + e.channel.label); };
    peers[name] = peer;
  };

  const gathered = (pc, ms) => new Promise(resolve => {
    if (pc.iceGatheringState === 'complete') { resolve(); return; }
    const timer = setTimeout(resolve, ms);
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') { clearTimeout(timer); resolve(); }
    });
  });

  // Local media: the fake camera/microphone (getUserMedia) or the canvas test pattern (video only; audio then from the fake microphone).
  const localTracks = async (peer, wantAudio, wantVideo, source, width, height) => {
    const tracks = {};
    if (wantVideo && (source === 'testPattern' || source === 'noise')) {
      const pattern = source === 'noise' ? noise(width || 320, height || 240, 30) : testPattern(320, 240, 30);
      peer.cleanup.push(pattern.stop);
      tracks.video = pattern.stream.getVideoTracks()[0];
    }
    const gum = { audio: wantAudio, video: wantVideo && source === 'fakeCamera' ? { width: width || 320, height: height || 240, frameRate: 30 } : false };
    if (gum.audio || gum.video) {
      const stream = await navigator.mediaDevices.getUserMedia(gum);
      for (const t of stream.getTracks()) tracks[t.kind] = t;
    }
    for (const t of Object.values(tracks)) peer.local.push(t);
    return tracks;
  };

  const preferCodec = (transceiver, codec) => {
    if (!codec) return;
    const caps = RTCRtpReceiver.getCapabilities('video').codecs;
    const wanted = caps.filter(c => c.mimeType.toLowerCase() === 'video/' + codec.toLowerCase() &&
      (codec.toUpperCase() !== 'H264' || /profile-level-id=42e01f/i.test(c.sdpFmtpLine || '') && /packetization-mode=1/.test(c.sdpFmtpLine || '')));
    if (wanted.length === 0) throw new Error('Chromium has no video codec ' + codec);
    const rest = caps.filter(c => !wanted.includes(c));
    transceiver.setCodecPreferences([...wanted, ...rest]);
  };

  // maxBitrate (bit/s, optional) caps the send encoding; it may also lift the default cap libwebrtc derives from the resolution.
  const addTransceiver = (peer, kind, direction, track, codec, maxBitrate) => {
    if (direction === 'none') return;
    const sends = direction === 'sendrecv' || direction === 'sendonly';
    const transceiver = sends && track
      ? peer.pc.addTransceiver(track, maxBitrate ? { direction, sendEncodings: [{ maxBitrate }] } : { direction })
      : peer.pc.addTransceiver(kind, { direction });
    if (kind === 'video') preferCodec(transceiver, codec);
  };

  // The RTP stats of one type and kind in a getStats() report, with the codec's mimeType resolved through codecId; the
  // report with the most packets wins when there are several (e.g. more than one m-line of that kind). JSON, or ''
  // when there is none. Browser-neutral (the Firefox peer page uses it too).
  const pickRtpStats = (report, type, kind) => {
    let best = null;
    report.forEach(s => {
      if (s.type === type && s.kind === kind) {
        const packets = s.packetsReceived ?? s.packetsSent ?? 0;
        if (!best || packets > (best.packetsReceived ?? best.packetsSent ?? 0)) best = s;
      }
    });
    if (!best) return '';
    const codec = best.codecId ? report.get(best.codecId) : null;
    return JSON.stringify({ ...best, mimeType: codec ? codec.mimeType : '' });
  };

  // Average colour of a patch x patch square around each normalised point of a video element's current frame, or
  // null before the first decoded frame. Browser-neutral (the Firefox peer page uses it too).
  const sampleVideo = (video, points, patch) => {
    const w = video.videoWidth, h = video.videoHeight;
    if (!w || !h) return null;
    const canvas = document.createElement('canvas');
    canvas.width = w; canvas.height = h;
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    ctx.drawImage(video, 0, 0, w, h);
    return points.map(([x, y]) => {
      const half = Math.floor(patch / 2);
      const left = Math.max(0, Math.min(w - patch, Math.round(x * w) - half));
      const top = Math.max(0, Math.min(h - patch, Math.round(y * h) - half));
      const data = ctx.getImageData(left, top, patch, patch).data;
      let r = 0, g = 0, b = 0;
      for (let i = 0; i < data.length; i += 4) { r += data[i]; g += data[i + 1]; b += data[i + 2]; }
      const count = data.length / 4;
      return [Math.round(r / count), Math.round(g / count), Math.round(b / count)];
    });
  };

  window.kvsMedia = {
    create,

    offer: async (name, o) => {
      create(name);
      const peer = get(name);
      const sendsAudio = o.audio === 'sendrecv' || o.audio === 'sendonly';
      const sendsVideo = o.video === 'sendrecv' || o.video === 'sendonly';
      const tracks = await localTracks(peer, sendsAudio, sendsVideo, o.videoSource, o.width, o.height);
      addTransceiver(peer, 'audio', o.audio, tracks.audio, null, null);
      addTransceiver(peer, 'video', o.video, tracks.video, o.videoCodec, o.maxBitrate);
      if (o.dataChannel) peer.channels.push(peer.pc.createDataChannel('kvs'));
      if (o.maxBitrate) {
        // Keep the requested resolution when the CPU is short: a lower one would lower the bitrate the encoder may use.
        for (const t of peer.pc.getTransceivers()) {
          if (t.sender.track && t.sender.track.kind === 'video') t.sender.track.contentHint = 'detail';
        }
      }
      await peer.pc.setLocalDescription(await peer.pc.createOffer());
      await gathered(peer.pc, o.gatherMs);
      return peer.pc.localDescription.sdp;
    },

    answer: async (name, sdp, o) => {
      create(name);
      const peer = get(name);
      await peer.pc.setRemoteDescription({ type: 'offer', sdp });
      const tracks = await localTracks(peer, o.sendAudio, o.sendVideo, o.videoSource);
      for (const t of peer.pc.getTransceivers()) {
        const kind = t.receiver.track.kind;
        const track = tracks[kind];
        if (track && (t.direction === 'recvonly' || t.direction === 'sendrecv')) {
          await t.sender.replaceTrack(track);
          t.direction = 'sendrecv';
          delete tracks[kind];
        }
        if (kind === 'video' && o.videoCodec) preferCodec(t, o.videoCodec);
      }
      await peer.pc.setLocalDescription(await peer.pc.createAnswer());
      await gathered(peer.pc, o.gatherMs);
      return peer.pc.localDescription.sdp;
    },

    setAnswer: async (name, sdp) => { await get(name).pc.setRemoteDescription({ type: 'answer', sdp }); },

    state: name => {
      const pc = get(name).pc;
      return { connectionState: pc.connectionState, iceConnectionState: pc.iceConnectionState, signalingState: pc.signalingState };
    },

    log: name => get(name).log.slice(),

    // The RTP stats of one type and kind (see pickRtpStats).
    rtpStats: async (name, type, kind) => pickRtpStats(await get(name).pc.getStats(), type, kind),

    // The send-side bandwidth estimate (bit/s) of the selected candidate pair (availableOutgoingBitrate), 0 when none.
    availableOutgoingBitrate: async name => {
      let best = 0;
      (await get(name).pc.getStats()).forEach(s => {
        if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded' && s.availableOutgoingBitrate) best = Math.max(best, s.availableOutgoingBitrate);
      });
      return best;
    },

    // Average colour of a patch x patch square around each normalised point of the current video frame.
    sampleColours: (name, points, patch) => sampleVideo(get(name).video, points, patch),

    pickRtpStats,
    sampleVideo,

    close: name => {
      const peer = peers[name];
      if (!peer) return;
      peer.local.forEach(t => t.stop());
      peer.cleanup.forEach(f => f());
      peer.pc.close();
      peer.video.remove();
      peer.audio.remove();
      delete peers[name];
    },
  };
})();
