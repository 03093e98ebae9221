// Small deterministic models used across tests: the lane-keeping NCP shape (32 inputs,
// NCP 12 inter / 6 command / 1 motor, ncps seed 22222) as CfC and LTC, and an LSTM baseline.
import { initLstmDoc, initLtcDoc, initWiredCfcDoc } from '../../src/models/init.ts';
import { loadModel } from '../../src/models/load.ts';
import type { Model } from '../../src/models/types.ts';
import { makeNcp } from '../../src/models/wiring/index.ts';
import type { CfcMode } from '../../src/models/types.ts';

export function laneWiring() {
  return makeNcp({ inter: 12, command: 6, motor: 1, sensoryFanout: 6, interFanout: 4, recurrentCommandSynapses: 6, motorFanin: 6, seed: 22222 }, 32);
}

export function laneCfc(mode: CfcMode = 'default', seed = 1): Model {
  return loadModel(initWiredCfcDoc(laneWiring(), { seed, mode, name: `lane-ncp-${mode}` }));
}

export function laneLtc(seed = 1): Model {
  return loadModel(initLtcDoc(laneWiring(), { seed, name: 'lane-ltc' }));
}

export function laneLstm(seed = 1): Model {
  return loadModel(initLstmDoc(32, 19, { seed, name: 'lane-lstm' }));
}
