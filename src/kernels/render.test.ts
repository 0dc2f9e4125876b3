import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { createStorageBuffer, readF32 } from '../gpu/buffers';
import type { GpuContext } from '../gpu/context';
import { Rng } from '../util/random';
import { drawCameras, type ViewCamera } from './render-camera';
import { encodeRgbaPng, readViewPng } from '../data/png';
import { chwToRgba8, planRender, readViewRgba8, uploadMesh, uploadPoints } from './render';
import { samplePoints } from '../data/sampling';
import { CATEGORIES, generateObject } from '../data/shapes/index';

const gpu = setupGpu();
const OUT = join(import.meta.dirname, '..', '..', 'test-output', 'renders');
const GREY: [number, number, number] = [0.6, 0.62, 0.7];

const cam = (azimuth: number, elevation = 28): ViewCamera => ({ azimuth, elevation, distance: 5, fov: 25 });

/** Object mask of an RGBA8 view: pixels that are not the white background. */
function mask(rgba: Uint8Array): Uint8Array {
  const m = new Uint8Array(rgba.length / 4);
  for (let i = 0; i < m.length; i++)
    m[i] = rgba[4 * i]! < 250 || rgba[4 * i + 1]! < 250 || rgba[4 * i + 2]! < 250 ? 1 : 0;
  return m;
}
const count = (m: Uint8Array) => m.reduce((s, v) => s + v, 0);
function iou(a: Uint8Array, b: Uint8Array): number {
  let i = 0;
  let u = 0;
  for (let k = 0; k < a.length; k++) {
    i += a[k]! & b[k]!;
    u += a[k]! | b[k]!;
  }
  return i / u;
}

async function renderMesh(
  ctx: GpuContext,
  category: (typeof CATEGORIES)[number],
  index: number,
  cams: ViewCamera[],
  S: number,
) {
  const r = await planRender(ctx, { size: S, maxViews: cams.length });
  const out = createStorageBuffer(ctx, cams.length * 3 * S * S * 4);
  const mesh = uploadMesh(ctx, generateObject(category, index, 0));
  r.render(mesh, cams, out, 0, { color: GREY });
  const views = [];
  for (let v = 0; v < cams.length; v++) views.push(await readViewRgba8(ctx, out, v, S));
  mesh.destroy();
  return { r, out, views };
}

