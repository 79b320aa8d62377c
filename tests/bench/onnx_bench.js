// Inference latency of ONNX files in onnxruntime (npm onnxruntime-node, installed under tests/node).
// Usage: node tests/bench/onnx_bench.js MODEL.onnx... [--threads N] [--warmup N] [--runs N] [--shape N,C,H,W] [--json]
// Each model runs on one random float32 input (batch 1 unless --shape says otherwise) with intraOpNumThreads N,
// interOpNumThreads 1, sequential execution and all graph optimisations; median/p90/p99 of --runs timed calls
// after --warmup untimed ones. The input shape comes from the model when its dimensions are fixed (a symbolic
// batch dimension becomes 1); --shape overrides it. Exit 77 when onnxruntime-node is not installed.
'use strict';
const fs = require('fs');
const path = require('path');

function loadOrt() {
  try {
    return require(require.resolve('onnxruntime-node', { paths: [path.join(__dirname, '..', 'node'), __dirname] }));
  } catch (e) {
    console.error('SKIPPED: onnxruntime-node is not installed (run npm ci in tests/node): ' + e.message.split('\n')[0]);
    process.exit(77);
  }
}

function parseArgs(argv) {
  const opts = { models: [], threads: 2, warmup: 10, runs: 100, shape: null, json: false };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(a + ' needs a value');
      return argv[++i];
    };
    const positiveInt = (v, min) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < min) throw new Error(a + ': expected an integer >= ' + min + ', got ' + v);
      return n;
    };
    if (a === '--threads') opts.threads = positiveInt(value(), 1);
    else if (a === '--warmup') opts.warmup = positiveInt(value(), 0);
    else if (a === '--runs') opts.runs = positiveInt(value(), 1);
    else if (a === '--shape') opts.shape = value().split(/[,x]/).map((v) => positiveInt(v, 1));
    else if (a === '--json') opts.json = true;
    else if (a === '-h' || a === '--help') {
      console.log(fs.readFileSync(__filename, 'utf8').split('\n').slice(0, 6).join('\n'));
      process.exit(0);
    } else if (a.startsWith('--')) throw new Error('unknown option ' + a);
    else opts.models.push(a);
  }
  if (opts.models.length === 0) throw new Error('no model given (usage: onnx_bench.js MODEL.onnx... [--json])');
  return opts;
}

function percentile(values, q) {
  const s = [...values].sort((a, b) => a - b);
  const pos = ((s.length - 1) * q) / 100;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

function inputShape(session, override, model) {
  if (override) return override;
  const meta = session.inputMetadata && session.inputMetadata[0];
  const dims = meta && meta.isTensor ? meta.shape : [];
  if (dims.length === 0) throw new Error(model + ': input shape unknown; pass --shape N,C,H,W');
  return dims.map((d, i) => {
    if (typeof d === 'number' && d > 0) return d;
    if (i === 0) return 1;  // symbolic batch dimension
    throw new Error(model + ': input dimension ' + i + ' is symbolic (' + d + '); pass --shape N,C,H,W');
  });
}

async function benchModel(ort, model, opts) {
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: opts.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const shape = inputShape(session, opts.shape, model);
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; ++i) data[i] = Math.random();
  const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', data, shape) };

  for (let i = 0; i < opts.warmup; ++i) await session.run(feeds);
  const times = [];
  for (let i = 0; i < opts.runs; ++i) {
    const t0 = process.hrtime.bigint();
    await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const median = percentile(times, 50);
  return {
    mode: 'infer',
    engine: 'onnxruntime',
    model: model,
    config: path.basename(model).replace(/\.onnx$/, ''),
    size: shape.slice(2),
    batch: shape[0],
    threads: opts.threads,
    runs: opts.runs,
    median_ms: median,
    p90_ms: percentile(times, 90),
    p99_ms: percentile(times, 99),
    fps: (1000 * shape[0]) / median,
    onnxruntime_version: ort.env && ort.env.versions ? ort.env.versions.common : undefined,
  };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const ort = loadOrt();
  const results = [];
  for (const model of opts.models) {
    const r = await benchModel(ort, model, opts);
    results.push(r);
    if (!opts.json) {
      console.log(r.config.padEnd(24) + ' onnxruntime  median ' + r.median_ms.toFixed(2) + ' ms  p90 ' +
                  r.p90_ms.toFixed(2) + '  p99 ' + r.p99_ms.toFixed(2) + '  ' + r.fps.toFixed(1) + ' fps  (' +
                  r.size.join('x') + ', batch ' + r.batch + ', ' + r.threads + ' threads)');
    }
  }
  if (opts.json) console.log(JSON.stringify({ results: results }, null, 1));
}

main().catch((e) => {
  console.error('error: ' + e.message);
  process.exit(1);
});
