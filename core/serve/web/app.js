// The portraitseg page: a photo sent to the server's /api/remove, and a live webcam mode that runs the exported
// ONNX model in the browser with onnxruntime-web (WASM) when the server offers it, or sends frames otherwise.
'use strict';
const $ = (id) => document.getElementById(id);
const state = { info: null, spec: null, photo: null, background: null, session: null, live: null };

function setStatus(text, kind) {
  $('status').textContent = text;
  $('status').className = kind || '';
  document.body.dataset.state = kind || 'idle';
}

async function loadInfo() {
  const r = await fetch('/v1/model');
  state.info = await r.json();
  const { net, input, output } = state.info.metadata;
  // What preprocessing and decoding need, in one flat object: the input contract plus the output's kind.
  state.spec = { ...input, kind: output.kind, logit_channels: output.logit_channels, threshold: output.threshold };
  const m = state.spec;
  $('model').textContent = `${state.info.name} · ${net} · ${m.width}×${m.height} input · ${state.info.engine}`;
  $('threshold').value = m.threshold;
  $('live-mode').textContent = browserCanRun()
    ? 'The model runs in this browser (onnxruntime-web, WASM); nothing leaves the page.'
    : 'Frames are sent to the server (serve an .onnx model with --web-runtime to run it in the browser).';
}

function browserCanRun() {
  return state.info && state.info.onnx_available && state.info.browser_runtime;
}

// ---- photos through the server -------------------------------------------------------------------------------

function choosePhoto(file) {
  if (!file) return;
  state.photo = file;
  $('original').src = URL.createObjectURL(file);
  $('run').disabled = false;
  removeBackground();
}

function removeOptions() {
  const form = new FormData();
  const effect = $('effect').value;
  form.append('effect', effect);
  if (effect === 'replace') {
    if (state.background) form.append('background', state.background, state.background.name);
    else form.append('background', $('colour').value);
  }
  form.append('threshold', $('threshold').value);
  form.append('feather', $('feather').value);
  form.append('format', $('format').value);
  return form;
}

function describeTiming(header, wallMs) {
  const stages = (header || '').split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
    const [name, dur] = s.split(';dur=');
    return `${name} ${Number(dur).toFixed(1)} ms`;
  });
  stages.push(`round trip ${wallMs.toFixed(1)} ms`);
  return stages.join(' · ');
}

async function removeBackground() {
  if (!state.photo) return;
  const form = removeOptions();
  form.append('file', state.photo, state.photo.name);
  setStatus('working…', 'busy');
  const t0 = performance.now();
  try {
    const r = await fetch('/api/remove', { method: 'POST', body: form });
    if (!r.ok) {
      const e = await r.json().catch(() => ({ error: r.statusText }));
      throw new Error(`${r.status}: ${e.error}`);
    }
    const blob = await r.blob();
    const url = URL.createObjectURL(blob);
    await new Promise((resolve) => { $('result').onload = resolve; $('result').src = url; });
    const stem = state.photo.name.replace(/\.[^.]*$/, '');
    $('download').href = url;
    $('download').download = `${stem}_${$('effect').value}.${$('format').value}`;
    $('download').hidden = false;
    $('timings').textContent = describeTiming(r.headers.get('Server-Timing'), performance.now() - t0);
    setStatus('done', 'done');
  } catch (e) {
    setStatus(e.message, 'error');
  }
}

// ---- the model in the browser ---------------------------------------------------------------------------------

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = src;
    s.onload = resolve;
    s.onerror = () => reject(new Error(`cannot load ${src}`));
    document.head.append(s);
  });
}

function browserSession() {
  if (!state.session) {
    state.session = (async () => {
      await loadScript('/ort/ort.wasm.min.js');
      ort.env.wasm.wasmPaths = '/ort/';
      ort.env.wasm.numThreads = 1;  // threads need a cross-origin isolated page
      const bytes = await (await fetch('/v1/model.onnx')).arrayBuffer();
      return ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
    })();
  }
  return state.session;
}

// The net's input from an image, video or canvas of size sw x sh, preprocessed as the model's metadata says.
function netInput(source, sw, sh, prior) {
  const m = state.spec;
  const canvas = document.createElement('canvas');
  canvas.width = m.width;
  canvas.height = m.height;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (m.resize === 'pad_to_square') {
    const side = Math.max(sw, sh);
    const square = document.createElement('canvas');
    square.width = square.height = side;
    const sq = square.getContext('2d');
    sq.fillStyle = `rgb(${m.pad_value},${m.pad_value},${m.pad_value})`;
    sq.fillRect(0, 0, side, side);
    sq.drawImage(source, Math.floor((side - sw) / 2), Math.floor((side - sh) / 2), sw, sh);
    ctx.drawImage(square, 0, 0, m.width, m.height);
  } else {
    ctx.drawImage(source, 0, 0, m.width, m.height);
  }
  const pixels = ctx.getImageData(0, 0, m.width, m.height).data;
  const plane = m.width * m.height;
  const data = new Float32Array(m.channels * plane);
  const order = m.color_order === 'bgr' ? [2, 1, 0] : [0, 1, 2];
  for (let c = 0; c < 3; c++) {
    const from = order[c];
    const mean = m.mean[c];
    const scale = m.scale[c];
    for (let i = 0; i < plane; i++) data[c * plane + i] = (pixels[4 * i + from] - mean) * scale;
  }
  if (m.channels === 4 && prior) data.set(prior, 3 * plane);
  return new ort.Tensor('float32', data, [1, m.channels, m.height, m.width]);
}

