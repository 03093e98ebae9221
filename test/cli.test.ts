// The `lnn` CLI end to end through the built bundle: the DESIGN.md §8.2 JSON contracts, help,
// and coded errors with exit code 2 and no stack trace.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { VERSION } from '../src/version.ts';
import { FIXTURES, golden, maxAbsDiff, type GoldenCase, type GoldenTensor } from './helpers/fixtures.ts';
import { lnn, lnnJson, ROOT } from './helpers/cli.ts';
import { TOLERANCES } from './helpers/tolerances.ts';

let dir = '';
const caseFile = (c: GoldenCase): string => {
  const f = join(dir, `${c.name}.json`);
  writeFileSync(f, JSON.stringify(c));
  return f;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lnn-cli-'));
});

function expectClose(got: GoldenTensor, want: GoldenTensor, tol: number): void {
  expect(got.shape).toEqual(want.shape);
  expect(maxAbsDiff(got.data, want.data)).toBeLessThanOrEqual(tol);
}

describe('lnn basics', () => {
  it('prints its version, in step with package.json', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
    expect(lnn(['--version']).stdout.trim()).toBe(pkg.version);
  });
  it.each(['inspect', 'predict', 'import', 'wiring'])('%s --help', (cmd) => {
    const r = lnn([cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: lnn ${cmd}`);
  });
  it('rejects an unknown command with LNN_E_USAGE and exit 2', () => {
    const r = lnn(['fly']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^lnn: LNN_E_USAGE: unknown command "fly"/);
    expect(r.stderr).not.toContain('    at ');
  });
  it('rejects unknown and malformed options', () => {
    expect(lnn(['wiring', 'ncp', '--interr', '3']).stderr).toMatch(/LNN_E_USAGE: unknown option --interr/);
    expect(lnn(['wiring', 'autoncp', '--units', 'x', '--outputs', '1', '--input-dim', '3']).stderr).toMatch(/--units expects an integer/);
    expect(lnn(['predict', '--inputs', 'a.json']).stderr).toMatch(/missing required option --model/);
  });
});

describe('lnn wiring --json matches ncps', () => {
  for (const [name, w] of Object.entries(golden().wirings)) {
    it(name, () => {
      const c = w.ctor;
      const args = c[0] === 'ncp'
        ? ['wiring', 'ncp', '--inter', c[1], '--command', c[2], '--motor', c[3], '--sensory-fanout', c[4], '--inter-fanout', c[5],
          '--recurrent-command', c[6], '--motor-fanin', c[7], '--seed', c[8], '--input-dim', w.input_dim, '--json']
        : ['wiring', 'autoncp', '--units', c[1], '--outputs', c[2], '--sparsity', c[3], '--seed', c[4], '--input-dim', w.input_dim, '--json'];
      const got = lnnJson(args.map(String));
      expect(Object.keys(got)).toEqual(['units', 'input_dim', 'output_dim', 'layers', 'adjacency_matrix', 'sensory_adjacency_matrix']);
      expect(got).toEqual({
        units: w.units, input_dim: w.input_dim, output_dim: w.output_dim, layers: w.layers,
        adjacency_matrix: w.adjacency_matrix, sensory_adjacency_matrix: w.sensory_adjacency_matrix,
      });
    });
  }
  it('reports invalid wiring arguments with LNN_E_WIRING', () => {
    const r = lnn(['wiring', 'ncp', '--inter', '4', '--command', '2', '--motor', '1', '--sensory-fanout', '6', '--inter-fanout', '1',
      '--recurrent-command', '1', '--motor-fanin', '1', '--input-dim', '3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/LNN_E_WIRING: .*sensory_fanout/);
  });
});

describe('lnn predict --json on ncps exports', () => {
  const pseudo = JSON.parse(readFileSync(join(FIXTURES, 'ncps-pseudo-golden.json'), 'utf8')) as { cases: GoldenCase[] };
  const pick = new Set(['cfc_fc_mixed_proj_silu', 'ltc_fullyconnected5_out2_last', 'cfc_wired_autoncp19_pure', 'cfc_fc_nobackbone_no_timespans']);
  const cases = [...golden().cases, ...pseudo.cases.filter((c) => pick.has(c.name))];
  for (const c of cases) {
    it(c.name, () => {
      const f = caseFile(c);
      const r = lnnJson<{ backend: string; output: GoldenTensor; final_state: GoldenTensor | GoldenTensor[] }>(
        ['predict', '--model', f, '--inputs', f, '--backend', 'ref', '--json']);
      expect(Object.keys(r)).toEqual(['backend', 'output', 'final_state']);
      expect(r.backend).toBe('ref');
      expectClose(r.output, c.output, TOLERANCES.refVsNcps);
      const want = Array.isArray(c.final_state) ? c.final_state : [c.final_state];
      const got = Array.isArray(r.final_state) ? r.final_state : [r.final_state];
      expect(got.length).toBe(want.length);
      want.forEach((t, i) => expectClose(got[i] as GoldenTensor, t, TOLERANCES.refVsNcps));
    });
  }
});

describe('lnn import ncps → inspect → predict', () => {
  it('gives the same numbers as predicting from the export', () => {
    const c = golden().cases.find((x) => x.name === 'cfc_wired_autoncp19_default') as GoldenCase;
    const f = caseFile(c);
    const out = join(dir, 'wired.lnn.json');
    const imp = lnn(['import', 'ncps', f, '-o', out]);
    expect(imp.code).toBe(0);
    const info = lnnJson<{ cell: { neurons: number; layers: number[] } }>(['inspect', out, '--json']);
    expect(info.cell.neurons).toBe(19);
    expect(info.cell.layers).toEqual([11, 7, 1]);
    const a = lnnJson<{ output: GoldenTensor }>(['predict', '--model', out, '--inputs', f, '--json']);
    const b = lnnJson<{ output: GoldenTensor }>(['predict', '--model', f, '--inputs', f, '--json']);
    expect(a.output).toEqual(b.output);
  });
  it('names the backend it ran and rejects unknown or unavailable ones', () => {
    const c = golden().cases[0] as GoldenCase;
    const f = caseFile(c);
    // auto reports the concrete backend it chose, the fastest that can run the model
    const auto = lnnJson<{ backend: string }>(['predict', '--model', f, '--inputs', f, '--json']).backend;
    expect(['wasm', 'f32', 'ref']).toContain(auto);
    const bad = lnn(['predict', '--model', f, '--inputs', f, '--backend', 'gpu', '--json']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/LNN_E_BACKEND_UNKNOWN/);
    expect(bad.stdout).toBe('');
  });
  it('rejects an input of the wrong width with LNN_E_INPUT_WIDTH', () => {
    const c = golden().cases[0] as GoldenCase;
    const f = caseFile(c);
    const inputs = join(dir, 'narrow.json');
    writeFileSync(inputs, JSON.stringify({ input: { shape: [1, 2, 3], data: [0, 0, 0, 0, 0, 0] } }));
    const r = lnn(['predict', '--model', f, '--inputs', inputs, '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^lnn: LNN_E_INPUT_WIDTH: .*narrow\.json: input\.shape: input has 3 features per step but the model takes 8/);
  });
});

describe('lnn export and lnn quantize', () => {
  it('writes an ONNX file and a quantised model whose fixed outputs stay near ref', () => {
    const c = golden().cases.find((x) => x.name === 'cfc_wired_autoncp19_default') as GoldenCase;
    const f = caseFile(c);
    const onnx = join(dir, 'w.onnx');
    expect(lnn(['export', '--to', 'onnx', f, '-o', onnx]).code).toBe(0);
    // an ONNX ModelProto starts with field 1 (ir_version, varint): tag byte 0x08
    expect(readFileSync(onnx)[0]).toBe(0x08);
    const q = join(dir, 'w.q.lnn.json');
    expect(lnn(['quantize', '--model', f, '--calib', f, '-o', q]).code).toBe(0);
    const fixed = lnnJson<{ backend: string; output: GoldenTensor }>(['predict', '--model', q, '--inputs', f, '--backend', 'fixed', '--json']);
    expect(fixed.backend).toBe('fixed');
    expect(maxAbsDiff(fixed.output.data, c.output.data)).toBeLessThan(2e-2);
    const vec = join(dir, 'v.json');
    expect(lnn(['export', '--to', 'fixed-vectors', q, '-o', vec]).code).toBe(0);
    const v = JSON.parse(readFileSync(vec, 'utf8')) as { format: string; steps: number };
    expect(v.format).toBe('lnn-fixed-vectors/1');
    expect(v.steps).toBe(64);
  });
  it('every backend agrees with ncps on a golden case through lnn predict', () => {
    const c = golden().cases.find((x) => x.name === 'ltc_autoncp19_implicit_True') as GoldenCase;
    const f = caseFile(c);
    for (const b of ['f32', 'wasm', 'ort']) {
      const r = lnnJson<{ backend: string; output: GoldenTensor }>(['predict', '--model', f, '--inputs', f, '--backend', b, '--json']);
      expect(r.backend).toBe(b);
      expect(maxAbsDiff(r.output.data, c.output.data)).toBeLessThan(1e-4);
    }
  });
});
