import { useEffect, useRef, useState } from 'react';
import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';

export interface CloudRendererOptions {
  /** [n·3] xyz. */
  points: Float32Array;
  /** [n·3] rgb in 0..1, a colour per point; new colours repaint without rebuilding the scene. */
  colors: Float32Array;
  /** Canvas side in CSS pixels. */
  size: number;
  /** The canvas's accessible name. */
  label: string;
  /** A floor grid under the unit sphere, for orientation (y is up). */
  floorGrid?: boolean;
  /** Gets the point under the pointer (or null when none is, or the pointer leaves). */
  onHover?: (index: number | null) => void;
}

/**
 * The three.js part of the point-cloud views: a WebGL canvas appended to `host` with an orbitable
 * camera, the cloud as coloured dots sized to its density, drawing on demand, hover picking, and
 * everything disposed when the points, size or label change or the view unmounts. `failed` says
 * why there is no canvas (no WebGL).
 */
export function useCloudRenderer({
  points,
  colors,
  size,
  label,
  floorGrid = false,
  onHover,
}: CloudRendererOptions) {
  const host = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const hover = useRef(onHover);
  hover.current = onHover;
  const latestColors = useRef(colors);
  latestColors.current = colors;
  // The scene's colour attribute and the colours in it, so a colour change repaints in place.
  const colorAttr = useRef<THREE.BufferAttribute | null>(null);
  const shownColors = useRef<Float32Array | null>(null);
  const redraw = useRef<() => void>(() => {});

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    let renderer: THREE.WebGLRenderer;
    try {
      renderer = new THREE.WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
    } catch (e) {
      setFailed(`3-D view unavailable (WebGL: ${(e as Error).message})`);
      return;
    }
    renderer.setPixelRatio(Math.min(2, globalThis.devicePixelRatio || 1));
    renderer.setSize(size, size);
    renderer.setClearColor(0xf4f6f8);
    el.appendChild(renderer.domElement);
    renderer.domElement.setAttribute('aria-label', label);
    renderer.domElement.setAttribute('role', 'img');

    const scene = new THREE.Scene();
    const camera = new THREE.PerspectiveCamera(40, 1, 0.01, 100);
    camera.position.set(1.9, 1.25, 2.5);
    const geom = new THREE.BufferGeometry();
    geom.setAttribute('position', new THREE.BufferAttribute(points, 3));
    const n = points.length / 3;
    const first = latestColors.current.length === n * 3 ? latestColors.current : null;
    const attr = new THREE.BufferAttribute(first ? Float32Array.from(first) : new Float32Array(n * 3), 3);
    geom.setAttribute('color', attr);
    colorAttr.current = attr;
    shownColors.current = first;
    // Sparse clouds get bigger dots so the shape still reads.
    const dot = Math.min(0.07, Math.max(0.02, 0.9 / Math.sqrt(n)));
    const mat = new THREE.PointsMaterial({ size: dot, vertexColors: true });
    const cloud = new THREE.Points(geom, mat);
    scene.add(cloud);
    let grid: THREE.GridHelper | undefined;
    if (floorGrid) {
      grid = new THREE.GridHelper(2, 8, 0xc5ccd6, 0xdfe3e8);
      grid.position.y = -1;
      scene.add(grid);
    }
    const controls = new OrbitControls(camera, renderer.domElement);
    // Draw on demand (when the view moves or recolours), not every frame: the engine shares the CPU/GPU.
    let raf = 0;
    const render = () => {
      raf = 0;
      renderer.render(scene, camera);
    };
    const request = () => {
      if (!raf) raf = requestAnimationFrame(render);
    };
    redraw.current = request;
    controls.addEventListener('change', request);
    // The nearest point to the pointer's ray, within about a dot's size.
    const ray = new THREE.Raycaster();
    ray.params.Points = { threshold: dot };
    const onMove = (e: PointerEvent) => {
      if (!hover.current) return;
      const r = renderer.domElement.getBoundingClientRect();
      const ndc = new THREE.Vector2(
        ((e.clientX - r.left) / r.width) * 2 - 1,
        -((e.clientY - r.top) / r.height) * 2 + 1,
      );
      ray.setFromCamera(ndc, camera);
      const hit = ray.intersectObject(cloud)[0];
      hover.current(hit?.index ?? null);
    };
    const onLeave = () => hover.current?.(null);
    renderer.domElement.addEventListener('pointermove', onMove);
    renderer.domElement.addEventListener('pointerleave', onLeave);
    render();
    return () => {
      if (raf) cancelAnimationFrame(raf);
      renderer.domElement.removeEventListener('pointermove', onMove);
      renderer.domElement.removeEventListener('pointerleave', onLeave);
      controls.removeEventListener('change', request);
      controls.dispose();
      geom.dispose();
      mat.dispose();
      grid?.dispose();
      renderer.dispose();
      renderer.domElement.remove();
      colorAttr.current = null;
      shownColors.current = null;
      redraw.current = () => {};
    };
  }, [points, size, label, floorGrid]);

  // New colours (another view mode) without rebuilding the scene.
  useEffect(() => {
    const attr = colorAttr.current;
    if (!attr || colors === shownColors.current || attr.array.length !== colors.length) return;
    (attr.array as Float32Array).set(colors);
    attr.needsUpdate = true;
    shownColors.current = colors;
    redraw.current();
  }, [colors]);

  return { host, failed };
}
