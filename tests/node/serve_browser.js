// The `portraitseg serve` web page in headless Chromium (playwright-core driving Debian's chromium):
//   node serve_browser.js URL PHOTO EXPECTED_MASK EXPECTED_PROBABILITY OUT_DIR
// PHOTO is at the model's input size; EXPECTED_MASK holds the server's 8-bit mask of it (raw bytes, row-major) and
// EXPECTED_PROBABILITY its float32 probability (raw, little-endian). Checks that the page, given the photo with the
// mask effect, shows exactly that mask; that the model run in the page by onnxruntime-web (WASM) gives that
// probability within 1e-3; and that live mode runs on Chromium's fake webcam. Screenshots go to OUT_DIR.
// Prints one JSON line; exits 0 when all hold, 1 when one does not, 4 when Chromium or playwright-core is missing.
'use strict';
const fs = require('fs');
const path = require('path');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
let playwright;
try {
  playwright = require('playwright-core');
} catch (e) {
  console.log('SKIPPED: playwright-core is not installed (scripts/setup-deps.sh installs it)');
  process.exit(4);
}
if (!fs.existsSync(CHROMIUM)) {
  console.log(`SKIPPED: ${CHROMIUM} is not installed`);
  process.exit(4);
}

async function main() {
  const [url, photo, maskFile, probabilityFile, outDir] = process.argv.slice(2);
  const expectedMask = fs.readFileSync(maskFile);
  const raw = fs.readFileSync(probabilityFile);
  const expectedProbability = new Float32Array(raw.buffer, raw.byteOffset, raw.length / 4);
  const browser = await playwright.chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream'],
  });
  const result = {};
  try {
    const context = await browser.newContext({ permissions: ['camera'] });
    const page = await context.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(url);
    await page.evaluate(() => window.portraitseg.ready);
    result.model = await page.textContent('#model');

    // A photo through the server, as a user would: pick the mask effect, choose the file, wait for the result.
    await page.selectOption('#effect', 'mask');
    await page.setInputFiles('#photo', photo);
    await page.waitForSelector('body[data-state="done"]', { timeout: 60000 });
    const shown = await page.evaluate(() => {
      const img = document.getElementById('result');
      const canvas = document.createElement('canvas');
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      const ctx = canvas.getContext('2d');
      ctx.drawImage(img, 0, 0);
      const rgba = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      return Array.from({ length: canvas.width * canvas.height }, (_, i) => rgba[4 * i]);
    });
    result.mask_pixels = shown.length;
    result.mask_differing = shown.filter((v, i) => v !== expectedMask[i]).length + Math.abs(shown.length - expectedMask.length);
    result.timings = await page.textContent('#timings');
    await page.screenshot({ path: path.join(outDir, 'page.png'), fullPage: true });

    // The same photo through onnxruntime-web in the page.
    const t0 = Date.now();
    const probability = await page.evaluate(() => window.portraitseg.segmentInBrowser(document.getElementById('original')));
    result.browser_ms = Date.now() - t0;
    result.probability_pixels = probability.length;
    result.probability_max_diff = probability.length === expectedProbability.length
      ? probability.reduce((m, v, i) => Math.max(m, Math.abs(v - expectedProbability[i])), 0) : Infinity;

    // Live mode on the fake webcam, the model in the browser.
    await page.click('#live-start');
    await page.waitForFunction(() => Number(document.body.dataset.liveFps || 0) > 0, null, { timeout: 60000 });
    await page.waitForTimeout(1500);
    result.live = await page.textContent('#fps');
    await page.screenshot({ path: path.join(outDir, 'page_live.png'), fullPage: true });
    await page.click('#live-stop');
    result.page_errors = problems;
  } finally {
    await browser.close();
  }
  result.ok = result.mask_differing === 0 && result.probability_max_diff <= 1e-3 && result.page_errors.length === 0 &&
    /in the browser/.test(result.live);
  console.log(JSON.stringify(result));
  process.exit(result.ok ? 0 : 1);
}

main().catch((e) => {
  console.error(`error: ${e.message}`);
  process.exit(1);
});
