// Registers the built-in vehicle types. Import this module (the engine does) before building a
// world: 'car' (dynamic bicycle), 'quadrotor' (rotor dynamics under the PX4-style cascade,
// sim/vehicles/quadrotor-engine.ts), 'point_mass' (a velocity-tracking stand-in for tests).
import { registerVehicle } from '../engine/vehicle.ts';
import { makeCar } from './car.ts';
import { makePointMass } from './point-mass.ts';
import { makeQuadrotor } from './quadrotor-engine.ts';

registerVehicle('car', makeCar);
registerVehicle('point_mass', makePointMass);
registerVehicle('quadrotor', makeQuadrotor);
