/**
 * A minimal protocol-buffers writer (wire format only, no schema): enough to serialise ONNX's
 * ModelProto. Messages are built bottom-up: a nested message is written into its own writer, and
 * its bytes are appended to the parent as a length-delimited field.
 */

/** Wire types of the protobuf encoding. */
const VARINT = 0;
const FIXED64 = 1;
const LEN = 2;
const FIXED32 = 5;

export class ProtoWriter {
  private chunks: Uint8Array[] = [];
  private cur = new Uint8Array(256);
  private pos = 0;
  private total = 0;

  private ensure(n: number): void {
    if (this.pos + n <= this.cur.length) return;
    this.flush();
    if (n > this.cur.length) this.cur = new Uint8Array(Math.max(n, 2 * this.cur.length));
  }

  private flush(): void {
    if (this.pos === 0) return;
    this.chunks.push(this.cur.slice(0, this.pos));
    this.pos = 0;
  }

  /** Unsigned varint of a non-negative integer below 2^53, or a bigint (int64 two's complement). */
  varint(v: number | bigint): this {
    let x = typeof v === 'bigint' ? BigInt.asUintN(64, v) : BigInt.asUintN(64, BigInt(v));
    this.ensure(10);
    do {
      let byte = Number(x & 0x7fn);
      x >>= 7n;
      if (x !== 0n) byte |= 0x80;
      this.cur[this.pos++] = byte;
      this.total++;
    } while (x !== 0n);
    return this;
  }

  private tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  /** An int32/int64/enum/bool field (negative values take 10 bytes, as protobuf specifies). */
  int(field: number, v: number | bigint): this {
    this.tag(field, VARINT);
    return this.varint(typeof v === 'bigint' ? v : BigInt(Math.trunc(v)));
  }

  float(field: number, v: number): this {
    this.tag(field, FIXED32);
    this.ensure(4);
    new DataView(this.cur.buffer, this.cur.byteOffset + this.pos, 4).setFloat32(0, v, true);
    this.pos += 4;
    this.total += 4;
    return this;
  }

  double(field: number, v: number): this {
    this.tag(field, FIXED64);
    this.ensure(8);
    new DataView(this.cur.buffer, this.cur.byteOffset + this.pos, 8).setFloat64(0, v, true);
    this.pos += 8;
    this.total += 8;
    return this;
  }

  bytes(field: number, data: Uint8Array): this {
    this.tag(field, LEN);
    this.varint(data.length);
    this.flush();
    // Large payloads (weights) are kept as chunks, not copied into the scratch buffer.
    this.chunks.push(data);
    this.total += data.length;
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  message(field: number, m: ProtoWriter): this {
    this.tag(field, LEN);
    this.varint(m.length);
    this.flush();
    this.chunks.push(...m.parts());
    this.total += m.length;
    return this;
  }

  /** A packed repeated varint field (proto3's default for repeated scalars). */
  packedInts(field: number, vs: readonly (number | bigint)[]): this {
    const inner = new ProtoWriter();
    for (const v of vs) inner.varint(typeof v === 'bigint' ? v : BigInt(Math.trunc(v)));
    this.tag(field, LEN);
    this.varint(inner.length);
    this.flush();
    this.chunks.push(...inner.parts());
    this.total += inner.length;
    return this;
  }

  get length(): number {
    return this.total;
  }

  private parts(): Uint8Array[] {
    this.flush();
    return this.chunks;
  }

  finish(): Uint8Array {
    const parts = this.parts();
    const out = new Uint8Array(this.total);
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}
