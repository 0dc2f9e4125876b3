import { Rng } from '../util/random';

/** How a tensor is initialised (PyTorch's defaults for the layer that owns it). */
export type InitKind =
  | 'kaiming_uniform' // Conv/Linear weight: U(±1/√fan_in) (kaiming_uniform_ with a = √5)
  | 'fan_in_uniform' // Linear bias: U(±1/√fan_in)
  | 'kaiming_normal_fan_out' // torchvision ResNet convs: N(0, √(2/fan_out))
  | 'ones'
  | 'zeros'
  | 'eye'; // a square matrix's identity, row-major (Transform_Net's 3×3 bias: init.eye_)

/** One tensor of a model's state, named and shaped as in the PyTorch reference. */
export interface ParamSpec {
  name: string;
  shape: number[];
  dtype: 'F32' | 'I64';
  /** Trained by the optimiser (false for running statistics and counters). */
  trainable: boolean;
  init: InitKind;
  fanIn: number;
  fanOut: number;
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Specs of a BatchNorm's five tensors under `prefix` (e.g. "bn1" or "inv_head.1"). */
export function batchNormSpecs(prefix: string, C: number): ParamSpec[] {
  const f = (field: string, init: InitKind, trainable: boolean): ParamSpec => ({
    name: `${prefix}.${field}`,
    shape: [C],
    dtype: 'F32',
    trainable,
    init,
    fanIn: C,
    fanOut: C,
  });
  return [
    f('weight', 'ones', true),
    f('bias', 'zeros', true),
    f('running_mean', 'zeros', false),
    f('running_var', 'ones', false),
    {
      name: `${prefix}.num_batches_tracked`,
      shape: [],
      dtype: 'I64',
      trainable: false,
      init: 'zeros',
      fanIn: 1,
      fanOut: 1,
    },
  ];
}

/** A conv/linear weight [out, in, ...kernel] with PyTorch's default init. */
export function weightSpec(name: string, shape: number[], init: InitKind = 'kaiming_uniform'): ParamSpec {
  const receptive = numel(shape.slice(2));
  return {
    name,
    shape,
    dtype: 'F32',
    trainable: true,
    init,
    fanIn: shape[1]! * receptive,
    fanOut: shape[0]! * receptive,
  };
}

export function biasSpec(name: string, out: number, fanIn: number): ParamSpec {
  return { name, shape: [out], dtype: 'F32', trainable: true, init: 'fan_in_uniform', fanIn, fanOut: out };
}

/**
 * Fresh values for every float tensor, drawn in spec order from one seeded generator (so the
 * same seed gives the same model). Counters (I64) are zero and returned as BigInt64Array.
 */
export function initialiseParams(
  specs: readonly ParamSpec[],
  seed: number,
): Map<string, Float32Array | BigInt64Array> {
  const rng = new Rng(seed);
  const out = new Map<string, Float32Array | BigInt64Array>();
  for (const s of specs) {
    const n = numel(s.shape);
    if (s.dtype === 'I64') {
      out.set(s.name, new BigInt64Array(n));
      continue;
    }
    const a = new Float32Array(n);
    switch (s.init) {
      case 'kaiming_uniform':
      case 'fan_in_uniform': {
        const bound = 1 / Math.sqrt(s.fanIn);
        for (let i = 0; i < n; i++) a[i] = rng.uniform(-bound, bound);
        break;
      }
      case 'kaiming_normal_fan_out': {
        const std = Math.sqrt(2 / s.fanOut);
        for (let i = 0; i < n; i++) a[i] = rng.normal(0, std);
        break;
      }
      case 'ones':
        a.fill(1);
        break;
      case 'zeros':
        break;
      case 'eye': {
        const side = Math.round(Math.sqrt(n));
        for (let i = 0; i < side; i++) a[i * side + i] = 1;
        break;
      }
    }
    out.set(s.name, a);
  }
  return out;
}
