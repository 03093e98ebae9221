// The two small file adapters @mcap/core needs: an IWritable that appends to a file (tracking its
// position) and an IReadable over a file handle (random access, for McapIndexedReader).

import { open, type FileHandle } from 'node:fs/promises';
import type { IWritable, McapTypes } from '@mcap/core';
import { LnnError } from '../../errors.ts';

/** Coalesces McapWriter's many small record writes into large file writes. */
const WRITE_BATCH_BYTES = 256 * 1024;

export class FileWritable implements IWritable {
  private pos = 0n;
  private batch = new Uint8Array(WRITE_BATCH_BYTES);
  private batchLen = 0;

  private constructor(private readonly fh: FileHandle, private readonly file: string) {}

  static async create(file: string): Promise<FileWritable> {
    try {
      return new FileWritable(await open(file, 'w'), file);
    } catch (e) {
      throw new LnnError('LNN_E_FILE_WRITE', `cannot create the recording: ${(e as Error).message}`, { file });
    }
  }

  position(): bigint {
    return this.pos;
  }

  async write(buffer: Uint8Array): Promise<void> {
    // McapWriter reuses `buffer` once this resolves: copy (into the batch) or write it out now.
    this.pos += BigInt(buffer.byteLength);
    if (this.batchLen + buffer.byteLength > this.batch.byteLength) await this.flush();
    if (buffer.byteLength >= this.batch.byteLength) {
      await this.writeAll(buffer);
      return;
    }
    this.batch.set(buffer, this.batchLen);
    this.batchLen += buffer.byteLength;
  }

  async flush(): Promise<void> {
    if (this.batchLen === 0) return;
    const n = this.batchLen;
    this.batchLen = 0;
    await this.writeAll(this.batch.subarray(0, n));
  }

  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      await this.fh.close();
    }
  }

  private async writeAll(b: Uint8Array): Promise<void> {
    try {
      let off = 0;
      while (off < b.byteLength) {
        const { bytesWritten } = await this.fh.write(b, off, b.byteLength - off);
        off += bytesWritten;
      }
    } catch (e) {
      throw new LnnError('LNN_E_FILE_WRITE', `cannot write the recording: ${(e as Error).message}`, { file: this.file });
    }
  }
}

/** Random access over an open file, as McapIndexedReader wants it. */
export class FileReadable implements McapTypes.IReadable {
  private constructor(readonly fh: FileHandle, private readonly bytes: bigint) {}

  static async open(file: string): Promise<FileReadable> {
    let fh: FileHandle;
    try {
      fh = await open(file, 'r');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'LNN_E_FILE_NOT_FOUND' : 'LNN_E_FILE_READ';
      throw new LnnError(code, `cannot open the recording: ${(e as Error).message}`, { file });
    }
    try {
      const st = await fh.stat();
      return new FileReadable(fh, BigInt(st.size));
    } catch (e) {
      await fh.close();
      throw new LnnError('LNN_E_FILE_READ', `cannot stat the recording: ${(e as Error).message}`, { file });
    }
  }

  async size(): Promise<bigint> {
    return this.bytes;
  }

  async read(offset: bigint, size: bigint): Promise<Uint8Array> {
    if (offset < 0n || size < 0n || offset + size > this.bytes) {
      throw new Error(`read of ${size} bytes at ${offset} is outside the file (${this.bytes} bytes)`);
    }
    const n = Number(size);
    const buf = new Uint8Array(n);
    let got = 0;
    while (got < n) {
      const { bytesRead } = await this.fh.read(buf, got, n - got, Number(offset) + got);
      if (bytesRead === 0) throw new Error(`file ended after ${got} of ${n} bytes at ${offset}`);
      got += bytesRead;
    }
    return buf;
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}
