// IoU of two masks (a pixel is inside when its first channel is >= 128; a cut-out's alpha works too when given
// as the mask), and how many pixels differ at all. usage: node mask-iou.mjs A.png B.png
import sharp from 'sharp';

const [first, second] = process.argv.slice(2);
const channel = async (path) => {
  const image = sharp(path);
  const { channels } = await image.metadata();
  // A cut-out (RGBA) is compared by its alpha, anything else by its first channel.
  const raw = await (channels === 4 ? image.extractChannel(3) : image.extractChannel(0)).raw().toBuffer({ resolveWithObject: true });
  return raw;
};
const [a, b] = await Promise.all([channel(first), channel(second)]);
if (a.info.width !== b.info.width || a.info.height !== b.info.height) {
  console.error(`sizes differ: ${a.info.width}x${a.info.height} and ${b.info.width}x${b.info.height}`);
  process.exit(2);
}
let inter = 0, union = 0, differing = 0;
for (let i = 0; i < a.data.length; i++) {
  const x = a.data[i] >= 128, y = b.data[i] >= 128;
  if (x && y) inter++;
  if (x || y) union++;
  if (x !== y) differing++;
}
console.log(`IoU ${(union ? inter / union : 1).toFixed(5)}, ${differing} of ${a.data.length} pixels differ`);
