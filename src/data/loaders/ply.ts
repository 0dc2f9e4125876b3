import type { BufferGeometry } from 'three';
import { PLYLoader } from 'three/examples/jsm/loaders/PLYLoader.js';
import { DataFormatError } from '../errors';
import { allFinite, checkFinitePoints, requirePoints } from './checks';
import { walkPlyBody, type PlyRoles } from './ply-body';
import { checkPlySizes, type PlyHeader, parsePlyHeader } from './ply-header';
import type { DataFormat, LoadedShape } from './types';

const FORMAT: Record<PlyHeader['format'], DataFormat> = {
  ascii: 'ply-ascii',
  binary_little_endian: 'ply-binary-le',
  binary_big_endian: 'ply-binary-be',
};

/**
 * Reads a PLY file (ascii, binary little or big endian; float or double) into points, optional
 * normals and, for meshes, triangles. The header is checked strictly and the body walked once
 * (ply-header.ts, ply-body.ts) before three's PLYLoader decodes the vertex attributes from a
 * rewritten, canonical header, so PLYLoader never sees input it mishandles.
 */
export function loadPly(file: string, bytes: Uint8Array): LoadedShape {
  const header = parsePlyHeader(file, bytes);
  const warnings: string[] = [];
  const roles = findRoles(file, header, warnings);
  const vertexEl = header.elements[roles.vertex]!;
  requirePoints(file, vertexEl.count, { line: vertexEl.line }, `points ('element ${vertexEl.name} 0')`);
  checkPlySizes(file, bytes, header);
  const body = walkPlyBody(file, bytes, header, roles);
  warnings.push(...body.warnings);

  const labelProp = findPartLabel(vertexEl.properties);
  const geometry = runPlyLoader(file, bytes, header, roles, labelProp);
  const pos = geometry.getAttribute('position');
  if (!pos || pos.count !== vertexEl.count) {
    throw new DataFormatError(
      file,
      { byte: header.bodyOffset },
      `PLYLoader read ${pos?.count ?? 0} vertices where the header declares ${vertexEl.count}`,
    );
  }
  const points = Float32Array.from(pos.array as ArrayLike<number>);
  checkFinitePoints(file, points, body.vertexAt);

  let normals: Float32Array | undefined;
  const nrm = geometry.getAttribute('normal');
  if (nrm && nrm.count === vertexEl.count) {
    normals = Float32Array.from(nrm.array as ArrayLike<number>);
    if (!allFinite(normals)) {
      warnings.push('some normals are NaN or infinite: normals were dropped');
      normals = undefined;
    }
  }
  const big = [...body.polygonSizes.keys()].filter((k) => k > 4);
  if (big.length) warnings.push(`polygons with ${big.join(', ')} corners were fan-triangulated`);
  if (roles.face && body.triangles.length === 0 && header.elements[roles.face.element]!.count > 0) {
    warnings.push('the face element holds no usable triangles: read as a point cloud');
  }
  const shape: LoadedShape = {
    file,
    format: FORMAT[header.format],
    points,
    properties: vertexEl.properties.map((p) => p.name),
    warnings,
  };
  if (normals) shape.normals = normals;
  if (body.triangles.length > 0) shape.faces = body.triangles;
  if (labelProp) {
    const labels = readPartLabels(geometry, labelProp, vertexEl.count);
    if (typeof labels === 'string') warnings.push(labels);
    else shape.pointLabels = labels;
  }
  return shape;
}

/**
 * Per-vertex part-label property names, most specific first: ShapeNetPart's `pid` and `part`,
 * then the generic `label` that most segmentation exporters write, CloudCompare's
 * `scalar_label`, and `class`.
 */
export const PLY_PART_LABEL_NAMES = ['part', 'pid', 'part_id', 'label', 'scalar_label', 'class'] as const;
/** The attribute PLYLoader is asked to decode the label property into. */
const LABEL_ATTRIBUTE = 'partLabel';

/** The first scalar vertex property whose name is a part-label name, or null. */
function findPartLabel(props: PlyHeader['elements'][number]['properties']): string | null {
  for (const name of PLY_PART_LABEL_NAMES) {
    const p = props.find((q) => !q.countType && q.name.toLowerCase() === name);
    if (p) return p.name;
  }
  return null;
}

/** The label column as whole numbers, or why it is not read as part labels (a warning). */
function readPartLabels(geometry: BufferGeometry, name: string, count: number): Int32Array | string {
  const attr = geometry.getAttribute(LABEL_ATTRIBUTE);
  if (!attr || attr.count !== count) return `property '${name}' could not be decoded: no part labels read`;
  const values = attr.array as ArrayLike<number>;
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const v = values[i]!;
    if (!Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 31)
      return `property '${name}' of vertex ${i} is ${v}, not a whole number: not read as part labels`;
    out[i] = v;
  }
  return out;
}

