// A module: function types (deduplicated), functions with their bodies, one memory, exports.
// Enough of the binary format for generated kernels; no imports, tables, globals or data
// segments (the host writes parameters into the exported memory after instantiation).

import { ByteWriter } from './bytes.ts';
import type { FunctionBody } from './code.ts';
import { EXPORT_FUNC, EXPORT_MEMORY, Section, type ValType } from './opcodes.ts';

const MAGIC = [0x00, 0x61, 0x73, 0x6d];
const VERSION = [0x01, 0x00, 0x00, 0x00];
const FUNC_TYPE = 0x60;

interface Export { readonly name: string; readonly kind: number; readonly index: number }

export class ModuleBuilder {
  private readonly types: string[] = [];
  private readonly typeSigs: { params: readonly ValType[]; results: readonly ValType[] }[] = [];
  private readonly funcs: { type: number; body: FunctionBody }[] = [];
  private readonly exports: Export[] = [];
  private memory: { min: number; max: number | null } | null = null;

  /** Adds a function; returns its index. Export it with `exportFunction`. */
  addFunction(body: FunctionBody): number {
    this.funcs.push({ type: this.typeIndex(body.params, body.results), body });
    return this.funcs.length - 1;
  }

  exportFunction(name: string, index: number): this {
    this.exports.push({ name, kind: EXPORT_FUNC, index });
    return this;
  }

  /** The module's one memory, in 64 KiB pages; exported under `name` when given. */
  setMemory(minPages: number, maxPages: number | null = null, name: string | null = 'memory'): this {
    this.memory = { min: minPages, max: maxPages };
    if (name !== null) this.exports.push({ name, kind: EXPORT_MEMORY, index: 0 });
    return this;
  }

  private typeIndex(params: readonly ValType[], results: readonly ValType[]): number {
    const key = `${params.join(',')}->${results.join(',')}`;
    const i = this.types.indexOf(key);
    if (i >= 0) return i;
    this.types.push(key);
    this.typeSigs.push({ params, results });
    return this.types.length - 1;
  }

  encode(): Uint8Array {
    const w = new ByteWriter().bytes(MAGIC).bytes(VERSION);
    const section = (id: number, fill: (s: ByteWriter) => void): void => {
      const s = new ByteWriter();
      fill(s);
      w.byte(id).sized(s);
    };
    if (this.typeSigs.length > 0) {
      section(Section.type, (s) => s.vec(this.typeSigs, (o, t) => {
        o.byte(FUNC_TYPE).vec(t.params, (p, v) => p.byte(v)).vec(t.results, (p, v) => p.byte(v));
      }));
    }
    if (this.funcs.length > 0) section(Section.function, (s) => s.vec(this.funcs, (o, f) => o.u32(f.type)));
    const mem = this.memory;
    if (mem !== null) {
      section(Section.memory, (s) => {
        s.u32(1);
        if (mem.max === null) s.byte(0x00).u32(mem.min);
        else s.byte(0x01).u32(mem.min).u32(mem.max);
      });
    }
    if (this.exports.length > 0) section(Section.export, (s) => s.vec(this.exports, (o, e) => o.name(e.name).byte(e.kind).u32(e.index)));
    if (this.funcs.length > 0) section(Section.code, (s) => s.vec(this.funcs, (o, f) => o.sized(f.body.encode())));
    return w.finish();
  }
}
