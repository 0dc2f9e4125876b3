import { formatBytes } from '../gpu/errors';
import { type BufferSpec, paramBufferSpecs, sumByGroup } from './buffer-plan';
import { dgcnnBufferSpecs } from './dgcnn-buffers';
import { type DgcnnConfig, edgeInputWidth } from './dgcnn-config';
import { type ResNetConfig, resnetBlocks, resnetFeatureWidth, resnetParamSpecs } from './resnet-config';

/**
 * The GPU bytes of one CrossPoint training step (DESIGN.md §1): both augmented views go through
 * the point encoder as one batch of 2B clouds, its backward, Adam's two moments per trainable
 * value, the NT-Xent losses; optionally the image branch (B images through the ResNet and its
 * head). The point-encoder figures are dgcnnBufferSpecs, the list createDgcnn allocates from.
 */

/** Adam's first and second moments: two floats per trainable value ("optimizer"). */
export function adamSpecs(specs: readonly BufferSpec[], prefix: string): BufferSpec[] {
  return specs
    .filter((s) => s.group === 'weights')
    .map((s) => ({ name: `${prefix}adam.${s.name}`, bytes: 2 * s.bytes, group: 'optimizer' }));
}

/**
 * NT-Xent buffers (estimate): L_imid over 2B point anchors and L_cmid over B prototype/image
 * pairs (2B anchors) each hold a [2B, 2B] similarity matrix, normalised copies and gradients
 * of their [2B, proj] inputs.
 */
export function lossSpecs(B: number, proj: number, which: 'imid' | 'cmid'): BufferSpec[] {
  return [{ name: `loss.${which}`, bytes: 4 * ((2 * B) ** 2 + 4 * 2 * B * proj), group: 'loss' }];
}

/** Output size of a k×k convolution with padding k/2 (torchvision's ResNet convs and max pool). */
const convOut = (H: number, k: number, s: number) => Math.floor((H + 2 * Math.floor(k / 2) - k) / s) + 1;

/**
 * The image encoder's buffers for B images of size H×H (the ResNet module is built elsewhere, so
 * its activations are estimated from the layer shapes). Parameters, gradients and BN statistics
 * are exact (resnetParamSpecs). Activations: the input image, and for every conv its output
 * (the BN input) and the BN output (ReLU in place), i.e. 2·B·C_out·H_out·W_out per conv, plus
 * the stem's max-pool output, each block's residual sum B·C·H·W, the pooled feature and the
 * head's [B, hidden] ×2 and [B, proj]. Activation gradients: three buffers of the largest
 * activation (a conv chain's gradient ping-pong and the residual branch's), plus the head's.
 */
export function imageEncoderSpecs(c: ResNetConfig, imageSize: number, B: number): BufferSpec[] {
  const specs = paramBufferSpecs(resnetParamSpecs(c), 'image.');
  let H = imageSize;
  let acts = B * 3 * H * H;
  let largest = B * 3 * H * H;
  const conv = (C: number, Ho: number) => {
    acts += 2 * B * C * Ho * Ho;
    largest = Math.max(largest, B * C * Ho * Ho);
  };
  if (c.stem === 'imagenet') {
    H = convOut(H, 7, 2);
    conv(c.base, H);
    H = convOut(H, 3, 2);
    acts += B * c.base * H * H;
  } else conv(c.base, H);
  for (const b of resnetBlocks(c)) {
    const Ho = convOut(H, 3, b.stride);
    if (c.block === 'bottleneck') {
      conv(b.midC, H);
      conv(b.midC, Ho);
      conv(b.outC, Ho);
    } else {
      conv(b.midC, Ho);
      conv(b.outC, Ho);
    }
    if (b.downsample) conv(b.outC, Ho);
    acts += B * b.outC * Ho * Ho;
    H = Ho;
  }
  const feat = resnetFeatureWidth(c);
  const head = B * feat + 2 * B * c.headHidden + B * c.proj;
  specs.push({ name: 'image.activations', bytes: 4 * (acts + head), group: 'activations' });
  specs.push({ name: 'image.activation-grads', bytes: 4 * (3 * largest + head), group: 'activation-grads' });
  return specs;
}

