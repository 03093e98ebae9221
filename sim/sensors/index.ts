// Builds a sensor from its validated spec (exhaustive over SensorType).
import type { Vehicle } from '../engine/vehicle.ts';
import type { SensorSpec } from '../world/types.ts';
import { CameraSensor } from './camera.ts';
import { GpsSensor, ImuSensor } from './inertial.ts';
import { LaneFeaturesSensor } from './lane-features.ts';
import { ContactSensor, DepthSensor, RaysSensor } from './ranging.ts';
import type { Sensor } from './sensor.ts';

export { Sensor } from './sensor.ts';
export { CameraSensor, DepthSensor, RaysSensor, ContactSensor, ImuSensor, GpsSensor, LaneFeaturesSensor };

export function makeSensor(spec: SensorSpec, vehicle: Vehicle, physicsHz: number, seed: number, maxExtraLatencyMs: number): Sensor {
  switch (spec.type) {
    case 'camera': return new CameraSensor(spec, vehicle, physicsHz, seed, maxExtraLatencyMs);
    case 'depth': return new DepthSensor(spec, vehicle, physicsHz, seed, maxExtraLatencyMs);
    case 'rays': return new RaysSensor(spec, vehicle, physicsHz, seed, maxExtraLatencyMs);
    case 'imu': return new ImuSensor(spec, vehicle, physicsHz, seed, maxExtraLatencyMs);
    case 'gps': return new GpsSensor(spec, vehicle, physicsHz, seed, maxExtraLatencyMs);
    case 'lane_features': return new LaneFeaturesSensor(spec, vehicle, physicsHz, seed, maxExtraLatencyMs);
    case 'contact': return new ContactSensor(spec, vehicle, physicsHz, seed, maxExtraLatencyMs);
  }
}
