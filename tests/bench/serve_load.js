// Load test of `portraitseg serve`: N requests from C concurrent keep-alive clients on loopback.
//   node serve_load.js URL PID [--requests 5000] [--concurrency 8] [--path '/api/remove?om=true'] PHOTO...
// Each request posts one of the photos (in turn) as the raw body. Reports throughput, latency percentiles, the
// answers by status, and the server's resident memory (VmRSS of PID) after the first 100 requests and at the end.
// Prints one JSON object.
'use strict';
const fs = require('fs');
const http = require('http');

function args() {
  const a = { requests: 5000, concurrency: 8, path: '/api/remove?om=true', photos: [] };
  const rest = process.argv.slice(2);
  a.url = new URL(rest.shift());
  a.pid = rest.shift();
  while (rest.length) {
    const k = rest.shift();
    if (k === '--requests') a.requests = Number(rest.shift());
    else if (k === '--concurrency') a.concurrency = Number(rest.shift());
    else if (k === '--path') a.path = rest.shift();
    else a.photos.push(k);
  }
  if (!a.photos.length) throw new Error('no photos given');
  return a;
}

function rssBytes(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) * 1024;
}

function post(agent, url, path, body, type) {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const req = http.request({ host: url.hostname, port: url.port, path, method: 'POST', agent,
      headers: { 'Content-Type': type, 'Content-Length': body.length } }, (res) => {
      res.on('data', () => {});
      res.on('end', () => resolve({ status: res.statusCode, ms: Number(process.hrtime.bigint() - t0) / 1e6 }));
    });
    req.on('error', () => resolve({ status: -1, ms: Number(process.hrtime.bigint() - t0) / 1e6 }));
    req.end(body);
  });
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main() {
  const a = args();
  const photos = a.photos.map((p) => ({ body: fs.readFileSync(p), type: /\.png$/i.test(p) ? 'image/png' : 'image/jpeg' }));
  const agent = new http.Agent({ keepAlive: true, maxSockets: a.concurrency });
  const latencies = [];
  const statuses = {};
  let next = 0;
  let rss100 = null;
  const rssStart = rssBytes(a.pid);
  const t0 = Date.now();
  async function client() {
    while (next < a.requests) {
      const i = next++;
      const photo = photos[i % photos.length];
      const r = await post(agent, a.url, a.path, photo.body, photo.type);
      latencies.push(r.ms);
      statuses[r.status] = (statuses[r.status] || 0) + 1;
      if (latencies.length === 100) rss100 = rssBytes(a.pid);
    }
  }
  await Promise.all(Array.from({ length: a.concurrency }, client));
  const seconds = (Date.now() - t0) / 1000;
  const rssEnd = rssBytes(a.pid);
  agent.destroy();
  latencies.sort((x, y) => x - y);
  console.log(JSON.stringify({
    requests: a.requests, concurrency: a.concurrency, path: a.path, photos: a.photos.length,
    seconds, requests_per_s: a.requests / seconds,
    p50_ms: percentile(latencies, 50), p90_ms: percentile(latencies, 90), p99_ms: percentile(latencies, 99),
    max_ms: latencies[latencies.length - 1], statuses,
    errors: a.requests - (statuses[200] || 0),
    rss_start_mb: rssStart / 2 ** 20, rss_100_mb: rss100 / 2 ** 20, rss_end_mb: rssEnd / 2 ** 20,
    rss_growth_pct: 100 * (rssEnd - rss100) / rss100,
  }));
}

main().catch((e) => { console.error(`error: ${e.message}`); process.exit(1); });
