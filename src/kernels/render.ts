// Offscreen view rendering with WebGPU (no canvas, no DOM: the same code runs in Node on dawn, in
// a page and in a worker). Each view is rasterised at S×S with 4× MSAA and a depth test, resolved,
// then a small compute pass writes it as f32 RGB planes into an image tensor [*, 3, S, S] that
// the image encoder reads directly. Meshes are drawn as triangles, point clouds as splats.
import meshWgsl from '../../shaders/render_mesh.wgsl?raw';
import pointsWgsl from '../../shaders/render_points.wgsl?raw';
import readoutWgsl from '../../shaders/render_readout.wgsl?raw';
import { readF32 } from '../gpu/buffers';
import type { GpuContext } from '../gpu/context';
import { checkBufferSize, checkLimit } from '../gpu/limits';
import { cameraEye, lightDirection, type ViewCamera, viewProjection } from './render-camera';

export const COLOR_FORMAT: GPUTextureFormat = 'rgba8unorm';
const DEPTH_FORMAT: GPUTextureFormat = 'depth24plus';
const SAMPLES = 4;
/** Uniform slots are 256 bytes apart (the largest minUniformBufferOffsetAlignment WebGPU allows). */
const SLOT = 256;
/** White, like the background of the R2N2 renderings once composited. */
export const BACKGROUND: GPUColorDict = { r: 1, g: 1, b: 1, a: 1 };

/** A mesh uploaded for drawing. */
export interface GpuMesh {
  kind: 'mesh';
  positions: GPUBuffer; // [V, 3] f32 (vertex)
  indices: GPUBuffer; // [F * 3] u32 (index)
  indexCount: number;
  destroy(): void;
}

/** A point cloud uploaded for splatting. */
export interface GpuPoints {
  kind: 'points';
  points: GPUBuffer; // [N, 3] f32 (vertex, per instance)
  normals: GPUBuffer; // [N, 3] f32 (vertex, per instance; zeros when the cloud has none)
  count: number;
  hasNormals: boolean;
  destroy(): void;
}

export type Drawable = GpuMesh | GpuPoints;

function vertexBuffer(ctx: GpuContext, data: Float32Array | Uint32Array, usage: number, label: string) {
  const buf = ctx.device.createBuffer({
    label,
    size: Math.max(16, Math.ceil(data.byteLength / 4) * 4),
    usage: usage | GPUBufferUsage.COPY_DST,
    mappedAtCreation: true,
  });
  const dst =
    data instanceof Float32Array
      ? new Float32Array(buf.getMappedRange())
      : new Uint32Array(buf.getMappedRange());
  dst.set(data);
  buf.unmap();
  return buf;
}

/** A triangle mesh as the renderer takes it (src/data/mesh.ts's Mesh). */
export interface MeshArrays {
  /** [V * 3] xyz per vertex */
  positions: Float32Array;
  /** [F * 3] vertex indices per triangle */
  indices: Uint32Array;
}

export function uploadMesh(ctx: GpuContext, mesh: MeshArrays): GpuMesh {
  const positions = vertexBuffer(ctx, mesh.positions, GPUBufferUsage.VERTEX, 'mesh.positions');
  const indices = vertexBuffer(ctx, mesh.indices, GPUBufferUsage.INDEX, 'mesh.indices');
  return {
    kind: 'mesh',
    positions,
    indices,
    indexCount: mesh.indices.length,
    destroy: () => {
      positions.destroy();
      indices.destroy();
    },
  };
}

/** points: [N * 3]; normals: [N * 3] or undefined (then splats get a constant shade). */
export function uploadPoints(ctx: GpuContext, points: Float32Array, normals?: Float32Array): GpuPoints {
  const p = vertexBuffer(ctx, points, GPUBufferUsage.VERTEX, 'points.xyz');
  const n = vertexBuffer(
    ctx,
    normals ?? new Float32Array(points.length),
    GPUBufferUsage.VERTEX,
    'points.normals',
  );
  return {
    kind: 'points',
    points: p,
    normals: n,
    count: points.length / 3,
    hasNormals: normals !== undefined,
    destroy: () => {
      p.destroy();
      n.destroy();
    },
  };
}

export interface RenderOptions {
  /** Colour of the object, RGB in [0, 1]. */
  color: [number, number, number];
  /** Share of light that is ambient (default 0.35). */
  ambient?: number;
  /** Splat radius in pixels for point clouds (default max(1, S / 96)). */
  splatRadius?: number;
}

export interface ViewRenderer {
  readonly size: number;
  /** Most views one render() call draws. */
  readonly maxViews: number;
  /** The resolved RGBA8 view last drawn (S×S; for inspection and tests). */
  readonly texture: GPUTexture;
  /**
   * Draw `obj` from each camera and write view v into `out` at image `firstImage + v`
   * (out: [*, 3, S, S] f32, STORAGE). Writes the uniforms and submits; does not wait.
   */
  render(
    obj: Drawable,
    cameras: readonly ViewCamera[],
    out: GPUBuffer,
    firstImage: number,
    opts: RenderOptions,
  ): void;
  destroy(): void;
}

