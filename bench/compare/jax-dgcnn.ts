/**
 * One CrossPoint point-branch training step of DGCNN + inv_head written the natural jax way, for
 * the full-step comparison (bench/compare/train-step.compare.ts): kNN by matmul + `lax.topK` on
 * each layer's input (the dynamic graph, indices held constant as topk's are in the reference),
 * the neighbours and centres gathered with `take`, the edge tensor [x_j − x_i ; x_i]
 * materialised, 1×1 convolutions as matmuls, BatchNorm with batch statistics, LeakyReLU(0.2), max
 * over k, [max ; mean] pooling, the projection head, NT-Xent between the two augmented copies
 * (L_imid, DESIGN.md §1), `valueAndGrad` over every trainable tensor and one Adam update
 * (PyTorch's, weight decay added to the gradient), all in one `jit`. The running statistics of
 * BatchNorm are not updated here (training mode never reads them; ours updates them).
 *
 * The step also returns the kNN graph each layer used, so the agreement check can tell a
 * different graph (a near-tied neighbour chosen the other way after float rounding, which moves
 * the loss by up to 1 %: docs/PERFORMANCE.md) from different arithmetic; given `fixedGraphs`
 * (ours), the step uses those graphs instead of its own kNN.
 */
import type { AdamHyper } from '../../src/kernels/adam-hyper';
import { type DgcnnConfig, concatWidth, dgcnnParamSpecs, edgeInputWidth } from '../../src/nn/dgcnn-config';
import type { HostTensors } from '../../src/nn/param-store';
import type { Jax, JaxArray, JaxDevice } from './jax';

const EPS = 1e-5;
const SLOPE = 0.2;

type Tree = Record<string, JaxArray>;

export interface JaxDgcnnShape {
  /** Clouds per step: both augmented copies of `clouds / 2` objects (rows 0..B−1, then B..2B−1). */
  clouds: number;
  points: number;
  temperature: number;
  adam: AdamHyper;
  /** Adam's step number after this update (1: the first step, from zero moments). */
  t: number;
}

/** The outputs of one step, by trainable tensor name (leaves are jax-js arrays the caller disposes). */
export type JaxStepOut = {
  loss: JaxArray;
  /** Per EdgeConv layer, the rows of the flattened [Bt·N] points it gathered: [Bt·N·k] i32. */
  graphs: JaxArray[];
  grads: Tree;
  params: Tree;
  m: Tree;
  v: Tree;
};

export interface JaxDgcnnStep {
  /** One training step from the current state (the state is not advanced: each call is the same step). */
  run(): JaxStepOut;
  /** The trainable tensor names, in the reference's order. */
  names: readonly string[];
  dispose(): void;
}

/** The shape jax-js gets for each tensor: 1×1 convolution kernels as plain [out, in] matrices. */
function jaxShape(shape: readonly number[]): number[] {
  return shape.length > 2 ? shape.slice(0, 2) : [...shape];
}

