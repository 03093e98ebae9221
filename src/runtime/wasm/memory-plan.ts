// Where everything lives in the module's linear memory: parameters (written once by the host
// after instantiation, and by adaptation later), state, stage buffers and scratch. Regions are
// 16-byte aligned so every slot is a naturally aligned v128. The memory never grows, so views
// made once stay valid for the policy's lifetime.

const PAGE = 65536;

export interface Init {
  readonly addr: number;
  readonly data: Float32Array;
}

export class MemoryPlan {
  private top = 16; // address 0 stays unused: a zero pointer is never a live buffer
  private readonly inits: Init[] = [];

  /** Reserves `bytes` (rounded up to 16) zero-initialised bytes; returns the address. */
  alloc(bytes: number): number {
    const at = this.top;
    this.top += Math.ceil(Math.max(bytes, 16) / 16) * 16;
    return at;
  }

  /** Reserves room for `data` and records it to be written at instantiation. */
  constant(data: Float32Array): number {
    const at = this.alloc(data.length * 4);
    this.inits.push({ addr: at, data });
    return at;
  }

  get bytes(): number {
    return this.top;
  }

  get pages(): number {
    return Math.max(1, Math.ceil(this.top / PAGE));
  }

  /** Writes every recorded constant into a fresh instance's memory. */
  writeInto(buffer: ArrayBuffer): void {
    const f = new Float32Array(buffer);
    for (const it of this.inits) f.set(it.data, it.addr / 4);
  }
}