const renderPipelines = new WeakMap<
  GPUDevice,
  Promise<{ mesh: GPURenderPipeline; points: GPURenderPipeline }>
>();

function buildRenderPipelines(ctx: GpuContext) {
  let p = renderPipelines.get(ctx.device);
  if (!p) {
    const d = ctx.device;
    const common = {
      primitive: { topology: 'triangle-list', cullMode: 'none' },
      depthStencil: { format: DEPTH_FORMAT, depthWriteEnabled: true, depthCompare: 'less' },
      multisample: { count: SAMPLES },
      layout: 'auto',
    } as const;
    const meshModule = d.createShaderModule({ code: meshWgsl, label: 'render_mesh' });
    const pointsModule = d.createShaderModule({ code: pointsWgsl, label: 'render_points' });
    const xyz = (loc: number): GPUVertexBufferLayout => ({
      arrayStride: 12,
      stepMode: loc === 0 ? 'vertex' : 'instance',
      attributes: [{ shaderLocation: loc, offset: 0, format: 'float32x3' }],
    });
    p = Promise.all([
      d.createRenderPipelineAsync({
        ...common,
        label: 'render_mesh',
        vertex: { module: meshModule, entryPoint: 'vs', buffers: [xyz(0)] },
        fragment: { module: meshModule, entryPoint: 'fs', targets: [{ format: COLOR_FORMAT }] },
      }),
      d.createRenderPipelineAsync({
        ...common,
        label: 'render_points',
        vertex: {
          module: pointsModule,
          entryPoint: 'vs',
          buffers: [
            { ...xyz(0), stepMode: 'instance' },
            { ...xyz(1), stepMode: 'instance' },
          ],
        },
        fragment: { module: pointsModule, entryPoint: 'fs', targets: [{ format: COLOR_FORMAT }] },
      }),
    ]).then(([mesh, points]) => ({ mesh, points }));
    renderPipelines.set(ctx.device, p);
  }
  return p;
}

