// Independent ONNX checker: runs a model in onnxruntime (npm onnxruntime-node) and compares with a reference.
// Usage: node run_onnx.js MANIFEST.json
// Manifest: {"model": path, "input": {"file": raw float32, "shape": [N,C,H,W]},
//            "reference": {"file": raw float32, "shape": [...]}, "tolerance": number}
// Prints "max_abs_diff <value>"; exits 0 when within tolerance, 1 when not or on error,
// 77 when onnxruntime-node is not installed (the calling test reports itself skipped).
'use strict';
const fs = require('fs');

let ort;
try {
  ort = require('onnxruntime-node');
} catch (e) {
  console.log('SKIPPED: onnxruntime-node is not installed (' + e.message.split('\n')[0] + ')');
  process.exit(77);
}

function readFloats(file) {
  const buf = fs.readFileSync(file);
  return new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
}

async function main() {
  const manifest = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const input = readFloats(manifest.input.file);
  const reference = readFloats(manifest.reference.file);
  const session = await ort.InferenceSession.create(manifest.model, { intraOpNumThreads: 1 });
  const out = await session.run({ input: new ort.Tensor('float32', input, manifest.input.shape) });
  const got = out.output;
  if (!got) throw new Error('model has no output named "output"');
  if (JSON.stringify(got.dims.map(Number)) !== JSON.stringify(manifest.reference.shape)) {
    throw new Error('output shape ' + JSON.stringify(got.dims) + ' != reference ' +
                    JSON.stringify(manifest.reference.shape));
  }
  let maxDiff = 0;
  for (let i = 0; i < reference.length; ++i) {
    const d = Math.abs(Number(got.data[i]) - reference[i]);
    if (!(d <= maxDiff)) maxDiff = d;  // NaN propagates as a failure
  }
  console.log('max_abs_diff ' + maxDiff + ' (' + got.type + ' output, dims ' + got.dims.join('x') + ')');
  process.exit(maxDiff <= manifest.tolerance ? 0 : 1);
}

main().catch((e) => {
  console.error('error: ' + e.message);
  process.exit(1);
});
