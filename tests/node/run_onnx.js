// Independent ONNX checker: runs a model in onnxruntime (npm onnxruntime-node) and compares with a reference.
// Usage: node run_onnx.js MANIFEST.json
// Manifest: {"model": path, "input": {"file": raw float32, "shape": [N,C,H,W], "name": optional, default "input"},
//            "output": optional output name, default "output",
//            "reference": {"file": raw float32, "shape": [...]}, "tolerance": number,
//            "output_file": optional, where to write the model's output as raw float32}
// "reference" may be left out when "output_file" is given (the run only records the output).
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
  const inputName = manifest.input.name || 'input';
  const outputName = manifest.output || 'output';
  const session = await ort.InferenceSession.create(manifest.model, { intraOpNumThreads: 1 });
  const out = await session.run({ [inputName]: new ort.Tensor('float32', input, manifest.input.shape) });
  const got = out[outputName];
  if (!got) throw new Error('model has no output named "' + outputName + '"');
  if (manifest.output_file) {
    const data = Float32Array.from(got.data, Number);
    fs.writeFileSync(manifest.output_file, Buffer.from(data.buffer));
    if (!manifest.reference) {
      console.log('wrote ' + manifest.output_file + ' (dims ' + got.dims.join('x') + ')');
      process.exit(0);
    }
  }
  const reference = readFloats(manifest.reference.file);
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