/**
 * The naive edge-tensor formulation of the same point encoder (what PyTorch's DGCNN does): each
 * EdgeConv keeps for its backward the edge feature [B, 2C, N, k] (the conv input), the conv output
 * [B, O, N, k] (the BN input) and the BN output [B, O, N, k] (the LeakyReLU input); the largest
 * layer's edge-tensor gradients [B, 2C + 2O, N, k] and the kNN's [B, N, N] distance matrix are
 * transient peaks ("transient", the larger counted once). Every other buffer is the same as ours,
 * so the difference is the EdgeConv formulation alone.
 */
export function naiveDgcnnSpecs(
  c: DgcnnConfig,
  clouds: number,
  points: number,
  fused: readonly BufferSpec[],
) {
  const specs = fused.filter((s) => !/edgeconv\d\.scratch$/.test(s.name));
  const B = clouds;
  const N = points;
  const edges = B * N * c.k;
  let peak = B * N * N;
  for (let l = 1; l <= 4; l++) {
    const C = edgeInputWidth(c, l);
    const O = c.edgeWidths[l - 1]!;
    specs.push({
      name: `point.edgeconv${l}.naive`,
      bytes: 4 * edges * (2 * C + 2 * O),
      group: 'activations',
    });
    peak = Math.max(peak, edges * (2 * C + 2 * O));
  }
  specs.push({ name: 'point.edgeconv.transient', bytes: 4 * peak, group: 'transient' });
  return specs;
}

export interface StepFigures {
  /** Bytes by buffer group, and the total. */
  bytes: Record<string, number>;
  total: string;
}

function figures(specs: readonly BufferSpec[]): StepFigures {
  const bytes = sumByGroup(specs);
  return { bytes, total: formatBytes(bytes.total!) };
}

/** The model and data sizes a step's budget depends on (a training preset has them all). */
export interface StepModelShape {
  name: string;
  points: number;
  batch: number;
  imageSize: number;
  dgcnn: DgcnnConfig;
  resnet: ResNetConfig;
}

/** A training step's budget at `batch` (default the preset's): ours and the naive one. */
export function trainingStepPlan(preset: StepModelShape, batch = preset.batch, knnSplits = 1) {
  const clouds = 2 * batch;
  const c = preset.dgcnn;
  const point = dgcnnBufferSpecs(c, { batch: clouds, points: preset.points, backward: true }, knnSplits);
  const pointStep = [...point, ...adamSpecs(point, 'point.'), ...lossSpecs(batch, c.proj, 'imid')];
  const image = imageEncoderSpecs(preset.resnet, preset.imageSize, batch);
  const imageExtra = [...image, ...adamSpecs(image, 'image.'), ...lossSpecs(batch, c.proj, 'cmid')];
  const naive = naiveDgcnnSpecs(c, clouds, preset.points, point);
  const naiveStep = [...naive, ...adamSpecs(point, 'point.'), ...lossSpecs(batch, c.proj, 'imid')];
  const ours = { pointOnly: figures(pointStep), withImage: figures([...pointStep, ...imageExtra]) };
  const theirs = { pointOnly: figures(naiveStep), withImage: figures([...naiveStep, ...imageExtra]) };
  const ratio = (a: StepFigures, b: StepFigures) => Number((b.bytes.total! / a.bytes.total!).toFixed(2));
  const trainable = (specs: readonly BufferSpec[]) =>
    specs.filter((s) => s.group === 'weights').reduce((t, s) => t + s.bytes / 4, 0);
  return {
    preset: preset.name,
    batch,
    clouds,
    points: preset.points,
    k: c.k,
    imageSize: preset.imageSize,
    parameters: { point: trainable(point), image: trainable(image) },
    fused: ours,
    naive: theirs,
    naiveOverFused: {
      pointOnly: ratio(ours.pointOnly, theirs.pointOnly),
      withImage: ratio(ours.withImage, theirs.withImage),
    },
    largestPointBuffer: point.reduce((m, s) => (s.bytes > m.bytes ? s : m)),
    notes: [
      'bytes by buffer group; the point encoder is the list of buffers createDgcnn allocates (2B clouds: both augmented views in one batch), kernel-scratch is what its kernels allocate for themselves',
      'optimizer: Adam first and second moments; loss: NT-Xent similarity matrices and gradients (estimate)',
      'image branch: parameters exact; activations estimated from the ResNet layer shapes (2 floats per conv output element, residual sums, 3 gradient buffers of the largest activation)',
      'naive: the same step with each EdgeConv keeping its edge tensors [B, 2C, N, k], conv and BN outputs [B, Cout, N, k] for the backward, plus the largest transient (edge-tensor gradients or the [B, N, N] kNN distances)',
    ],
  };
}
