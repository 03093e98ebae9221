// snapshot(world, trajectory) writes a valid PNG: signature, IHDR first with the image size,
// chunk CRCs, IDAT that inflates to height × (1 + 3·width) bytes, IEND last.
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { EpisodeCache } from '../sim/eval/jobs.ts';
import { runEpisodeJob } from '../sim/eval/episode.ts';
import { encodePng } from '../sim/eval/png.ts';
import { snapshot } from '../sim/eval/snapshot.ts';
import { generateDroneDoc } from '../sim/world/gen-drone.ts';
import { readWorld } from '../sim/world/read-world.ts';

interface Chunk { type: string; data: Uint8Array; crcOk: boolean }

function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (const x of b) {
    c ^= x;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

function chunks(png: Uint8Array): Chunk[] {
  const v = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const out: Chunk[] = [];
  for (let o = 8; o < png.length;) {
    const len = v.getUint32(o);
    const type = String.fromCharCode(...png.subarray(o + 4, o + 8));
    const data = png.subarray(o + 8, o + 8 + len);
    out.push({ type, data, crcOk: crc32(png.subarray(o + 4, o + 8 + len)) === v.getUint32(o + 8 + len) });
    o += 12 + len;
  }
  return out;
}

function checkPng(png: Uint8Array): { width: number; height: number } {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const cs = chunks(png);
  expect(cs[0].type).toBe('IHDR');
  expect(cs.at(-1)?.type).toBe('IEND');
  expect(cs.every((c) => c.crcOk)).toBe(true);
  const ih = new DataView(cs[0].data.buffer, cs[0].data.byteOffset, 13);
  const width = ih.getUint32(0), height = ih.getUint32(4);
  expect([ih.getUint8(8), ih.getUint8(9), ih.getUint8(10), ih.getUint8(11), ih.getUint8(12)]).toEqual([8, 2, 0, 0, 0]);
  const idat = Buffer.concat(cs.filter((c) => c.type === 'IDAT').map((c) => c.data));
  expect(inflateSync(idat).length).toBe(height * (1 + 3 * width));
  return { width, height };
}

describe('snapshot', () => {
  it('encodes a tiny image exactly', () => {
    const rgb = Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9]);
    const png = encodePng(2, 2, rgb);
    expect(checkPng(png)).toEqual({ width: 2, height: 2 });
    const raw = inflateSync(Buffer.concat(chunks(png).filter((c) => c.type === 'IDAT').map((c) => c.data)));
    expect([...raw]).toEqual([0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 255, 9, 9, 9]);
  });
  it('draws a lane episode (track, path, camera inset) as a valid PNG', () => {
    const cache = new EpisodeCache();
    const r = runEpisodeJob({ task: 'lane', index: 0, seed: 12, perturb: [], policy: 'expert', record: true, durationS: 10 }, cache);
    expect(r.trajectory?.xM.length).toBe(101);
    expect(r.trajectory?.camera?.data.length).toBe(64 * 16);
    const size = checkPng(snapshot(cache.world('lane', 12), r.trajectory!, { sizePx: 320 }));
    expect(Math.max(size.width, size.height)).toBe(320);
  });
  it('draws a drone forest with its target', () => {
    const png = snapshot(readWorld(generateDroneDoc(3)), { xM: [0, 5, 10], yM: [0, 1, 0], camera: null }, { sizePx: 200 });
    expect(Math.max(checkPng(png).width, checkPng(png).height)).toBe(200);
  });
});