const X_NAMES = ['x', 'px', 'posx'];
const Y_NAMES = ['y', 'py', 'posy'];
const Z_NAMES = ['z', 'pz', 'posz'];

/** Which element holds the points (and their x, y, z) and which the faces. */
function findRoles(file: string, h: PlyHeader, warnings: string[]): PlyRoles {
  const xyzOf = (props: { name: string; countType?: unknown }[]) => {
    const find = (names: string[]) => props.findIndex((p) => !p.countType && names.includes(p.name));
    return [find(X_NAMES), find(Y_NAMES), find(Z_NAMES)] as [number, number, number];
  };
  let vertex = h.elements.findIndex((e) => e.name === 'vertex');
  if (vertex < 0) {
    // Some writers call the point element `point` or `points`.
    vertex = h.elements.findIndex((e) => e.name === 'point' || e.name === 'points');
    if (vertex >= 0)
      warnings.push(`points read from element '${h.elements[vertex]!.name}' (there is no 'vertex' element)`);
  }
  if (vertex < 0) {
    const names = h.elements.map((e) => `'${e.name}'`).join(', ') || 'none';
    throw new DataFormatError(
      file,
      { line: h.headerLines },
      `no 'vertex' element with x, y, z properties (elements: ${names})`,
    );
  }
  const el = h.elements[vertex]!;
  const xyz = xyzOf(el.properties);
  const missing = xyz.map((i, a) => (i < 0 ? 'xyz'[a] : '')).join('');
  if (missing) {
    throw new DataFormatError(
      file,
      { line: el.line },
      `element '${el.name}' has no property ${missing.split('').join(', ')}`,
    );
  }
  const roles: PlyRoles = { vertex, xyz };
  const face = h.elements.findIndex((e) => e.name === 'face');
  if (face >= 0) {
    const props = h.elements[face]!.properties;
    let list = props.findIndex(
      (p) => p.countType && (p.name === 'vertex_indices' || p.name === 'vertex_index'),
    );
    if (list < 0 && props.filter((p) => p.countType).length === 1) list = props.findIndex((p) => p.countType);
    if (list < 0 || !props[list]!.type.integer) {
      if (h.elements[face]!.count > 0)
        warnings.push("the 'face' element has no integer vertex-index list: faces ignored");
    } else {
      roles.face = { element: face, list };
    }
  }
  return roles;
}

/**
 * Hands PLYLoader the body under a rewritten header: LF line ends, no comments, the point element
 * named `vertex`, every other element renamed so PLYLoader skips it (faces come from the body
 * walk), and other properties of `vertex` kept so positions and normals decode as PLYLoader does.
 */
function runPlyLoader(
  file: string,
  bytes: Uint8Array,
  h: PlyHeader,
  roles: PlyRoles,
  labelProp: string | null,
): BufferGeometry {
  const lines = ['ply', `format ${h.format} 1.0`];
  h.elements.forEach((el, ei) => {
    const isVertex = ei === roles.vertex;
    lines.push(`element ${isVertex ? 'vertex' : `skip${ei}`} ${el.count}`);
    el.properties.forEach((p, pi) => {
      const name = isVertex ? safeName(p.name, pi) : `p${pi}`;
      lines.push(
        p.countType
          ? `property list ${p.countType.canon} ${p.type.canon} ${name}`
          : `property ${p.type.canon} ${name}`,
      );
    });
  });
  lines.push('end_header', '');
  const head = new TextEncoder().encode(lines.join('\n'));
  const body = bytes.subarray(h.bodyOffset);
  const buf = new Uint8Array(head.length + body.length);
  buf.set(head, 0);
  buf.set(body, head.length);
  try {
    const loader = new PLYLoader();
    // The part-label property keeps its name in the rewritten header (the label names are plain
    // identifiers), so PLYLoader decodes it as one more attribute.
    if (labelProp) loader.setCustomPropertyNameMapping({ [LABEL_ATTRIBUTE]: [labelProp] });
    return loader.parse(buf.buffer) as BufferGeometry;
  } catch (e) {
    throw new DataFormatError(
      file,
      { byte: h.bodyOffset },
      `PLYLoader could not read the body: ${(e as Error).message}`,
    );
  }
}

/** Property names as PLYLoader will see them: names it treats specially are kept, odd ones replaced. */
function safeName(name: string, index: number): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && name !== '__proto__' && name !== 'constructor'
    ? name
    : `p${index}`;
}