// The foreground probability at the net's size from the graph's output (probability, logits or 8-bit mask).
function probabilityOf(output) {
  const m = state.spec;
  const plane = m.width * m.height;
  const d = output.data;
  const p = new Float32Array(plane);
  for (let i = 0; i < plane; i++) {
    if (m.kind === 'probability') p[i] = d[i];
    else if (m.kind === 'mask') p[i] = d[i] / 255;
    else if (m.logit_channels === 2) p[i] = 1 / (1 + Math.exp(d[i] - d[plane + i]));
    else p[i] = 1 / (1 + Math.exp(-d[i]));
  }
  return p;
}

async function segmentInBrowser(source, sw, sh, prior) {
  const session = await browserSession();
  const out = await session.run({ [session.inputNames[0]]: netInput(source, sw, sh, prior) });
  return probabilityOf(out[session.outputNames[0]]);
}

// ---- live webcam ----------------------------------------------------------------------------------------------

function hexColour(hex) {
  return [1, 3, 5].map((i) => parseInt(hex.substr(i, 2), 16));
}

// The frame over the chosen colour, with the probability (at the net's size) as a bilinearly scaled alpha.
function drawComposite(video, probability) {
  const m = state.spec;
  const canvas = $('live-canvas');
  const w = video.videoWidth;
  const h = video.videoHeight;
  canvas.width = w;
  canvas.height = h;
  const alpha = document.createElement('canvas');
  alpha.width = m.width;
  alpha.height = m.height;
  const a = alpha.getContext('2d');
  const image = a.createImageData(m.width, m.height);
  for (let i = 0; i < probability.length; i++) image.data[4 * i + 3] = Math.round(255 * probability[i]);
  a.putImageData(image, 0, 0);
  const ctx = canvas.getContext('2d');
  ctx.globalCompositeOperation = 'source-over';
  ctx.drawImage(video, 0, 0, w, h);
  ctx.globalCompositeOperation = 'destination-in';
  ctx.drawImage(alpha, 0, 0, w, h);
  ctx.globalCompositeOperation = 'destination-over';
  const [r, g, b] = hexColour($('colour').value);
  ctx.fillStyle = `rgb(${r},${g},${b})`;
  ctx.fillRect(0, 0, w, h);
  ctx.globalCompositeOperation = 'source-over';
}

async function liveFrameOnServer(video) {
  const grab = document.createElement('canvas');
  grab.width = video.videoWidth;
  grab.height = video.videoHeight;
  grab.getContext('2d').drawImage(video, 0, 0);
  const jpeg = await new Promise((resolve) => grab.toBlob(resolve, 'image/jpeg', 0.9));
  const form = new FormData();
  form.append('file', jpeg, 'frame.jpg');
  form.append('background', $('colour').value);
  form.append('format', 'jpg');
  const r = await fetch('/api/remove', { method: 'POST', body: form });
  if (!r.ok) return;
  const bitmap = await createImageBitmap(await r.blob());
  const canvas = $('live-canvas');
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  canvas.getContext('2d').drawImage(bitmap, 0, 0);
}

async function startLive() {
  const video = $('camera');
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 } });
  video.srcObject = stream;
  await video.play();
  const live = { stream, stop: false, frames: [], prior: null };
  state.live = live;
  $('live-start').disabled = true;
  $('live-stop').disabled = false;
  const inBrowser = browserCanRun();
  while (!live.stop) {
    if (inBrowser) {
      const probability = await segmentInBrowser(video, video.videoWidth, video.videoHeight, live.prior);
      if (state.spec.channels === 4) live.prior = probability;
      drawComposite(video, probability);
    } else {
      await liveFrameOnServer(video);
    }
    const now = performance.now();
    live.frames.push(now);
    while (live.frames.length && now - live.frames[0] > 1000) live.frames.shift();
    $('fps').textContent = `${live.frames.length} fps (${inBrowser ? 'in the browser' : 'on the server'})`;
    document.body.dataset.liveFps = String(live.frames.length);
    await new Promise((resolve) => requestAnimationFrame(resolve));
  }
}

function stopLive() {
  if (!state.live) return;
  state.live.stop = true;
  state.live.stream.getTracks().forEach((t) => t.stop());
  state.live = null;
  $('live-start').disabled = false;
  $('live-stop').disabled = true;
}

// ---- wiring ---------------------------------------------------------------------------------------------------

$('photo').addEventListener('change', (e) => choosePhoto(e.target.files[0]));
$('background').addEventListener('change', (e) => { state.background = e.target.files[0] || null; removeBackground(); });
for (const id of ['effect', 'colour', 'threshold', 'feather', 'format']) $(id).addEventListener('change', removeBackground);
$('run').addEventListener('click', removeBackground);
const drop = $('drop');
drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  choosePhoto(e.dataTransfer.files[0]);
});
$('live-start').addEventListener('click', () => startLive().catch((e) => { setStatus(e.message, 'error'); stopLive(); }));
$('live-stop').addEventListener('click', stopLive);

// For scripts driving the page (the browser test): the in-browser probability of an <img> at the net's size.
window.portraitseg = {
  ready: loadInfo().catch((e) => setStatus(`cannot read the model: ${e.message}`, 'error')),
  async segmentInBrowser(img) {
    return Array.from(await segmentInBrowser(img, img.naturalWidth, img.naturalHeight, null));
  },
};
