import { encode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { decodePngRgb } from './png';

/** A 5×3 RGBA view whose pixel i is (i, 2i, 3i, alpha 7). */
const rgba = () =>
  encode({
    width: 5,
    height: 3,
    channels: 4,
    depth: 8,
    data: Uint8Array.from({ length: 60 }, (_, k) => (k % 4 === 3 ? 7 : ((k >> 2) * ((k % 4) + 1)) & 255)),
  });

describe('decodePngRgb', () => {
  it('drops alpha without compositing (as PIL convert("RGB")); 16-bit grey keeps the high byte on r, g, b', () => {
    const v = decodePngRgb('v.png', rgba());
    expect(v.width).toBe(5);
    expect(Array.from(v.rgb.subarray(12, 15))).toEqual([4, 8, 12]);
    const grey16 = encode({
      width: 2,
      height: 2,
      channels: 1,
      depth: 16,
      data: Uint16Array.from([0, 0x1234, 0xff00, 0xffff]),
    });
    expect(Array.from(decodePngRgb('g.png', grey16).rgb)).toEqual([
      0, 0, 0, 0x12, 0x12, 0x12, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    ]);
  });

  it('palette images expand; a bad signature, huge declared sizes and truncation are refused by file and place', () => {
    const pal = encode({
      width: 2,
      height: 1,
      channels: 1,
      depth: 8,
      data: Uint8Array.from([1, 0]),
      palette: [
        [10, 20, 30],
        [40, 50, 60],
      ],
    });
    expect(Array.from(decodePngRgb('p.png', pal).rgb)).toEqual([40, 50, 60, 10, 20, 30]);
    expect(() => decodePngRgb('x.png', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]))).toThrow(
      /^x\.png: byte 0: not a PNG file/,
    );
    const big = rgba().slice();
    new DataView(big.buffer).setUint32(16, 100_000);
    new DataView(big.buffer).setUint32(20, 100_000);
    expect(() => decodePngRgb('big.png', big)).toThrow(
      /^big\.png: byte 16: a 100000×100000 image is empty or too large/,
    );
    expect(() => decodePngRgb('cut.png', rgba().slice(0, 40))).toThrow(
      /^cut\.png: byte 8: PNG could not be decoded/,
    );
  });
});
