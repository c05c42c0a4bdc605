/**
 * Copies byte ranges four bytes at a time through DataViews kept for the last source and target
 * buffer. Buffer#copy makes a Uint8Array view per call on node 20 (a million records copied leave
 * ~80 MB of them for the collector), and a byte loop is ~3× slower. A walk or a load copies from and
 * into the same few buffers (an arena chunk, a scratch buffer), so the views are rarely remade.
 */
export class ViewCopier {
  private from: Uint8Array | null = null;
  private fromView: DataView = new DataView(new ArrayBuffer(0));
  private to: Uint8Array | null = null;
  private toView: DataView = new DataView(new ArrayBuffer(0));

  copy(from: Uint8Array, fromAt: number, to: Uint8Array, toAt: number, n: number): void {
    if (from !== this.from) {
      this.from = from;
      this.fromView = new DataView(from.buffer, from.byteOffset, from.byteLength);
    }
    if (to !== this.to) {
      this.to = to;
      this.toView = new DataView(to.buffer, to.byteOffset, to.byteLength);
    }
    const source = this.fromView;
    const target = this.toView;
    let i = 0;
    for (; i + 4 <= n; i += 4) target.setUint32(toAt + i, source.getUint32(fromAt + i, true), true);
    for (; i < n; i++) to[toAt + i] = from[fromAt + i];
  }
}
