import { useEffect, useRef, useState } from 'react';
import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';

/** An orbitable 3-D view of a point cloud ([n·3] xyz), coloured by height. */
export function PointCloudView({
  points,
  size = 300,
  label,
}: {
  points: Float32Array;
  size?: number;
  label: string;
}) {
  const host = useRef<HTMLDivElement>(null);
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
    let ymin = Number.POSITIVE_INFINITY;
    let ymax = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      ymin = Math.min(ymin, points[3 * i + 1]!);
      ymax = Math.max(ymax, points[3 * i + 1]!);
    }
    const colors = new Float32Array(n * 3);
    const c = new THREE.Color();
    for (let i = 0; i < n; i++) {
      const t = (points[3 * i + 1]! - ymin) / (ymax - ymin || 1);
      c.setHSL(0.64 - 0.5 * t, 0.75, 0.42);
      colors.set([c.r, c.g, c.b], 3 * i);
    }
    geom.setAttribute('color', new THREE.BufferAttribute(colors, 3));
    // Sparse clouds get bigger dots so the shape still reads.
    const mat = new THREE.PointsMaterial({
      size: Math.min(0.07, Math.max(0.02, 0.9 / Math.sqrt(n))),
      vertexColors: true,
    });
    scene.add(new THREE.Points(geom, mat));
    // A floor grid under the unit sphere, for orientation (y is up).
    const grid = new THREE.GridHelper(2, 8, 0xc5ccd6, 0xdfe3e8);
    grid.position.y = -1;
    scene.add(grid);
    const controls = new OrbitControls(camera, renderer.domElement);
    // Draw on demand (when the view moves), not every frame: the engine shares the CPU/GPU.
    let raf = 0;
    const render = () => {
      raf = 0;
      renderer.render(scene, camera);
    };
    const request = () => {
      if (!raf) raf = requestAnimationFrame(render);
    };
    controls.addEventListener('change', request);
    render();
    return () => {
      if (raf) cancelAnimationFrame(raf);
      controls.removeEventListener('change', request);
      controls.dispose();
      geom.dispose();
      mat.dispose();
      grid.dispose();
      renderer.dispose();
      renderer.domElement.remove();
    };
  }, [points, size, label]);

  return (
    <div ref={host} className="cloud-view" style={{ width: size, height: size }}>
      {failed && <p>{failed}</p>}
    </div>
  );
}