describe('view rendering (shaders/render_mesh.wgsl, shaders/render_points.wgsl, shaders/render_readout.wgsl)', () => {
  it('a view has object and white background pixels, and stays inside the frame', async () => {
    const S = 64;
    const { r, out, views } = await renderMesh(gpu(), 'chair', 0, [cam(30)], S);
    const rgba = views[0]!;
    const m = mask(rgba);
    const fg = count(m);
    expect(fg).toBeGreaterThan(0.08 * S * S);
    expect(fg).toBeLessThan(0.8 * S * S);
    // Background is pure white; corners and the border rows are background.
    expect([...rgba.subarray(0, 4)]).toEqual([255, 255, 255, 255]);
    let border = 0;
    for (let x = 0; x < S; x++) border += m[x]! + m[(S - 1) * S + x]! + m[x * S]! + m[x * S + S - 1]!;
    expect(border).toBe(0);
    // Lambert shading: lit faces differ from faces in shadow (more than one grey level).
    const levels = new Set<number>();
    for (let i = 0; i < S * S; i++) if (m[i]) levels.add(rgba[4 * i]!);
    expect(levels.size).toBeGreaterThan(3);
    r.destroy();
    out.destroy();
  });

  it('the readout writes the resolved texture as f32 RGB planes [V, 3, S, S] (checked against copyTextureToBuffer)', async () => {
    const ctx = gpu();
    // 45: rows of 180 bytes, padded to 256 by copyTextureToBuffer.
    for (const S of [1, 45]) {
      const r = await planRender(ctx, { size: S, maxViews: 2 });
      const out = createStorageBuffer(ctx, 3 * 3 * S * S * 4);
      const mesh = uploadMesh(ctx, generateObject('car', 1, 0));
      // Image 1 and 2 of a 3-image tensor: the offset travels in the readout uniform.
      r.render(mesh, [cam(10), cam(200)], out, 1, { color: [0.9, 0.3, 0.2] });
      const bpr = Math.ceil((S * 4) / 256) * 256;
      const staging = ctx.device.createBuffer({
        size: bpr * S,
        usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ,
      });
      const enc = ctx.device.createCommandEncoder();
      enc.copyTextureToBuffer({ texture: r.texture }, { buffer: staging, bytesPerRow: bpr }, [S, S]);
      ctx.device.queue.submit([enc.finish()]);
      await staging.mapAsync(GPUMapMode.READ);
      const tex = new Uint8Array(staging.getMappedRange().slice(0));
      staging.unmap();
      const got = await readF32(ctx, out);
      // The texture holds the last view drawn (image 2).
      const plane = S * S;
      let maxErr = 0;
      for (let y = 0; y < S; y++) {
        for (let x = 0; x < S; x++) {
          for (let c = 0; c < 3; c++) {
            const want = tex[y * bpr + x * 4 + c]! / 255;
            maxErr = Math.max(maxErr, Math.abs(got[2 * 3 * plane + c * plane + y * S + x]! - want));
          }
        }
      }
      expect(maxErr).toBeLessThan(1e-6);
      // Image 0 was never written.
      expect(got.subarray(0, 3 * plane).every((v) => v === 0)).toBe(true);
      mesh.destroy();
      r.destroy();
      out.destroy();
      staging.destroy();
    }
  });

  it("the object's silhouette changes with azimuth, and rendering is deterministic", async () => {
    const S = 48;
    const { r, out, views } = await renderMesh(gpu(), 'airplane', 2, [cam(0), cam(90), cam(0)], S);
    const a = mask(views[0]!);
    const b = mask(views[1]!);
    expect(iou(a, b)).toBeLessThan(0.7);
    expect(Buffer.from(views[0]!).equals(Buffer.from(views[2]!))).toBe(true);
    r.destroy();
    out.destroy();
  });

  it('renders a point cloud as splats with about the silhouette of its mesh', async () => {
    const ctx = gpu();
    const S = 64;
    const m = generateObject('sofa', 4, 0);
    const s = samplePoints(m, 2048, 1);
    const r = await planRender(ctx, { size: S, maxViews: 1 });
    const out = createStorageBuffer(ctx, 3 * 3 * S * S * 4);
    const meshG = uploadMesh(ctx, m);
    const withN = uploadPoints(ctx, s.points, s.normals);
    const noN = uploadPoints(ctx, s.points);
    r.render(meshG, [cam(40)], out, 0, { color: GREY });
    r.render(withN, [cam(40)], out, 1, { color: GREY });
    r.render(noN, [cam(40)], out, 2, { color: GREY, splatRadius: 1.5 });
    const [vm, vp, vq] = [
      await readViewRgba8(ctx, out, 0, S),
      await readViewRgba8(ctx, out, 1, S),
      await readViewRgba8(ctx, out, 2, S),
    ];
    expect(iou(mask(vm), mask(vp))).toBeGreaterThan(0.6);
    expect(iou(mask(vm), mask(vq))).toBeGreaterThan(0.6);
    // Without normals the splats have one constant shade.
    const shades = new Set<number>();
    const mq = mask(vq);
    for (let i = 0; i < S * S; i++) if (mq[i]) shades.add(vq[4 * i]!);
    expect(shades.size).toBeLessThanOrEqual(3); // edges blend with the background under MSAA
    mkdirSync(OUT, { recursive: true });
    writeFileSync(join(OUT, 'sofa-mesh-vs-splats.png'), sheet([vm, vp, vq], S, 3));
    for (const g of [meshG, withN, noN]) g.destroy();
    r.destroy();
    out.destroy();
  });

  it('saves PNG snapshots of every category under test-output/renders/ (PNG round-trips)', async () => {
    const ctx = gpu();
    const S = 96;
    const per = 4;
    const r = await planRender(ctx, { size: S, maxViews: per });
    const out = createStorageBuffer(ctx, per * 3 * S * S * 4);
    const tiles: Uint8Array[] = [];
    mkdirSync(OUT, { recursive: true });
    for (const c of CATEGORIES) {
      for (let i = 0; i < per; i++) {
        const mesh = uploadMesh(ctx, generateObject(c, i, 0));
        r.render(mesh, drawCameras(new Rng(i), 1), out, i, { color: GREY });
        mesh.destroy();
      }
      for (let i = 0; i < per; i++) tiles.push(await readViewRgba8(ctx, out, i, S));
      const png = await readViewPng(ctx, out, 0, S);
      writeFileSync(join(OUT, `${c}-0.png`), png);
      const back = decode(png);
      expect([back.width, back.height, back.channels]).toEqual([S, S, 4]);
      expect(Buffer.from(back.data as Uint8Array).equals(Buffer.from(tiles[tiles.length - per]!))).toBe(true);
    }
    writeFileSync(join(OUT, 'categories.png'), sheet(tiles, S, per));
    r.destroy();
    out.destroy();
  });

  it('refuses more views than planned and an output buffer that is too small', async () => {
    const ctx = gpu();
    const r = await planRender(ctx, { size: 8, maxViews: 1 });
    const small = createStorageBuffer(ctx, 3 * 8 * 8 * 4);
    const mesh = uploadMesh(ctx, generateObject('lamp', 0, 0));
    expect(() => r.render(mesh, [cam(0), cam(1)], small, 0, { color: GREY })).toThrow('planned for 1');
    expect(() => r.render(mesh, [cam(0)], small, 1, { color: GREY })).toThrow('output buffer holds');
    mesh.destroy();
    r.destroy();
    small.destroy();
  });

  it('converts CHW floats to RGBA8 with rounding and clamping', () => {
    // One 1×1 view: R = 0.5, G = 1.2 (clamped), B = −0.1 (clamped).
    expect([...chwToRgba8(new Float32Array([0.5, 1.2, -0.1]), 1)]).toEqual([128, 255, 0, 255]);
  });
});

/** Tiles of S×S RGBA8, `cols` per row, as one PNG. */
function sheet(tiles: Uint8Array[], S: number, cols: number): Uint8Array {
  const rows = Math.ceil(tiles.length / cols);
  const W = cols * S;
  const img = new Uint8Array(rows * S * W * 4).fill(255);
  tiles.forEach((t, k) => {
    const ox = (k % cols) * S;
    const oy = Math.floor(k / cols) * S;
    for (let y = 0; y < S; y++) img.set(t.subarray(y * S * 4, (y + 1) * S * 4), ((oy + y) * W + ox) * 4);
  });
  return encodeRgbaPng(img, W, rows * S);
}
