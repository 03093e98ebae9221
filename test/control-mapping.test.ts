// The mapping config: a good document parses with its defaults and offsets; every mistake is a
// coded LnnError naming the file and field.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkMapping, defaultMapping, MAPPING_DEFAULTS, parseMapping, readMappingFile } from '../src/control/mapping.ts';
import { LnnError } from '../src/errors.ts';

const good = {
  format: 'lnn-mapping/1',
  robotId: 'rover-1',
  autoArm: false,
  watchdogS: 0.5,
  inputs: [
    { name: 'camera', topic: 'camera/image', size: 1024, min: 0, max: 1, mean: 0.5, std: 0.25, maxAgeS: 0.1 },
    { name: 'speed_mps', topic: 'odom', min: -5, max: 5 },
  ],
  outputs: [
    { name: 'steer_rad', topic: 'cmd_vel', min: -0.5, max: 0.5, ratePerS: 2, failsafe: 0 },
    { name: 'throttle', size: 2, min: 0, max: 1, failsafe: 0, scale: 0.5, bias: 0.5, ratePerS: null },
  ],
};

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof LnnError) return `${e.code} ${e.where.field ?? ''}`.trim();
    throw e;
  }
  return 'no error';
}

function withChange(edit: (d: Record<string, unknown> & typeof good) => void): unknown {
  const d = structuredClone(good) as Record<string, unknown> & typeof good;
  edit(d);
  return d;
}

describe('parseMapping', () => {
  it('reads fields, offsets, sizes and defaults', () => {
    const m = parseMapping(good);
    expect(m.inputSize).toBe(1025);
    expect(m.outputSize).toBe(3);
    expect(m.inputs[1]).toMatchObject({ name: 'speed_mps', offset: 1024, size: 1, mean: 0, std: 1, maxAgeS: MAPPING_DEFAULTS.maxAgeS });
    expect(m.outputs[1]).toMatchObject({ offset: 1, size: 2, ratePerS: Infinity, scale: 0.5, bias: 0.5 });
    expect(m).toMatchObject({ robotId: 'rover-1', autoArm: false, watchdogS: 0.5 });
    expect(Object.isFrozen(m.inputs[0])).toBe(true);
    const bare = parseMapping({ format: 'lnn-mapping/1', inputs: [{ name: 'a' }], outputs: [{ name: 'b', min: -1, max: 1, failsafe: 0 }] });
    expect(bare).toMatchObject({ robotId: 'robot', autoArm: false, watchdogS: 1 });
    expect(bare.inputs[0]).toMatchObject({ min: -Infinity, max: Infinity, topic: '' });
  });

  it.each([
    ['wrong format', (d: typeof good) => { d.format = 'lnn-mapping/9'; }, 'LNN_E_FORMAT format'],
    ['missing inputs', (d: Record<string, unknown>) => { delete d.inputs; }, 'LNN_E_MISSING_KEY inputs'],
    ['empty outputs', (d: typeof good) => { d.outputs = []; }, 'LNN_E_RANGE outputs'],
    ['unknown top key', (d: Record<string, unknown>) => { d.wachdogS = 1; }, 'LNN_E_UNKNOWN_KEY wachdogS'],
    ['unknown field key', (d: typeof good) => { (d.inputs[0] as Record<string, unknown>).maxAge = 1; }, 'LNN_E_UNKNOWN_KEY inputs[0].maxAge'],
    ['size not an integer', (d: typeof good) => { d.inputs[0].size = 1.5; }, 'LNN_E_TYPE inputs[0].size'],
    ['size zero', (d: typeof good) => { d.inputs[0].size = 0; }, 'LNN_E_RANGE inputs[0].size'],
    ['min ≥ max', (d: typeof good) => { d.inputs[1].min = 5; }, 'LNN_E_RANGE inputs[1].max'],
    ['std zero', (d: typeof good) => { d.inputs[0].std = 0; }, 'LNN_E_RANGE inputs[0].std'],
    ['maxAgeS negative', (d: typeof good) => { d.inputs[0].maxAgeS = -1; }, 'LNN_E_RANGE inputs[0].maxAgeS'],
    ['output without a clamp', (d: typeof good) => { delete (d.outputs[0] as Record<string, unknown>).max; }, 'LNN_E_MISSING_KEY outputs[0].max'],
    ['output without failsafe', (d: typeof good) => { delete (d.outputs[0] as Record<string, unknown>).failsafe; }, 'LNN_E_MISSING_KEY outputs[0].failsafe'],
    ['failsafe outside the clamp', (d: typeof good) => { d.outputs[0].failsafe = 0.6; }, 'LNN_E_RANGE outputs[0].failsafe'],
    ['rate zero', (d: typeof good) => { d.outputs[0].ratePerS = 0; }, 'LNN_E_RANGE outputs[0].ratePerS'],
    ['a string where a number goes', (d: typeof good) => { (d.outputs[0] as Record<string, unknown>).min = '-1'; }, 'LNN_E_TYPE outputs[0].min'],
    ['duplicate name', (d: typeof good) => { d.outputs[1].name = 'camera'; }, 'LNN_E_RANGE outputs[1].name'],
    ['bad name', (d: typeof good) => { d.inputs[0].name = 'a b'; }, 'LNN_E_RANGE inputs[0].name'],
    ['bad robot id', (d: typeof good) => { d.robotId = 'a/b'; }, 'LNN_E_RANGE robotId'],
    ['autoArm not a boolean', (d: Record<string, unknown>) => { d.autoArm = 'yes'; }, 'LNN_E_TYPE autoArm'],
  ])('%s is a coded error', (_name, edit, want) => {
    expect(codeOf(() => parseMapping(withChange(edit as (d: typeof good) => void)))).toBe(want);
  });

  it('a file names itself in the error; bad JSON is LNN_E_JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lnn-map-'));
    const f = join(dir, 'm.json');
    writeFileSync(f, JSON.stringify({ ...good, format: 'x' }));
    expect(() => readMappingFile(f)).toThrow(/LNN_E_FORMAT: .*m\.json: format/);
    writeFileSync(f, '{"format": ');
    expect(codeOf(() => readMappingFile(f))).toMatch(/^LNN_E_JSON/);
    expect(codeOf(() => readMappingFile(join(dir, 'none.json')))).toMatch(/^LNN_E_FILE_NOT_FOUND/);
  });
});

describe('checkMapping / defaultMapping', () => {
  it('the widths must match the model', () => {
    const m = parseMapping(good);
    expect(() => checkMapping(m, { inputSize: 1025, outputSize: 3 })).not.toThrow();
    expect(codeOf(() => checkMapping(m, { inputSize: 1024, outputSize: 3 }))).toBe('LNN_E_INPUT_WIDTH inputs');
    expect(codeOf(() => checkMapping(m, { inputSize: 1025, outputSize: 1 }))).toBe('LNN_E_INPUT_WIDTH outputs');
  });

  it('the default mapping is one field each way, not armed automatically', () => {
    const m = defaultMapping({ inputSize: 32, outputSize: 4 });
    expect(m.inputs).toHaveLength(1);
    expect(m.inputs[0]).toMatchObject({ name: 'x', size: 32 });
    expect(m.outputs[0]).toMatchObject({ name: 'y', size: 4, failsafe: 0 });
    expect(m.autoArm).toBe(false);
  });
});
