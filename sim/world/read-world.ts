// Reads and validates a `lnn-world/1` document (docs/worlds.md) into a frozen WorldSpec.
// Malformed input fails with a coded LnnError naming the file and the field: LNN_E_JSON,
// LNN_E_MISSING_KEY, LNN_E_TYPE, LNN_E_RANGE, LNN_E_UNKNOWN_KEY, LNN_E_LIMIT, LNN_E_FORMAT.

import { readTextFile } from '../../src/models/load.ts';
import {
  asArray, asBool, asEnum, asFreeObject, asNumber, asObject, asString, has, need, onlyKeys, parseJsonText, Where,
  type JsonObject,
} from '../../src/models/json-read.ts';
import { readPerturbList } from '../perturb/perturb.ts';
import { optNumber, readPair, readVec3 } from './read-common.ts';
import { readModels } from './read-models.ts';
import {
  WORLD_FORMAT, type AppearanceSpec, type ForestSpec, type MarkingStyle, type ModelSpec, type PluginSpec,
  type TargetSpec, type TaskSpec, type TrackSpec, type WorldSpec,
} from './types.ts';

const TOP_KEYS = [
  'format', 'name', 'description', 'seed', 'physics', 'origin', 'appearance', 'models', 'track', 'forest', 'target',
  'task', 'plugins', 'perturbations',
];
export const MAX_TRACK_M = 20000;
export const MAX_SEGMENTS = 10000;
export const MAX_FOREST_OBSTACLES = 20000;

export function readWorldFile(file: string): WorldSpec {
  return readWorld(parseJsonText(readTextFile(file), file), file);
}

export function readWorld(doc: unknown, file?: string, source?: string): WorldSpec {
  const w = new Where(file, '');
  const o = asObject(doc, w);
  const format = asString(need(o, 'format', w), w.key('format'));
  if (format !== WORLD_FORMAT) w.key('format').fail('LNN_E_FORMAT', `unsupported format "${format}" (this lnn-edge reads "${WORLD_FORMAT}")`);
  onlyKeys(o, TOP_KEYS, w);
  const physics = readPhysics(o, w);
  const models = has(o, 'models') ? readModels(o.models, w.key('models'), physics.rateHz) : [];
  const track = has(o, 'track') ? readTrack(o.track, w.key('track')) : null;
  const target = has(o, 'target') ? readTarget(o.target, w.key('target')) : null;
  const spec: WorldSpec = {
    name: has(o, 'name') ? asString(o.name, w.key('name')) : 'world',
    seed: optNumber(o, 'seed', w, 0, { int: true, min: 0, max: Number.MAX_SAFE_INTEGER }),
    physics,
    origin: readOrigin(o, w),
    appearance: readAppearance(o, w),
    models,
    track,
    forest: has(o, 'forest') ? readForest(o.forest, w.key('forest')) : null,
    target,
    task: has(o, 'task') ? readTask(o.task, w.key('task'), models, track, target, physics.rateHz) : null,
    plugins: has(o, 'plugins') ? readPlugins(o.plugins, w.key('plugins')) : [],
    perturbations: has(o, 'perturbations') ? readPerturbList(o.perturbations, w.key('perturbations')) : [],
    source: source ?? file ?? 'world',
  };
  return deepFreeze(spec);
}

function readPhysics(o: JsonObject, w: Where): WorldSpec['physics'] {
  if (!has(o, 'physics')) return { rateHz: 150, realTimeFactor: 0, gravityMps2: 9.81 };
  const pw = w.key('physics');
  const p = asObject(o.physics, pw);
  onlyKeys(p, ['rate_hz', 'real_time_factor', 'gravity_mps2'], pw);
  return {
    // 10 kHz: beyond it a 60 s episode is 600k steps, far past any use here.
    rateHz: optNumber(p, 'rate_hz', pw, 150, { above: 0, limit: 10000 }),
    realTimeFactor: optNumber(p, 'real_time_factor', pw, 0, { min: 0, max: 1e6 }),
    gravityMps2: optNumber(p, 'gravity_mps2', pw, 9.81, { min: 0, max: 100 }),
  };
}

