import { useEffect, useRef, useState } from 'react';
import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';

/**
 * An orbitable 3-D view of a point cloud ([n·3] xyz) with a colour per point ([n·3] rgb in 0..1);
 * `onHover` gets the point under the pointer (or null) so the caller can say what it is.
 */
export function PartCloudView({
  points,
  colors,
  size = 320,
  label,
  onHover,
}: {
  points: Float32Array;
  colors: Float32Array;
  size?: number;
  label: string;
  onHover: (index: number | null) => void;
}) {
  const host = useRef<HTMLDivElement>(null);
  const hover = useRef(onHover);
  hover.current = onHover;
  const colorAttr = useRef<THREE.BufferAttribute | null>(null);
  const redraw = useRef<() => void>(() => {});
  const [failed, setFailed] = useState<string | null>(null);

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
    const attr = new THREE.BufferAttribute(new Float32Array(n * 3), 3);
    geom.setAttribute('color', attr);
    colorAttr.current = attr;
    const dot = Math.min(0.07, Math.max(0.02, 0.9 / Math.sqrt(n)));
    const mat = new THREE.PointsMaterial({ size: dot, vertexColors: true });
    const cloud = new THREE.Points(geom, mat);
    scene.add(cloud);
    const controls = new OrbitControls(camera, renderer.domElement);
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
      const r = renderer.domElement.getBoundingClientRect();
      const ndc = new THREE.Vector2(
        ((e.clientX - r.left) / r.width) * 2 - 1,
        -((e.clientY - r.top) / r.height) * 2 + 1,
      );
      ray.setFromCamera(ndc, camera);
      const hit = ray.intersectObject(cloud)[0];
      hover.current(hit?.index ?? null);
    };
    const onLeave = () => hover.current(null);
    renderer.domElement.addEventListener('pointermove', onMove);
    renderer.domElement.addEventListener('pointerleave', onLeave);
    return () => {
      if (raf) cancelAnimationFrame(raf);
      renderer.domElement.removeEventListener('pointermove', onMove);
      renderer.domElement.removeEventListener('pointerleave', onLeave);
      controls.removeEventListener('change', request);
      controls.dispose();
      geom.dispose();
      mat.dispose();
      renderer.dispose();
      renderer.domElement.remove();
      colorAttr.current = null;
    };
  }, [points, size, label]);

  // New colours (another view mode) without rebuilding the scene; also after a rebuild (new points).
  // biome-ignore lint/correctness/useExhaustiveDependencies: points rebuild the scene, which needs its colours again
  useEffect(() => {
    const attr = colorAttr.current;
    if (!attr || attr.array.length !== colors.length) return;
    (attr.array as Float32Array).set(colors);
    attr.needsUpdate = true;
    redraw.current();
  }, [colors, points]);

  return (
    <div ref={host} className="cloud-view" style={{ width: size, height: size }}>
      {failed && <p>{failed}</p>}
    </div>
  );
}
