// The peer: ISNet through onnxruntime-node on the same model file, the way a short script would do it
// (sharp stretches the image to 1024x1024, one session, one run, the map resized back and thresholded).
// usage: node isnet-peer.mjs MODEL.onnx IMAGE OUT.png
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';

const [model, input, output] = process.argv.slice(2);
const started = performance.now();
const session = await ort.InferenceSession.create(model);
const created = performance.now();
const { width, height } = await sharp(input).metadata();
const { data } = await sharp(input).removeAlpha().resize(1024, 1024, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
const plane = 1024 * 1024;
const tensor = new Float32Array(3 * plane);
for (let i = 0; i < plane; i++) for (let c = 0; c < 3; c++) tensor[c * plane + i] = (data[3 * i + c] - 128) / 256;
const prepared = performance.now();
const result = await session.run({ input: new ort.Tensor('float32', tensor, [1, 3, 1024, 1024]) }, ['output']);
const ran = performance.now();
const scores = result.output.data;
const bytes = Buffer.alloc(plane);
for (let i = 0; i < plane; i++) bytes[i] = Math.round(Math.min(1, Math.max(0, scores[i])) * 255);
await sharp(bytes, { raw: { width: 1024, height: 1024, channels: 1 } })
  .resize(width, height, { fit: 'fill' }).threshold(128).png().toFile(output);
const done = performance.now();
const ms = (a, b) => (b - a).toFixed(0);
console.log(`session ${ms(started, created)} ms, preprocess ${ms(created, prepared)} ms, run ${ms(prepared, ran)} ms, mask ${ms(ran, done)} ms`);