function readOrigin(o: JsonObject, w: Where): WorldSpec['origin'] {
  // Default: MIT's campus, where the NCP and CfC driving data were recorded (Boston area).
  if (!has(o, 'origin')) return { latitudeDeg: 42.3601, longitudeDeg: -71.0942, altitudeM: 10 };
  const ow = w.key('origin');
  const g = asObject(o.origin, ow);
  onlyKeys(g, ['latitude_deg', 'longitude_deg', 'altitude_m'], ow);
  return {
    latitudeDeg: asNumber(need(g, 'latitude_deg', ow), ow.key('latitude_deg'), { min: -89, max: 89 }),
    longitudeDeg: asNumber(need(g, 'longitude_deg', ow), ow.key('longitude_deg'), { min: -180, max: 180 }),
    altitudeM: optNumber(g, 'altitude_m', ow, 0, { min: -1e4, max: 1e5 }),
  };
}

const APPEARANCE_DEFAULT: AppearanceSpec = {
  brightness: 1, sky: 0.8, asphalt: 0.32, grass: 0.55, marking: 0.92, texture: 0.04, shadows: 0, shadowStrength: 0.35,
};

function readAppearance(o: JsonObject, w: Where): AppearanceSpec {
  if (!has(o, 'appearance')) return APPEARANCE_DEFAULT;
  const aw = w.key('appearance');
  const a = asObject(o.appearance, aw);
  onlyKeys(a, ['brightness', 'sky', 'asphalt', 'grass', 'marking', 'texture', 'shadows', 'shadow_strength'], aw);
  const d = APPEARANCE_DEFAULT;
  const unit = { min: 0, max: 1 };
  return {
    brightness: optNumber(a, 'brightness', aw, d.brightness, { min: 0, max: 10 }),
    sky: optNumber(a, 'sky', aw, d.sky, unit),
    asphalt: optNumber(a, 'asphalt', aw, d.asphalt, unit),
    grass: optNumber(a, 'grass', aw, d.grass, unit),
    marking: optNumber(a, 'marking', aw, d.marking, unit),
    texture: optNumber(a, 'texture', aw, d.texture, { min: 0, max: 0.5 }),
    shadows: optNumber(a, 'shadows', aw, d.shadows, { int: true, min: 0, limit: 10000 }),
    shadowStrength: optNumber(a, 'shadow_strength', aw, d.shadowStrength, unit),
  };
}

const MARKING_STYLES: readonly MarkingStyle[] = ['solid', 'dashed', 'none'];

