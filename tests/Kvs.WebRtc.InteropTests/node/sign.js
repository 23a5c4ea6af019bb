'use strict';
// Signs presigned WebSocket URLs with the official KVS JS SDK's SigV4RequestSigner.
// Input (stdin): JSON array of {endpoint, region, service, accessKeyId, secretAccessKey, sessionToken?, date, queryParams}.
// Output (stdout): JSON array of {url} or {error} in the same order.
const { SigV4RequestSigner } = require('amazon-kinesis-video-streams-webrtc/lib/SigV4RequestSigner');

async function main() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const cases = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const out = [];
  for (const c of cases) {
    try {
      const credentials = { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey };
      if (c.sessionToken) credentials.sessionToken = c.sessionToken;
      const signer = new SigV4RequestSigner(c.region, credentials, c.service || 'kinesisvideo');
      out.push({ url: await signer.getSignedURL(c.endpoint, c.queryParams || {}, new Date(c.date)) });
    } catch (e) {
      out.push({ error: String(e && e.message ? e.message : e) });
    }
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => { process.stderr.write(String(e && e.stack ? e.stack : e)); process.exit(1); });
