// SPANMARK_COUCHDB mode: `/db/...` streamed to a CouchDB (3.x, or a cluster's
// load balancer) as `<target>/...`. Requests and answers pass unbuffered
// (continuous `_changes` feeds too), with their headers and cookies; only the
// hop-by-hop headers stop here and `Location` is rewritten back under `/db`.
import http from 'node:http';
import https from 'node:https';

const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer'];

function withoutHopByHop(headers) {
  const out = { ...headers };
  for (const h of HOP_BY_HOP) delete out[h];
  return out;
}

// `target`: the CouchDB's URL (any path prefix kept, credentials in it
// ignored: each request carries its sender's own). `mount`: where the API
// appears on this server ('/db').
export function proxyHandler(target, mount) {
  const base = new URL(target);
  const prefix = base.pathname.replace(/\/+$/, '');
  const client = base.protocol === 'https:' ? https : http;
  const upstreamRoot = `${base.protocol}//${base.host}${prefix}`;
  return (req, res) => {
    const up = client.request(
      {
        protocol: base.protocol,
        hostname: base.hostname,
        port: base.port,
        method: req.method,
        path: prefix + req.url,
        headers: { ...withoutHopByHop(req.headers), host: base.host },
      },
      (answer) => {
        const headers = withoutHopByHop(answer.headers);
        if (headers.location && headers.location.startsWith(upstreamRoot)) {
          headers.location = mount + headers.location.slice(upstreamRoot.length);
        }
        res.writeHead(answer.statusCode, answer.statusMessage, headers);
        answer.pipe(res);
      },
    );
    up.on('error', (e) => {
      if (!res.headersSent) {
        res.writeHead(502, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ error: 'bad_gateway', reason: `the CouchDB at ${upstreamRoot} did not answer: ${e.code || e.message}` }));
      } else {
        res.destroy();
      }
    });
    // A client that goes away (a closed tab's `_changes` feed) ends its
    // upstream request too.
    res.on('close', () => up.destroy());
    req.pipe(up);
  };
}