function readTrack(v: unknown, w: Where): TrackSpec {
  const t = asObject(v, w);
  onlyKeys(t, ['closed', 'lane_width_m', 'shoulder_m', 'start', 'segments', 'markings'], w);
  const segs = asArray(need(t, 'segments', w), w.key('segments'));
  if (segs.length === 0) w.key('segments').fail('LNN_E_RANGE', 'a track needs at least one segment');
  if (segs.length > MAX_SEGMENTS) w.key('segments').fail('LNN_E_LIMIT', `${segs.length} segments is beyond the limit ${MAX_SEGMENTS}`);
  let total = 0;
  const segments = segs.map((s, i) => {
    const sw = w.key('segments').at(i);
    const so = asObject(s, sw);
    onlyKeys(so, ['length_m', 'curvature_1pm', 'ramp_m'], sw);
    const lengthM = asNumber(need(so, 'length_m', sw), sw.key('length_m'), { above: 0, max: MAX_TRACK_M });
    total += lengthM;
    return {
      lengthM,
      // |κ| <= 1/m: a 1 m radius is already far below any car's turning circle.
      curvature1pm: optNumber(so, 'curvature_1pm', sw, 0, { min: -1, max: 1 }),
      rampM: optNumber(so, 'ramp_m', sw, 0, { min: 0, max: lengthM }),
    };
  });
  if (total > MAX_TRACK_M) w.key('segments').fail('LNN_E_LIMIT', `track length ${total} m is beyond the limit ${MAX_TRACK_M} m`);
  let start = { xM: 0, yM: 0, yawRad: 0 };
  if (has(t, 'start')) {
    const stw = w.key('start');
    const st = asObject(t.start, stw);
    onlyKeys(st, ['x_m', 'y_m', 'yaw_rad'], stw);
    start = {
      xM: optNumber(st, 'x_m', stw, 0, { min: -1e6, max: 1e6 }),
      yM: optNumber(st, 'y_m', stw, 0, { min: -1e6, max: 1e6 }),
      yawRad: optNumber(st, 'yaw_rad', stw, 0, { min: -100, max: 100 }),
    };
  }
  let markings: TrackSpec['markings'] = { left: 'solid', right: 'solid', widthM: 0.15, dashM: 3, gapM: 9 };
  if (has(t, 'markings')) {
    const mw = w.key('markings');
    const m = asObject(t.markings, mw);
    onlyKeys(m, ['left', 'right', 'width_m', 'dash_m', 'gap_m'], mw);
    markings = {
      left: has(m, 'left') ? asEnum(m.left, MARKING_STYLES, mw.key('left'), 'LNN_E_RANGE') : 'solid',
      right: has(m, 'right') ? asEnum(m.right, MARKING_STYLES, mw.key('right'), 'LNN_E_RANGE') : 'solid',
      widthM: optNumber(m, 'width_m', mw, 0.15, { above: 0, max: 1 }),
      dashM: optNumber(m, 'dash_m', mw, 3, { above: 0, max: 100 }),
      gapM: optNumber(m, 'gap_m', mw, 9, { above: 0, max: 100 }),
    };
  }
  return {
    closed: has(t, 'closed') ? asBool(t.closed, w.key('closed')) : true,
    laneWidthM: optNumber(t, 'lane_width_m', w, 3.5, { min: 1, max: 20 }),
    shoulderM: optNumber(t, 'shoulder_m', w, 0.5, { min: 0, max: 20 }),
    start, segments, markings,
  };
}

function readForest(v: unknown, w: Where): ForestSpec {
  const f = asObject(v, w);
  onlyKeys(f, [
    'x_min_m', 'x_max_m', 'y_min_m', 'y_max_m', 'density_per_100m2', 'trunk_radius_m', 'height_m', 'pillar_fraction',
    'pillar_size_m', 'clear_radius_m', 'min_spacing_m',
  ], w);
  const c = { min: -1e5, max: 1e5 };
  const xMinM = asNumber(need(f, 'x_min_m', w), w.key('x_min_m'), c);
  const xMaxM = asNumber(need(f, 'x_max_m', w), w.key('x_max_m'), { ...c, above: xMinM });
  const yMinM = asNumber(need(f, 'y_min_m', w), w.key('y_min_m'), c);
  const yMaxM = asNumber(need(f, 'y_max_m', w), w.key('y_max_m'), { ...c, above: yMinM });
  const densityPer100m2 = optNumber(f, 'density_per_100m2', w, 1, { min: 0, max: 100 });
  const expected = ((xMaxM - xMinM) * (yMaxM - yMinM) * densityPer100m2) / 100;
  if (expected > MAX_FOREST_OBSTACLES) w.fail('LNN_E_LIMIT', `the forest would hold ${Math.round(expected)} obstacles, beyond the limit ${MAX_FOREST_OBSTACLES}`);
  return {
    xMinM, xMaxM, yMinM, yMaxM, densityPer100m2,
    trunkRadiusM: has(f, 'trunk_radius_m') ? readPair(f.trunk_radius_m, w.key('trunk_radius_m'), { above: 0, max: 10 }) : [0.15, 0.4],
    heightM: optNumber(f, 'height_m', w, 12, { above: 0, max: 200 }),
    pillarFraction: optNumber(f, 'pillar_fraction', w, 0.2, { min: 0, max: 1 }),
    pillarSizeM: has(f, 'pillar_size_m') ? readPair(f.pillar_size_m, w.key('pillar_size_m'), { above: 0, max: 20 }) : [0.4, 1.0],
    clearRadiusM: optNumber(f, 'clear_radius_m', w, 3, { min: 0, max: 1e3 }),
    minSpacingM: optNumber(f, 'min_spacing_m', w, 1.5, { min: 0, max: 1e3 }),
  };
}