/** Textures, pipelines and uniform slots for views of S×S, up to `maxViews` per render() call. */
export async function planRender(
  ctx: GpuContext,
  opts: { size: number; maxViews: number },
): Promise<ViewRenderer> {
  const { size: S, maxViews } = opts;
  const maxTex = ctx.device.limits.maxTextureDimension2D;
  if (S > maxTex) {
    throw new Error(
      `a ${S}×${S} view exceeds the adapter's maxTextureDimension2D ${maxTex}: lower the image size`,
    );
  }
  checkLimit(
    ctx.limits,
    'maxComputeWorkgroupsPerDimension',
    Math.ceil(S / 8),
    'view readout',
    'the image size',
  );
  const { mesh: meshPipe, points: pointsPipe } = await buildRenderPipelines(ctx);
  const readout = await ctx.pipelines.compute(readoutWgsl, 'main', {}, 'render_readout');

  const d = ctx.device;
  const tex = (format: GPUTextureFormat, usage: number, sampleCount: number, label: string) =>
    d.createTexture({ label, size: [S, S], format, usage, sampleCount });
  const msaa = tex(COLOR_FORMAT, GPUTextureUsage.RENDER_ATTACHMENT, SAMPLES, 'view.msaa');
  const resolve = tex(
    COLOR_FORMAT,
    GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_SRC,
    1,
    'view.resolve',
  );
  const depth = tex(DEPTH_FORMAT, GPUTextureUsage.RENDER_ATTACHMENT, SAMPLES, 'view.depth');
  const msaaView = msaa.createView();
  const resolveView = resolve.createView();
  const depthView = depth.createView();

  // Per view slot: the View struct (128 bytes) for drawing, and {size, image} for the readout.
  const viewUniforms = d.createBuffer({
    label: 'view.uniforms',
    size: maxViews * SLOT,
    usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
  });
  const readUniforms = d.createBuffer({
    label: 'view.readout',
    size: maxViews * SLOT,
    usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
  });
  const drawGroups = (pipe: GPURenderPipeline) =>
    Array.from({ length: maxViews }, (_, v) =>
      d.createBindGroup({
        layout: pipe.getBindGroupLayout(0),
        entries: [{ binding: 0, resource: { buffer: viewUniforms, offset: v * SLOT, size: 128 } }],
      }),
    );
  const meshGroups = drawGroups(meshPipe);
  const pointGroups = drawGroups(pointsPipe);
  // Readout bind groups depend on the output buffer: made on first use of each buffer.
  const readGroups = new WeakMap<GPUBuffer, GPUBindGroup[]>();
  const readGroupsFor = (out: GPUBuffer) => {
    let g = readGroups.get(out);
    if (!g) {
      g = Array.from({ length: maxViews }, (_, v) =>
        d.createBindGroup({
          layout: readout.getBindGroupLayout(0),
          entries: [
            { binding: 0, resource: resolveView },
            { binding: 1, resource: { buffer: out } },
            { binding: 2, resource: { buffer: readUniforms, offset: v * SLOT, size: 8 } },
          ],
        }),
      );
      readGroups.set(out, g);
    }
    return g;
  };
  const groups = Math.ceil(S / 8);

  return {
    size: S,
    maxViews,
    texture: resolve,
    render(obj, cameras, out, firstImage, ro) {
      const V = cameras.length;
      if (V > maxViews) throw new Error(`render: ${V} views but the renderer was planned for ${maxViews}`);
      const need = (firstImage + V) * 3 * S * S * 4;
      if (need > out.size)
        throw new Error(`render: output buffer holds ${out.size} bytes, views need ${need}`);
      checkBufferSize(ctx.limits, need, 'the rendered views', 'the number of views or the image size');
      const ambient = ro.ambient ?? 0.35;
      const radiusPx = ro.splatRadius ?? Math.max(1, S / 96);
      const vu = new ArrayBuffer(V * SLOT);
      const ru = new ArrayBuffer(V * SLOT);
      for (let v = 0; v < V; v++) {
        const cam = cameras[v]!;
        const f = new Float32Array(vu, v * SLOT, 32);
        f.set(viewProjection(cam), 0);
        f.set(cameraEye(cam), 16);
        f.set(lightDirection(cam), 20);
        f.set([ro.color[0], ro.color[1], ro.color[2], ambient], 24);
        const hasNormals = obj.kind === 'points' && obj.hasNormals ? 1 : 0;
        f.set([(2 * radiusPx) / S, (2 * radiusPx) / S, hasNormals, 0], 28);
        new Uint32Array(ru, v * SLOT, 2).set([S, firstImage + v]);
      }
      d.queue.writeBuffer(viewUniforms, 0, vu);
      d.queue.writeBuffer(readUniforms, 0, ru);
      const rg = readGroupsFor(out);
      const enc = d.createCommandEncoder({ label: 'render views' });
      for (let v = 0; v < V; v++) {
        const pass = enc.beginRenderPass({
          colorAttachments: [
            {
              view: msaaView,
              resolveTarget: resolveView,
              clearValue: BACKGROUND,
              loadOp: 'clear',
              storeOp: 'discard',
            },
          ],
          depthStencilAttachment: {
            view: depthView,
            depthClearValue: 1,
            depthLoadOp: 'clear',
            depthStoreOp: 'discard',
          },
        });
        if (obj.kind === 'mesh') {
          pass.setPipeline(meshPipe);
          pass.setBindGroup(0, meshGroups[v]!);
          pass.setVertexBuffer(0, obj.positions);
          pass.setIndexBuffer(obj.indices, 'uint32');
          pass.drawIndexed(obj.indexCount);
        } else {
          pass.setPipeline(pointsPipe);
          pass.setBindGroup(0, pointGroups[v]!);
          pass.setVertexBuffer(0, obj.points);
          pass.setVertexBuffer(1, obj.normals);
          pass.draw(6, obj.count);
        }
        pass.end();
        const cp = enc.beginComputePass({ label: 'view readout' });
        cp.setPipeline(readout);
        cp.setBindGroup(0, rg[v]!);
        cp.dispatchWorkgroups(groups, groups);
        cp.end();
      }
      d.queue.submit([enc.finish()]);
    },
    destroy() {
      for (const t of [msaa, resolve, depth]) t.destroy();
      viewUniforms.destroy();
      readUniforms.destroy();
    },
  };
}

/** Bytes of an image tensor holding `images` views of S×S: [images, 3, S, S] f32. */
export function imageTensorBytes(images: number, size: number): number {
  return images * 3 * size * size * 4;
}

/** One view of an image tensor as RGBA8 (row-major, alpha 255). chw: [3, S, S] in [0, 1]. */
export function chwToRgba8(chw: Float32Array, size: number): Uint8Array {
  const plane = size * size;
  const out = new Uint8Array(plane * 4);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) {
      const v = chw[c * plane + i]!;
      out[i * 4 + c] = Math.max(0, Math.min(255, Math.round(v * 255)));
    }
    out[i * 4 + 3] = 255;
  }
  return out;
}

/** Read view `image` of an image tensor [*, 3, S, S] back as RGBA8 (waits for the GPU). */
export async function readViewRgba8(ctx: GpuContext, images: GPUBuffer, image: number, size: number) {
  const plane = 3 * size * size;
  return chwToRgba8(await readF32(ctx, images, plane, image * plane), size);
}