export function createJaxDgcnnStep(
  jax: Jax,
  device: JaxDevice,
  c: DgcnnConfig,
  values: HostTensors,
  points: Float32Array, // [clouds, 3, N]
  s: JaxDgcnnShape,
  fixedGraphs?: readonly Int32Array[], // per layer [clouds, N, k] neighbour indices within the cloud
): JaxDgcnnStep {
  const np = jax.numpy;
  const { k } = c;
  const Bt = s.clouds;
  const Bo = Bt / 2;
  const N = s.points;
  const E = Bt * N * k;
  const Ccat = concatWidth(c);
  const specs = dgcnnParamSpecs(c).filter((p) => p.trainable);
  const names = specs.map((p) => p.name);
  const upload = (): Tree => {
    const t: Tree = {};
    for (const p of specs) {
      const v = values.get(p.name);
      if (!(v instanceof Float32Array)) throw new Error(`jax-js step: missing float tensor "${p.name}"`);
      t[p.name] = np.array(v, { shape: jaxShape(p.shape), device });
    }
    return t;
  };
  const zeros = (): Tree => {
    const t: Tree = {};
    for (const p of specs) t[p.name] = np.zeros(jaxShape(p.shape), { device });
    return t;
  };

  /** BatchNorm in training mode over the rows of x [M, C] (biased variance, as PyTorch normalises). */
  const bn = (x: JaxArray, g: JaxArray, b: JaxArray): JaxArray => {
    const mean = np.mean(x.ref, 0);
    const centred = x.sub(mean);
    const variance = np.mean(np.square(centred.ref), 0);
    return centred
      .mul(g)
      .div(np.sqrt(variance.add(EPS)))
      .add(b);
  };

  /** Rows of the flattened [Bt·N, C] points of each point's k nearest neighbours → [Bt·N·k]. */
  const knnRows = (x: JaxArray, offsets: JaxArray, fixed: JaxArray | undefined): JaxArray => {
    if (fixed) {
      x.dispose();
      offsets.dispose();
      return fixed;
    }
    const xs = jax.lax.stopGradient(x); // [Bt, N, C]; the graph is a constant of the backward
    const inner = np.matmul(xs.ref, np.transpose(xs.ref, [0, 2, 1])); // [Bt, N, N]
    const sq = np.sum(np.square(xs), -1, { keepdims: true }); // [Bt, N, 1]
    const negDist = inner
      .mul(2)
      .sub(sq.ref)
      .sub(np.transpose(sq, [0, 2, 1]));
    const [vals, idx] = jax.lax.topK(negDist, k, -1); // [Bt, N, k], nearest first
    vals.dispose();
    return np.reshape(idx.add(offsets), [E]);
  };

  /** EdgeConv l on x [Bt, N, C] → [Bt, N, O]. */
  const edgeConv = (
    l: number,
    x: JaxArray,
    p: Tree,
    offsets: JaxArray,
    selfRows: JaxArray,
    graphs: JaxArray[],
    fixed: JaxArray | undefined,
  ): JaxArray => {
    const C = edgeInputWidth(c, l);
    const O = c.edgeWidths[l - 1]!;
    const rows = knnRows(x.ref, offsets, fixed);
    graphs.push(rows.ref);
    const pts = np.reshape(x, [Bt * N, C]);
    // x_i is gathered too rather than broadcast: jax-js 0.1.25's jit otherwise fails in the
    // backward ("routine primitive scatter input is not imm").
    const xj = np.take(pts.ref, rows, 0); // [E, C]
    const xi = np.take(pts, selfRows, 0); // [E, C]
    const edge = np.concatenate([xj.sub(xi.ref), xi], -1); // [E, 2C]
    const e = np.matmul(edge, np.transpose(p[`conv${l}.0.weight`]!)); // [E, O]
    const a = jax.nn.leakyRelu(bn(e, p[`bn${l}.weight`]!, p[`bn${l}.bias`]!), SLOPE);
    return np.max(np.reshape(a, [Bt, N, k, O]), 2);
  };

  /** Projections [Bt, proj] of the clouds [Bt, 3, N]; each layer's gathered rows go to `graphs`. */
  const forward = (
    p: Tree,
    pts: JaxArray,
    offsets: JaxArray,
    selfRows: JaxArray,
    graphs: JaxArray[],
    fixed: JaxArray[] | undefined,
  ): JaxArray => {
    let x = np.transpose(pts, [0, 2, 1]); // [Bt, N, 3]
    const outs: JaxArray[] = [];
    for (let l = 1; l <= 4; l++) {
      x = edgeConv(l, x, p, offsets.ref, selfRows.ref, graphs, fixed?.[l - 1]);
      outs.push(l < 4 ? x.ref : x);
    }
    offsets.dispose();
    selfRows.dispose();
    const cat = np.reshape(np.concatenate(outs, -1), [Bt * N, Ccat]);
    const z5 = np.matmul(cat, np.transpose(p['conv5.0.weight']!)); // [Bt·N, emb]
    const a5 = np.reshape(jax.nn.leakyRelu(bn(z5, p['bn5.weight']!, p['bn5.bias']!), SLOPE), [Bt, N, c.emb]);
    const features = np.concatenate([np.max(a5.ref, 1), np.mean(a5, 1)], -1); // [Bt, 2·emb]
    const h0 = np.matmul(features, np.transpose(p['inv_head.0.weight']!)).add(p['inv_head.0.bias']!);
    const h = jax.nn.relu(bn(h0, p['inv_head.1.weight']!, p['inv_head.1.bias']!));
    return np.matmul(h, np.transpose(p['inv_head.3.weight']!)).add(p['inv_head.3.bias']!);
  };

  /**
   * NT-Xent over z [2B, D]: rows i and i ± B are a positive pair, the 2B − 2 others negatives;
   * the mean over the 2B anchors of logsumexp_{j≠i}(s_ij) − s_i,pos with s = cos / τ.
   */
  const ntxent = (z: JaxArray): JaxArray => {
    const R = Bt;
    const norm = np.sqrt(np.sum(np.square(z.ref), -1, { keepdims: true }));
    const u = z.div(np.maximum(norm, 1e-12)); // [R, D]
    const sim = np.matmul(u.ref, np.transpose(u.ref)).div(s.temperature); // [R, R]
    const lse = jax.nn.logsumexp(sim.sub(np.eye(R).mul(1e9)), -1); // the anchor itself left out
    const pos = np.sum(u.ref.mul(np.roll(u, Bo, 0)), -1).div(s.temperature); // [R]
    return np.mean(lse.sub(pos));
  };

  /**
   * The loss, with each layer's gathered rows as the auxiliary output (not differentiated). The
   * fixed graphs come by closure: jax-js takes every argument of a differentiated function for
   * an array, `undefined` included.
   */
  const lossWith =
    (fixed: JaxArray[] | undefined) =>
    (p: Tree, pts: JaxArray, offsets: JaxArray, selfRows: JaxArray): [JaxArray, JaxArray[]] => {
      const graphs: JaxArray[] = [];
      return [ntxent(forward(p, pts, offsets, selfRows, graphs, fixed)), graphs];
    };
  const h = s.adam;
  const bc1 = 1 - h.beta1 ** s.t;
  const sqrtBc2 = Math.sqrt(1 - h.beta2 ** s.t);
  const step = jax.jit(
    (
      p: Tree,
      m: Tree,
      v: Tree,
      pts: JaxArray,
      offsets: JaxArray,
      selfRows: JaxArray,
      fixed: JaxArray[], // empty: the step's own kNN
    ): JaxStepOut => {
      const valueAndGrad = jax.valueAndGrad(lossWith(fixed.length > 0 ? fixed : undefined), {
        hasAux: true,
      });
      const [[value, graphs], g] = valueAndGrad(jax.tree.ref(p), pts, offsets, selfRows) as unknown as [
        [JaxArray, JaxArray[]],
        Tree,
      ];
      const out: JaxStepOut = { loss: value, graphs, grads: {}, params: {}, m: {}, v: {} };
      for (const name of names) {
        const theta = p[name]!;
        const gd = g[name]!.ref.add(theta.ref.mul(h.weightDecay));
        const mi = m[name]!.mul(h.beta1).add(gd.ref.mul(1 - h.beta1));
        const vi = v[name]!.mul(h.beta2).add(np.square(gd).mul(1 - h.beta2));
        const upd = mi.ref.mul(h.lr / bc1).div(np.sqrt(vi.ref).div(sqrtBc2).add(h.eps));
        out.grads[name] = g[name]!;
        out.params[name] = theta.sub(upd);
        out.m[name] = mi;
        out.v[name] = vi;
      }
      return out;
    },
  );

  const params = upload();
  const m = zeros();
  const v = zeros();
  const x = np.array(points, { shape: [Bt, 3, N], device });
  const offsets = np.array(
    Int32Array.from({ length: Bt }, (_, b) => b * N),
    {
      shape: [Bt, 1, 1],
      dtype: np.int32,
      device,
    },
  );
  const selfRows = np.array(
    Int32Array.from({ length: E }, (_, e) => Math.floor(e / k)),
    { dtype: np.int32, device },
  );
  // Global rows b·N + j of the given graphs, per layer [Bt·N·k].
  const fixed = fixedGraphs?.map((g) => {
    if (g.length !== E)
      throw new Error(`jax-js step: a fixed kNN graph has ${g.length} entries, expected ${E}`);
    return np.array(
      Int32Array.from(g, (j, e) => Math.floor(e / (N * k)) * N + j),
      { dtype: np.int32, device },
    );
  });
  return {
    names,
    run: () =>
      step(
        jax.tree.ref(params),
        jax.tree.ref(m),
        jax.tree.ref(v),
        x.ref,
        offsets.ref,
        selfRows.ref,
        fixed ? jax.tree.ref(fixed) : [],
      ),
    dispose() {
      jax.tree.dispose([params, m, v, x, offsets, selfRows, ...(fixed ?? [])]);
      step.dispose();
    },
  };
}