function readTarget(v: unknown, w: Where): TargetSpec {
  const t = asObject(v, w);
  onlyKeys(t, ['position_m', 'radius_m'], w);
  return {
    positionM: readVec3(need(t, 'position_m', w), w.key('position_m'), { min: -1e5, max: 1e5 }),
    radiusM: optNumber(t, 'radius_m', w, 0.5, { above: 0, max: 100 }),
  };
}

function readTask(v: unknown, w: Where, models: readonly ModelSpec[], track: TrackSpec | null, target: TargetSpec | null, physicsHz: number): TaskSpec {
  const t = asObject(v, w);
  const type = asEnum(need(t, 'type', w), ['lane', 'drone'] as const, w.key('type'), 'LNN_E_UNKNOWN_KEY');
  const vehicles = models.filter((m) => m.kind === 'vehicle');
  const vehicle = has(t, 'vehicle') ? asString(t.vehicle, w.key('vehicle')) : vehicles[0]?.name;
  if (vehicle === undefined) w.fail('LNN_E_MISSING_KEY', 'a task needs a vehicle model in "models"');
  if (!vehicles.some((m) => m.name === vehicle)) w.key('vehicle').fail('LNN_E_RANGE', `no vehicle model named "${vehicle}"`);
  const controlHz = optNumber(t, 'control_hz', w, Math.min(30, physicsHz), { above: 0, max: physicsHz });
  if (type === 'lane') {
    onlyKeys(t, ['type', 'vehicle', 'speed_mps', 'duration_s', 'control_hz', 'on_departure', 'depart_cte_m'], w);
    if (track === null) w.fail('LNN_E_MISSING_KEY', 'a lane task needs a "track"');
    return {
      type, vehicle: vehicle as string, controlHz,
      speedMps: optNumber(t, 'speed_mps', w, 8.33, { above: 0, max: 50 }),
      durationS: optNumber(t, 'duration_s', w, 60, { above: 0, max: 86400 }),
      onDeparture: has(t, 'on_departure') ? asEnum(t.on_departure, ['end', 'recover'] as const, w.key('on_departure'), 'LNN_E_RANGE') : 'end',
      departCteM: optNumber(t, 'depart_cte_m', w, (track as TrackSpec).laneWidthM / 2, { above: 0, max: 100 }),
    };
  }
  onlyKeys(t, ['type', 'vehicle', 'timeout_s', 'control_hz', 'success_radius_m', 'cruise_mps'], w);
  if (target === null) w.fail('LNN_E_MISSING_KEY', 'a drone task needs a "target"');
  return {
    type, vehicle: vehicle as string, controlHz,
    timeoutS: optNumber(t, 'timeout_s', w, 30, { above: 0, max: 86400 }),
    successRadiusM: optNumber(t, 'success_radius_m', w, 2, { above: 0, max: 1e3 }),
    cruiseMps: optNumber(t, 'cruise_mps', w, 2, { above: 0, max: 50 }),
  };
}

function readPlugins(v: unknown, w: Where): PluginSpec[] {
  return asArray(v, w).map((p, i) => {
    const pw = w.at(i);
    const o = asObject(p, pw);
    onlyKeys(o, ['name', 'type', 'params'], pw);
    const type = asString(need(o, 'type', pw), pw.key('type'));
    return {
      name: has(o, 'name') ? asString(o.name, pw.key('name')) : type,
      type,
      params: has(o, 'params') ? asFreeObject(o.params, pw.key('params')) : {},
    };
  });
}

function deepFreeze<T>(x: T): T {
  if (typeof x === 'object' && x !== null && !Object.isFrozen(x)) {
    Object.freeze(x);
    for (const k of Object.keys(x)) deepFreeze((x as Record<string, unknown>)[k]);
  }
  return x;
}
